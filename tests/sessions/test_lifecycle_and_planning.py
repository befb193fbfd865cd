"""The meeting state machine and planning services; planning views with permissions and bad input."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.audit import AuditEvent
from network.database import utcnow
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.sessions import services
from network.sessions.enums import MeetingStatus
from network.sessions.models import AgendaItem, Meeting, Venue
from tests import factories
from tests.sessions import factories as sf

S = MeetingStatus


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# --- state machine ------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "target"), [
    (S.PLANNED, S.INVITED), (S.PLANNED, S.CANCELLED), (S.INVITED, S.CANCELLED), (S.HELD, S.CLOSED)])
def test_legal_transitions(network, caf_facilitator, start, target):
    meeting = sf.create_meeting(network, status=start)
    services.change_meeting_status(meeting, target, actor=caf_facilitator)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == f"meeting.{target}"))
    assert meeting.status == target
    assert (event.actor_id, event.object_id, event.fields) == (caf_facilitator.id, meeting.id, "status")


def test_invited_to_held_on_the_day(network, caf_facilitator):
    meeting = sf.create_meeting(network, status=S.INVITED, starts_at=utcnow() - timedelta(minutes=5))
    services.change_meeting_status(meeting, S.HELD, actor=caf_facilitator)
    assert meeting.status == S.HELD


@pytest.mark.parametrize(("start", "target"), [
    (S.PLANNED, S.HELD), (S.PLANNED, S.CLOSED), (S.INVITED, S.CLOSED), (S.INVITED, S.PLANNED),
    (S.HELD, S.CANCELLED), (S.CLOSED, S.HELD), (S.CANCELLED, S.INVITED), (S.CANCELLED, S.PLANNED)])
def test_illegal_transitions_are_refused(network, caf_facilitator, start, target):
    meeting = sf.create_meeting(network, status=start)
    with pytest.raises(InvalidTransition) as error:
        services.change_meeting_status(meeting, target, actor=caf_facilitator)
    assert meeting.status == start
    assert str(error.value) == (f"Une rencontre « {S(start).label} » ne peut pas passer à l'état « {S(target).label} ».")


def test_held_before_the_day_is_refused(network, caf_facilitator):
    meeting = sf.create_meeting(network, status=S.INVITED, starts_at=utcnow() + timedelta(days=3))
    with pytest.raises(InvalidTransition, match="qu'à partir de son jour"):
        services.change_meeting_status(meeting, S.HELD, actor=caf_facilitator)


def test_inviting_to_a_past_meeting_is_refused(network, caf_facilitator):
    meeting = sf.create_meeting(network, starts_at=utcnow() - timedelta(days=1))
    with pytest.raises(InvalidTransition, match="trop tard pour inviter"):
        services.send_invitations(meeting, actor=caf_facilitator)


def test_sending_for_a_cancelled_meeting_is_refused(network, caf_facilitator):
    meeting = sf.create_meeting(network, status=S.CANCELLED)
    with pytest.raises(InvalidTransition, match="ne peut plus recevoir d'invitations"):
        services.send_invitations(meeting, actor=caf_facilitator)


@pytest.mark.parametrize("who", ["coordinator", "other_facilitator", "admin"])
def test_transition_by_someone_not_facilitating_the_network(request, network, who):
    meeting = sf.create_meeting(network)
    with pytest.raises(NotAllowed):
        services.change_meeting_status(meeting, S.CANCELLED, actor=request.getfixturevalue(who))


def test_cancelling_a_planned_meeting_sends_nothing(network, caf_facilitator):
    meeting = sf.create_meeting(network)
    assert services.cancel_meeting(meeting, actor=caf_facilitator) == 0
    assert meeting.ical_sequence == 0


# --- planning services --------------------------------------------------------------------------

def test_plan_year_creates_four_meetings_with_agenda(network, caf_facilitator, msa_facilitator):
    venues = [sf.create_venue(network, "Caf Arras", "caf"), sf.create_venue(network, "MSA Lille", "msa"),
              sf.create_venue(network, "Maison du Département", "partner")]
    slots = services.default_slots(2027, venues)
    meetings = services.plan_year(actor=caf_facilitator, network=network, year=2027, slots=slots,
                                  caf_facilitator_id=caf_facilitator.id, msa_facilitator_id=msa_facilitator.id)
    assert [s.day for s in slots] == [date(2027, 3, 9), date(2027, 6, 8), date(2027, 9, 14), date(2027, 12, 14)]
    assert [m.venue_id for m in meetings] == [venues[0].id, venues[1].id, venues[2].id, venues[0].id]
    assert meetings[1].starts_at == datetime(2027, 6, 8, 7, 30, tzinfo=UTC)
    assert meetings[0].starts_at == datetime(2027, 3, 9, 8, 30, tzinfo=UTC)
    assert [m.title for m in meetings][0] == "Rencontre du réseau — 1er trimestre 2027"
    assert _count(AgendaItem) == 16
    assert {m.status for m in meetings} == {S.PLANNED}
    assert len({m.ical_uid for m in meetings}) == 4


def test_plan_year_twice_is_refused(network, caf_facilitator):
    services.plan_year(actor=caf_facilitator, network=network, year=2027, slots=services.default_slots(2027, []),
                       caf_facilitator_id=None, msa_facilitator_id=None)
    with pytest.raises(Conflict, match="Les quatre rencontres trimestrielles de 2027 sont déjà planifiées."):
        services.plan_year(actor=caf_facilitator, network=network, year=2027,
                           slots=services.default_slots(2027, []), caf_facilitator_id=None, msa_facilitator_id=None)


def test_plan_year_with_one_past_date_writes_nothing(network, caf_facilitator):
    slots = services.default_slots(2027, [])
    slots[3].day = date(2020, 12, 8)
    with pytest.raises(DomainError):
        services.plan_year(actor=caf_facilitator, network=network, year=2027, slots=slots,
                           caf_facilitator_id=None, msa_facilitator_id=None)
    db.session.rollback()
    assert _count(Meeting) == 0


def test_facilitator_from_the_wrong_institution_is_refused(network, caf_facilitator, msa_facilitator):
    data = services.MeetingData(title="R", starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END,
                                caf_facilitator_id=msa_facilitator.id)
    with pytest.raises(DomainError, match="Julien Lefebvre n'appartient pas à la Caf."):
        services.create_meeting(actor=caf_facilitator, network=network, data=data)


def test_venue_of_another_network_is_refused(network, other_network, caf_facilitator):
    foreign = sf.create_venue(other_network)
    data = services.MeetingData(title="R", starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue_id=foreign.id)
    with pytest.raises(DomainError, match="Ce lieu n'appartient pas au réseau."):
        services.create_meeting(actor=caf_facilitator, network=network, data=data)


def test_editing_a_closed_meeting_is_refused(network, caf_facilitator):
    meeting = sf.create_meeting(network, status=S.CLOSED)
    data = services.MeetingData(title="X", starts_at=meeting.starts_at, ends_at=meeting.ends_at)
    with pytest.raises(InvalidTransition, match="ne peut plus être modifiée"):
        services.update_meeting(actor=caf_facilitator, meeting=meeting, data=data)


def test_agenda_item_outside_meeting_hours_is_refused(network, caf_facilitator):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END)
    data = services.AgendaData(kind="free", title="Apéritif", starts_at=sf.SUMMER_END + timedelta(hours=1))
    with pytest.raises(DomainError, match="tenir dans ceux de la rencontre"):
        services.add_agenda_item(actor=caf_facilitator, meeting=meeting, data=data)


def test_duplicate_venue_name_is_refused(network, caf_facilitator, venue):
    data = services.VenueData(name=venue.name.upper(), host_kind="caf", street="1 rue", postal_code="62000", city="Arras")
    with pytest.raises(Conflict, match="Un lieu porte déjà ce nom"):
        services.create_venue(actor=caf_facilitator, network=network, data=data)


# --- views --------------------------------------------------------------------------------------

def _meeting_form(**overrides):
    data = {"kind": "quarterly", "title": "Rencontre de juin", "day": "2027-06-15", "start": "09:30", "end": "16:00",
            "venue_id": "", "caf_facilitator_id": "", "msa_facilitator_id": "", "description": "", "trainer": "",
            "capacity": ""}
    return {**data, **overrides}


def test_create_meeting_view(client, login, caf_facilitator, venue):
    login(caf_facilitator)
    response = client.post("/rencontres/nouvelle", data=_meeting_form(venue_id=str(venue.id),
                                                                      caf_facilitator_id=str(caf_facilitator.id)))
    meeting = db.session.scalar(select(Meeting))
    assert response.status_code == 302
    assert response.location == f"/rencontres/{meeting.id}"
    assert (meeting.starts_at, meeting.ends_at) == (sf.SUMMER_START, sf.SUMMER_END)
    assert (meeting.venue_id, meeting.caf_facilitator_id) == (venue.id, caf_facilitator.id)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"day": "2020-06-15"}, "La date choisie est déjà passée : choisissez une date à venir."),
    ({"end": "09:00"}, "L'heure de fin doit être postérieure à l'heure de début."),
    ({"day": "2027-03-28", "start": "02:30", "end": "05:00"},
     "L'heure 02:30 n'existe pas le 28 mars 2027 à Paris (passage à l'heure d'été) : choisissez une autre heure."),
    ({"title": ""}, "Ce champ est obligatoire."),
    ({"day": "15/06"}, "Date invalide (jj/mm/aaaa)."),
    ({"start": "9h"}, "Heure invalide (hh:mm)."),
])
def test_create_meeting_with_bad_input_redisplays_in_french(client, login, caf_facilitator, overrides, message):
    login(caf_facilitator)
    response = client.post("/rencontres/nouvelle", data=_meeting_form(**overrides))
    page = sf.page_text(response)
    assert response.status_code == 200
    assert message in page
    assert 'value="Rencontre de juin"' in page or overrides.get("title") == ""
    assert _count(Meeting) == 0


def test_plan_year_view_prefills_and_creates(client, login, caf_facilitator, msa_facilitator, venue):
    login(caf_facilitator)
    page = sf.page_text(client.get("/rencontres/planifier?annee=2027"))
    form = {"caf_facilitator_id": str(caf_facilitator.id), "msa_facilitator_id": str(msa_facilitator.id)}
    for index, day in enumerate(["2027-03-09", "2027-06-08", "2027-09-14", "2027-12-14"]):
        form.update({f"slots-{index}-day": day, f"slots-{index}-start": "09:30", f"slots-{index}-end": "16:00",
                     f"slots-{index}-venue_id": str(venue.id)})
    response = client.post("/rencontres/planifier?annee=2027", data=form)
    assert 'name="slots-3-day" required type="date" value="2027-12-14"' in page
    assert response.status_code == 302
    assert _count(Meeting) == 4


def test_plan_year_view_with_a_dst_gap_time_writes_nothing(client, login, caf_facilitator):
    login(caf_facilitator)
    form = {}
    for index, day in enumerate(["2027-03-28", "2027-06-08", "2027-09-14", "2027-12-14"]):
        form.update({f"slots-{index}-day": day, f"slots-{index}-start": "02:30" if index == 0 else "09:30",
                     f"slots-{index}-end": "16:00"})
    response = client.post("/rencontres/planifier?annee=2027", data=form)
    assert "L'heure 02:30 n'existe pas le 28 mars 2027" in sf.page_text(response)
    assert _count(Meeting) == 0


MANAGE_URLS = ["/rencontres/nouvelle", "/rencontres/planifier", "/rencontres/{id}/modifier",
               "/rencontres/{id}/ordre-du-jour/nouveau", "/rencontres/lieux/nouveau"]


@pytest.mark.parametrize(("who", "url"), [("coordinator", url) for url in MANAGE_URLS] + [
    ("other_facilitator", url) for url in MANAGE_URLS if "{id}" in url])
def test_planning_pages_refused_to_non_facilitators(client, login, request, network, who, url):
    meeting = sf.create_meeting(network)
    login(request.getfixturevalue(who))
    # another network's meeting answers like a missing one (issue #14: no id discovery)
    assert client.get(url.format(id=meeting.id)).status_code == (404 if who == "other_facilitator" else 403)


@pytest.mark.parametrize("url", ["/rencontres/{id}/invitations", "/rencontres/{id}/annuler",
                                 "/rencontres/{id}/etat/held"])
@pytest.mark.parametrize("who", ["coordinator", "other_facilitator", "admin"])
def test_actions_refused_to_non_facilitators(client, login, request, network, who, url):
    meeting = sf.create_meeting(network)
    login(request.getfixturevalue(who))
    assert client.post(url.format(id=meeting.id)).status_code == (404 if who == "other_facilitator" else 403)
    assert db.session.get(Meeting, meeting.id).status == S.PLANNED


def test_meeting_of_another_network_is_not_found(client, login, network, other_facilitator):
    meeting = sf.create_meeting(network)
    login(other_facilitator)
    assert client.get(f"/rencontres/{meeting.id}").status_code == 404
    assert client.get(f"/rencontres/{meeting.id}/rencontre.ics").status_code == 404
    assert client.get(f"/rencontres/{meeting.id}/presences").status_code == 404
    assert "Page introuvable" in client.get(f"/rencontres/{meeting.id}").get_data(as_text=True)


def test_calendar_lists_only_the_own_network(client, login, network, other_network, coordinator):
    sf.create_meeting(network, title="Chez nous", starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END)
    sf.create_meeting(other_network, title="Ailleurs", starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END)
    login(coordinator)
    page = sf.page_text(client.get("/rencontres/?annee=2027"))
    assert "Chez nous" in page
    assert "Ailleurs" not in page
    assert "Planifier une année" not in page


def test_admin_reads_a_network_calendar_without_managing(client, login, admin, network):
    sf.create_meeting(network, title="Chez nous", starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END)
    login(admin)
    page = sf.page_text(client.get(f"/rencontres/?annee=2027&reseau={network.slug}"))
    assert "Chez nous" in page
    assert "Planifier une année" not in page
    assert client.get("/rencontres/").status_code == 404


def test_coordinator_sees_detail_without_others_answers(client, login, network, coordinator, facilitator):
    meeting = sf.create_meeting(network, status=S.INVITED)
    sf.invite(meeting, coordinator, facilitator)
    login(coordinator)
    page = sf.page_text(client.get(f"/rencontres/{meeting.id}"))
    assert "Ma réponse" in page
    assert "Invité·es et réponses" not in page
    assert facilitator.last_name not in page


def test_facilitator_sees_invited_list_with_answers(client, login, network, coordinator, caf_facilitator):
    meeting = sf.create_meeting(network, status=S.INVITED)
    sf.invite(meeting, coordinator, rsvp="excused")
    login(caf_facilitator)
    page = sf.page_text(client.get(f"/rencontres/{meeting.id}"))
    assert "Invité·es et réponses" in page
    assert coordinator.last_name in page
    assert "Excusé·e" in page


def test_venue_form_invalid_postal_code(client, login, caf_facilitator):
    login(caf_facilitator)
    response = client.post("/rencontres/lieux/nouveau", data={"name": "MSA", "host_kind": "msa", "street": "1 rue",
                                                             "postal_code": "59", "city": "Lille"})
    assert "Code postal invalide (5 chiffres)." in sf.page_text(response)
    assert _count(Venue) == 0


def test_agenda_item_view_adds_item(client, login, network, caf_facilitator):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END)
    login(caf_facilitator)
    response = client.post(f"/rencontres/{meeting.id}/ordre-du-jour/nouveau", data={
        "kind": "thematic", "title": "Le schéma départemental des services aux familles", "start": "09:45",
        "end": "11:15", "speaker": "Mme Roussel, Caf", "details": "https://www.caf.fr/sdsf"})
    item = db.session.scalar(select(AgendaItem))
    assert response.status_code == 302
    assert (item.starts_at, item.speaker) == (datetime(2027, 6, 15, 7, 45, tzinfo=UTC), "Mme Roussel, Caf")


def test_the_answers_line_agrees_with_each_count(client, login, network, coordinator, facilitator, caf_facilitator):
    """On the meeting page and, for the co-facilitators, on the calendar."""
    meeting = sf.create_meeting(network, status=S.INVITED, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END)
    sf.invite(meeting, coordinator, rsvp="excused")
    sf.invite(meeting, facilitator, rsvp="yes")
    login(caf_facilitator)
    page = sf.page_text(client.get(f"/rencontres/{meeting.id}"))
    calendar = sf.page_text(client.get(f"/rencontres/?annee={sf.SUMMER_START.year}"))
    assert "Réponses\u00a0: 1 oui · 0 non · 1 excusé·e · 0 sans réponse" in page
    assert "1 oui · 0 non · 1 excusé·e · 0 sans réponse" in calendar
    sf.invite(meeting, factories.create_member(network=network), rsvp="excused")
    page = sf.page_text(client.get(f"/rencontres/{meeting.id}"))
    calendar = sf.page_text(client.get(f"/rencontres/?annee={sf.SUMMER_START.year}"))
    assert "Réponses\u00a0: 1 oui · 0 non · 2 excusé·es · 0 sans réponse" in page
    assert "1 oui · 0 non · 2 excusé·es · 0 sans réponse" in calendar
