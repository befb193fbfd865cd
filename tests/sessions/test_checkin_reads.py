"""The check-in page: its lists read in one statement, its rows' forms built without a url_for per row, its
walk-in form written out."""

import re
from datetime import timedelta

import pytest
from flask import url_for

from network.database import utcnow
from network.extensions import db
from network.sessions import queries, services
from network.sessions.enums import MeetingStatus
from network.sessions.forms import WalkInForm
from tests import factories
from tests.sessions import factories as sf
from tests.sessions.test_meeting_page_forms import _form_on_page, _normalized

MEETING_TABLES = ("meetings", "invitations", "attendances", "training_registrations")


@pytest.fixture
def door(network, caf, caf_facilitator):
    """A meeting started ten minutes ago: four members invited (two checked in), three walk-ins."""
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() - timedelta(minutes=10))
    people = [factories.create_member(network=network, first_name=first, last_name=last, institution_id=caf.id)
              for first, last in (("Inès", "lemaire"), ("Thomas", "Caron"), ("Anne", "Caron"), ("Léa", "Dupont"))]
    sf.invite(meeting, *people)
    services.record_attendance(actor=caf_facilitator, meeting=meeting, member_id=people[1].id, status="excused")
    services.record_attendance(actor=caf_facilitator, meeting=meeting, member_id=people[3].id, status="present")
    for name, organisation in (("Zoé Martin", None), ("Bruno Petit", "Mairie"), ("Alice Roux", "Département")):
        services.add_walk_in(actor=caf_facilitator, meeting=meeting, name=name, organisation=organisation)
    db.session.commit()
    return meeting, people


def test_checkin_list_reads_members_then_walk_ins_in_one_statement(door, count_queries):
    meeting, people = door
    meeting_id = meeting.id
    with count_queries() as counter:
        lists = queries.checkin_list(meeting_id)
    assert counter.count == 1
    # by name, lower-cased (lemaire after the C and D); then the walk-ins by name
    assert [(line.first_name, line.last_name, line.rsvp, line.attendance_status) for line in lists.invited] == [
        ("Anne", "Caron", "pending", None), ("Thomas", "Caron", "pending", "excused"),
        ("Léa", "Dupont", "pending", "present"), ("Inès", "lemaire", "pending", None)]
    assert [line.institution_name for line in lists.invited] == ["Caf du Pas-de-Calais"] * 4
    assert lists.walk_ins == [("Alice Roux", "Département"), ("Bruno Petit", "Mairie"), ("Zoé Martin", None)]
    searched = queries.checkin_list(meeting_id, search=" CAR ")
    assert [line.member_id for line in searched.invited] == [people[2].id, people[1].id]
    assert len(searched.walk_ins) == 3  # the search is on the invited members' names only, as before
    assert queries.checkin_list(meeting_id, search="zzz").invited == []


def test_checkin_page_statements_and_row_actions(app, door, client, login, caf_facilitator, count_queries):
    meeting, people = door
    meeting_id = meeting.id
    login(caf_facilitator)
    client.get("/")  # the welcome message
    db.session.expire_all()
    with count_queries() as counter:
        page = client.get(f"/rencontres/{meeting_id}/presences", query_string={"q": "é&è /"}).get_data(as_text=True)
    # the meeting, the two lists, the door counter
    assert len([s for s in counter.statements if any(table in s for table in MEETING_TABLES)]) == 3
    page = client.get(f"/rencontres/{meeting_id}/presences", query_string={"q": "ca"}).get_data(as_text=True)
    actions = re.findall(r'<form method="post" action="([^"]*)" class="checkin-row__buttons">', page)
    with app.test_request_context():
        assert actions == [url_for("sessions.attendance_record", meeting_id=meeting_id, member_id=member.id, q="ca")
                           for member in (people[2], people[1])]
    assert 'value="excused" class="status-button status-button--excused" aria-pressed="true"' in page
    assert page.count('aria-pressed="true"') == 1 and page.count('aria-pressed="false"') == 7
    actions = re.findall(r'action="([^"]*)" class="checkin-row__buttons"',
                         client.get(f"/rencontres/{meeting_id}/presences").get_data(as_text=True))
    assert actions[0] == f"/rencontres/{meeting_id}/presences/{people[2].id}" and len(actions) == 4


# What the page rendered before the walk-in form was written out: WalkInForm through the shared `field` macro.
WALK_IN_REFERENCE = """{% from "_macros.html" import field %}
<form method="post" action="{{ action }}" novalidate>
  {{ form.hidden_tag() }}
  <div class="grid grid--2 grid--tight">{{ field(form.name) }}{{ field(form.organisation) }}</div>
  <button type="submit" class="button button--secondary">Ajouter un·e participant·e</button>
</form>"""


def test_written_out_walk_in_form_is_what_walk_in_form_renders(app, door, client, login, caf_facilitator):
    meeting, _people = door
    login(caf_facilitator)
    page = client.get(f"/rencontres/{meeting.id}/presences").get_data(as_text=True)
    action = f"/rencontres/{meeting.id}/presences/sur-place"
    with app.test_request_context():
        expected = app.jinja_env.from_string(WALK_IN_REFERENCE).render(form=WalkInForm(), action=action)
    assert _normalized(_form_on_page(page, action)) == _normalized(expected)
    # and posting it still goes through WalkInForm's validation
    client.post(action, data={"name": "", "organisation": "Mairie"})
    client.post(action, data={"name": "Rémi Blanc", "organisation": "x" * 201})
    client.post(action, data={"name": "Rémi Blanc", "organisation": "Mairie"})
    assert [walk_in.guest_name for walk_in in queries.checkin_list(meeting.id).walk_ins] == [
        "Alice Roux", "Bruno Petit", "Rémi Blanc", "Zoé Martin"]
