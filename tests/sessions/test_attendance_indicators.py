"""The meeting pages read attendance from the evaluation indicators (DESIGN §4), never from a copy.

One year with the cases where the meetings feature's former formula disagreed with DESIGN §4: a held meeting
whose sign-in sheet is not entered, a member invited before joining, and a pooled training.

    Q1 (11/03)  A present, B partial, C excused, D absent, a walk-in guest     → 2 sur 4, hors excusé·es 2 sur 3
    T  (20/05)  training: A present, B absent                                    → 1 sur 2 (counted apart)
    Q2 (10/06)  held, attendance not entered                                     → excluded ("non saisies")
    Q3 (09/09)  A, B, C present, D absent; E invited but joined on 01/10          → 3 sur 4 (E not counted)
    year (quarterly): 5 sur 8 pooled, mean of meeting rates (50 % + 75 %) ÷ 2 = 62.5 %,
    assiduity A 2/2, B 2/2, C 1/2, D 0/2 → 2 sur 4 members at ≥ 75 %.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from network.database import utcnow
from network.extensions import db
from network.sessions import attendance_counts, queries
from network.sessions.enums import MeetingKind, MeetingStatus
from network.sessions.models import Attendance, Invitation
from tests import factories
from tests.clock import SUITE_NOW
from tests.sessions import factories as sf

YEAR = SUITE_NOW.year - 1  # a whole past year, inside the evaluation dashboard's year filter


def _meeting(network, month, day, title, kind=MeetingKind.QUARTERLY):
    starts_at = datetime(YEAR, month, day, 8, 0, tzinfo=UTC)
    return sf.create_meeting(network, starts_at=starts_at, ends_at=starts_at + timedelta(hours=6), title=title,
                             status=MeetingStatus.HELD, kind=kind)


def _record(meeting, statuses):
    db.session.add_all([Attendance(meeting_id=meeting.id, member_id=member.id, status=status, recorded_at=utcnow())
                        for member, status in statuses])
    db.session.commit()


@pytest.fixture
def year(network, caf_facilitator):
    a, b, c, d = (factories.create_member(network=network, first_name=first, last_name=last)
                  for first, last in (("Anne", "Arnaud"), ("Bruno", "Blanc"), ("Chloé", "Carpentier"),
                                      ("David", "Delattre")))
    late = factories.create_member(network=network, first_name="Émile", last_name="Évrard",
                                   joined_on=date(YEAR, 10, 1))
    q1 = _meeting(network, 3, 11, "Rencontre du 1er trimestre")
    training = _meeting(network, 5, 20, "Animer une réunion avec des élus", MeetingKind.TRAINING)
    q2 = _meeting(network, 6, 10, "Rencontre du 2e trimestre")
    q3 = _meeting(network, 9, 9, "Rencontre du 3e trimestre")
    for meeting, invited in ((q1, (a, b, c, d)), (training, (a, b)), (q2, (a, b, c, d)), (q3, (a, b, c, d, late))):
        sf.invite(meeting, *invited)
    db.session.add(Invitation(meeting_id=q1.id, guest_email="elu@example.test", guest_name="Un élu"))
    db.session.add(Attendance(meeting_id=q1.id, guest_name="Un élu", status="present", recorded_at=utcnow()))
    _record(q1, [(a, "present"), (b, "partial"), (c, "excused"), (d, "absent")])
    _record(training, [(a, "present"), (b, "absent")])
    _record(q3, [(a, "present"), (b, "present"), (c, "present"), (d, "absent"), (late, "absent")])
    return {"members": (a, b, c, d, late), "q1": q1, "training": training, "q2": q2, "q3": q3}


def _row_of(page: str, title: str) -> str:
    """The table row of a meeting, by its title (history page and dashboard alike)."""
    return re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(title) + r"(?:(?!</tr>).)*</tr>", page, re.S).group(0)


def _text(fragment: str) -> str:
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip(" ")


def test_history_follows_design_section_4(network, year):
    a, b, c, d, late = year["members"]
    history = queries.attendance_history(network.id, YEAR, utcnow())
    by_id = {row.meeting_id: row for row in history.meetings}
    assert [row.meeting_id for row in history.meetings] == [year["q1"].id, year["q2"].id, year["q3"].id]
    assert (by_id[year["q1"].id].counts.rate.counts, by_id[year["q1"].id].counts.rate_excused_excluded.counts) == (
        "2 sur 4", "2 sur 3")
    assert by_id[year["q2"].id].is_recorded is False
    assert by_id[year["q3"].id].counts.rate.counts == "3 sur 4"
    assert history.summary.counts.rate.counts == "5 sur 8"
    assert history.summary.mean_meeting_rate == 0.625
    assert (history.summary.meetings_recorded, history.summary.meetings_unrecorded) == (2, 1)
    assert history.summary.assiduity.share.counts == "2 sur 4"
    assert [(row.member_id, row.attended, row.invited) for row in history.members] == [
        (a.id, 2, 2), (b.id, 2, 2), (c.id, 1, 2), (d.id, 0, 2)]
    assert [(row.meeting_id, row.counts.rate.counts) for row in history.trainings] == [
        (year["training"].id, "1 sur 2")]


def test_history_page_shows_the_indicators(client, login, year, caf_facilitator):
    login(caf_facilitator)
    page = sf.page_text(client.get(f"/rencontres/assiduite?annee={YEAR}"))
    assert "5 sur 8" in page
    assert "2 sur 4</p><p>membres présents à 75 % des rencontres ou plus" in page
    assert "1 rencontre passée sans présences saisies" in page
    assert "Présences non saisies" in _row_of(page, "Rencontre du 2e trimestre")
    assert _text(_row_of(page, "Rencontre du 3e trimestre")).endswith("3 sur 4 75\u00a0% 75\u00a0% (0 excusé·e)")
    assert _text(_row_of(page, "Rencontre du 1er trimestre")).endswith("(1 excusé·e)")
    assert "1 sur 2" in _row_of(page, "Animer une réunion avec des élus")


def test_history_page_and_dashboard_show_the_same_rates(client, login, year, caf_facilitator):
    login(caf_facilitator)
    history = sf.page_text(client.get(f"/rencontres/assiduite?annee={YEAR}"))
    dashboard = sf.page_text(client.get(f"/evaluation/?annee={YEAR}"))
    for title, expected in (("Rencontre du 1er trimestre", ("2 sur 4", "50\u00a0%")),
                            ("Rencontre du 3e trimestre", ("3 sur 4", "75\u00a0%"))):
        on_history, on_dashboard = _text(_row_of(history, title)), _text(_row_of(dashboard, title))
        for figure in expected:
            assert figure in on_history, (title, figure)
            assert figure in on_dashboard, (title, figure)
    for page in (history, dashboard):
        assert "Présences non saisies" in _row_of(page, "Rencontre du 2e trimestre")
    assert "Assiduité par membre (4 membres invités)" in dashboard


def test_calendar_and_meeting_pages_show_the_evaluation_rate(client, login, year, caf_facilitator):
    login(caf_facilitator)
    calendar = sf.page_text(client.get(f"/rencontres/?annee={YEAR}"))
    detail = sf.page_text(client.get(f"/rencontres/{year['q3'].id}"))
    unrecorded = sf.page_text(client.get(f"/rencontres/{year['q2'].id}"))
    checkin = sf.page_text(client.get(f"/rencontres/{year['q3'].id}/presences"))
    assert "Présence\u00a0: 3 sur 4 (75\u00a0%)" in calendar
    assert "Présence\u00a0: 1 sur 2 (50\u00a0%)" in calendar
    assert "Présences non saisies" in calendar
    assert "3 sur 4 invité·es (75\u00a0%) · hors excusé·es\u00a0: 75\u00a0%" in detail
    assert "<dt>Présence</dt><dd>Présences non saisies</dd>" in unrecorded
    assert "3 présent·es sur 4" in checkin
    training_checkin = sf.page_text(client.get(f"/rencontres/{year['training'].id}/presences"))
    assert "1 présent·e sur 2" in training_checkin


def test_my_meetings_rate_comes_from_the_indicators(client, login, network, caf_facilitator):
    member = factories.create_member(network=network)
    held = sf.create_meeting(network, status=MeetingStatus.HELD, starts_at=sf.earlier_this_year(timedelta(hours=3)))
    not_entered = sf.create_meeting(network, status=MeetingStatus.HELD,
                                    starts_at=sf.earlier_this_year(timedelta(hours=5)))
    sf.invite(held, member)
    sf.invite(not_entered, member)
    _record(held, [(member, "present")])
    login(member)
    page = sf.page_text(client.get("/rencontres/mes-rencontres"))
    assert "Présent·e à <strong>1 rencontre sur 1</strong> (100\u00a0%)" in page
    assert f'href="/rencontres/{not_entered.id}"' in page  # still listed, only left out of the rate


def test_one_members_assiduity_is_their_line_of_the_networks(network, year):
    """« My meetings » reads one member's assiduity: the line the facilitators' list shows for them (A 2/2, B 2/2,
    C 1/2, D 0/2; Émile joined after Q3, so is counted nowhere), and None for a member invited to nothing."""
    scope = queries.network_year(network.id, YEAR, utcnow())
    lines = {line.member_id: line for line in attendance_counts.member_assiduity(scope)}
    a, b, c, d, late = year["members"]
    mine = {member.id: attendance_counts.one_member_assiduity(scope, member.id, member.full_name)
            for member in year["members"]}
    assert mine == lines | {late.id: None}
    assert [(mine[m.id].attended, mine[m.id].invited) for m in (a, b, c, d)] == [(2, 2), (2, 2), (1, 2), (0, 2)]
    newcomer = factories.create_member(network=network)
    assert attendance_counts.one_member_assiduity(scope, newcomer.id, newcomer.full_name) is None
