"""Every change reaches the calendars: per-attendee SEQUENCE, agenda moving with the meeting, venue and title
updates, a training place accepted, and the wording of the emails (issue #17, part B)."""

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from network.errors import DomainError
from network.extensions import db
from network.outbox import OutboxMessage
from network.sessions import services
from network.sessions.enums import MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem
from tests import factories
from tests.sessions import factories as sf

NBSP = "\u00a0"


def _messages(to: str) -> list:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipients == to).order_by(OutboxMessage.id))
    return [message_from_bytes(row.raw, policy=policy.default) for row in rows]


def _event(message):
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    return calendar["METHOD"], calendar.walk("VEVENT")[0]


def _text(message) -> str:
    return next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()


def _outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


@pytest.fixture
def training(network, venue):
    return sf.create_meeting(network, kind=MeetingKind.TRAINING, status=MeetingStatus.INVITED, capacity=1,
                             title="Animer une réunion avec des élus", starts_at=sf.SUMMER_START,
                             ends_at=sf.SUMMER_END, venue=venue)


@pytest.fixture
def ines(network):
    return factories.create_member(network=network, email="ines@example.test", first_name="Inès",
                                   last_name="Lemaire")


def test_training_register_withdraw_register_raises_sequence_each_time(training, ines):
    services.register(actor=ines, meeting=training)
    services.unregister(actor=ines, meeting=training)
    services.register(actor=ines, meeting=training)
    db.session.commit()
    sent = [(str(method), event["SEQUENCE"], str(event["STATUS"])) for method, event in map(_event, _messages(ines.email))]
    assert sent == [("REQUEST", 1, "CONFIRMED"), ("CANCEL", 2, "CANCELLED"), ("REQUEST", 3, "CONFIRMED")]


def test_withdrawal_then_meeting_update_stays_above_every_sequence_sent(training, ines, network, caf_facilitator):
    other = factories.create_member(network=network, email="paul@example.test")
    services.register(actor=ines, meeting=training)
    services.unregister(actor=ines, meeting=training)  # Paul gets Inès's freed place: nobody on the waitlist
    services.register(actor=other, meeting=training)
    data = services.MeetingData(title=training.title, starts_at=training.starts_at + timedelta(hours=1),
                                ends_at=training.ends_at, venue_id=training.venue_id, kind=training.kind,
                                capacity=training.capacity)
    services.update_meeting(actor=caf_facilitator, meeting=training, data=data)
    db.session.commit()
    assert [event["SEQUENCE"] for _, event in map(_event, _messages(other.email))] == [3, 4]


def test_self_registration_is_accepted_in_the_calendar(training, ines):
    services.register(actor=ines, meeting=training)
    db.session.commit()
    _, event = _event(_messages(ines.email)[0])
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ines@example.test"
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("ACCEPTED", "FALSE")


def test_quarterly_invitation_still_asks_for_an_answer(network, caf_facilitator, ines, venue):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue)
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    _, event = _event(_messages(ines.email)[0])
    assert (event["ATTENDEE"].params["PARTSTAT"], event["ATTENDEE"].params["RSVP"]) == ("NEEDS-ACTION", "TRUE")


def test_training_emails_say_la_formation(training, ines, caf_facilitator):
    services.register(actor=ines, meeting=training)
    data = services.MeetingData(title=training.title, starts_at=training.starts_at, ends_at=training.ends_at,
                                venue_id=training.venue_id, kind=training.kind, capacity=training.capacity,
                                description="Apporter un cas concret.")
    services.update_meeting(actor=caf_facilitator, meeting=training, data=data)
    services.unregister(actor=ines, meeting=training)
    db.session.commit()
    place, update, cancel = (_text(message) for message in _messages(ines.email))
    assert place.startswith("Bonjour Inès,\r\n\r\nVotre place est confirmée pour la formation « Animer une réunion "
                            "avec des élus ».\r\n")
    assert ("La formation « Animer une réunion avec des élus » a été modifiée. Voici les informations à jour ; "
            "votre agenda se met à jour.") in update
    assert "Votre inscription à la formation « Animer une réunion avec des élus » est annulée." in cancel
    assert "La formation sur le site : http" in update
    assert all("rencontre" not in re.sub(r"https?://\S+", "", text).lower() for text in (place, update, cancel))


def test_greetings_use_first_name_and_guest_name_without_job(network, caf_facilitator, ines, venue):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue,
                                title="Rencontre d'été")
    services.add_guest(actor=caf_facilitator, meeting=meeting, name="Marie Durand", job="directrice du CIAS",
                       email="marie.durand@cias.test")
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    member_text, guest_text = _text(_messages(ines.email)[0]), _text(_messages("marie.durand@cias.test")[0])
    _, guest_event = _event(_messages("marie.durand@cias.test")[0])
    assert member_text.startswith("Bonjour Inès,\r\n")
    assert guest_text.startswith("Bonjour Marie Durand,\r\n")
    assert guest_event["ATTENDEE"].params["CN"] == "Marie Durand"


def test_email_times_use_french_typography(network, caf_facilitator, ines, venue):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue)
    db.session.add(AgendaItem(meeting_id=meeting.id, kind="free", title="Accueil café", position=0,
                              starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_START + timedelta(minutes=15)))
    db.session.add(AgendaItem(meeting_id=meeting.id, kind="thematic", title="Information thématique", position=1,
                              starts_at=sf.SUMMER_START + timedelta(minutes=30), ends_at=sf.SUMMER_END))
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    message = _messages(ines.email)[0]
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
    assert f"de 9{NBSP}h{NBSP}30 à 16{NBSP}h (heure de Paris)" in _text(message)
    assert f"- 9{NBSP}h{NBSP}30 Accueil café\r\n- 10{NBSP}h Information thématique\r\n" in _text(message)
    assert f"<li>9{NBSP}h{NBSP}30 — Accueil café</li>" in html


@pytest.fixture
def invited_with_agenda(network, caf_facilitator, ines, venue):
    meeting = services.create_meeting(actor=caf_facilitator, network=network, data=services.MeetingData(
        title="Rencontre d'automne", starts_at=datetime(2027, 9, 14, 8, 0, tzinfo=UTC),
        ends_at=datetime(2027, 9, 14, 14, 30, tzinfo=UTC), venue_id=venue.id))  # 10:00–16:30 Paris
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    return meeting


def _agenda_times(meeting) -> list[tuple[datetime, datetime]]:
    return [(item.starts_at, item.ends_at) for item in db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position))]


def test_moving_a_meeting_moves_its_agenda(invited_with_agenda, caf_facilitator, ines):
    meeting = invited_with_agenda
    before = _agenda_times(meeting)
    data = services.MeetingData(title=meeting.title, starts_at=datetime(2027, 9, 14, 7, 30, tzinfo=UTC),
                                ends_at=datetime(2027, 9, 14, 14, 0, tzinfo=UTC), venue_id=meeting.venue_id)
    services.update_meeting(actor=caf_facilitator, meeting=meeting, data=data)
    db.session.commit()
    half_hour = timedelta(minutes=30)
    assert _agenda_times(meeting) == [(start - half_hour, end - half_hour) for start, end in before]
    update = _text(_messages(ines.email)[-1])
    assert f"de 9{NBSP}h{NBSP}30 à 16{NBSP}h (heure de Paris)" in update
    assert f"Ordre du jour :\r\n- 9{NBSP}h{NBSP}30 Accueil café\r\n- 9{NBSP}h{NBSP}45 Information thématique\r\n" in update


def test_moving_the_start_past_the_agenda_is_refused_in_french(invited_with_agenda, caf_facilitator):
    meeting = invited_with_agenda
    before, outbox = _agenda_times(meeting), _outbox_count()
    data = services.MeetingData(title=meeting.title, starts_at=datetime(2027, 9, 14, 9, 0, tzinfo=UTC),
                                ends_at=meeting.ends_at, venue_id=meeting.venue_id)
    with pytest.raises(DomainError) as error:
        services.update_meeting(actor=caf_facilitator, meeting=meeting, data=data)
    db.session.rollback()
    assert str(error.value) == ("L'ordre du jour suit la rencontre, mais le point « Vote du thème de la prochaine "
                                "rencontre » sortirait des nouveaux horaires : raccourcissez-le ou modifiez l'heure "
                                "de fin.")
    assert (_agenda_times(meeting), _outbox_count(), meeting.ical_sequence) == (before, outbox, 0)


def test_title_change_sends_an_update(invited_with_agenda, caf_facilitator, ines):
    meeting = invited_with_agenda
    data = services.MeetingData(title="Rencontre d'automne — Arras", starts_at=meeting.starts_at,
                                ends_at=meeting.ends_at, venue_id=meeting.venue_id)
    services.update_meeting(actor=caf_facilitator, meeting=meeting, data=data)
    db.session.commit()
    messages = _messages(ines.email)
    method, event = _event(messages[-1])
    assert len(messages) == 2
    assert (str(method), event["SEQUENCE"], str(event["SUMMARY"])) == ("REQUEST", 1, "Rencontre d'automne — Arras")
    assert messages[-1]["Subject"] == "Modification : Rencontre d'automne — Arras — 14 septembre 2027"


def test_venue_address_change_updates_upcoming_invited_meetings_only(network, caf_facilitator, venue, ines):
    invited = [sf.create_meeting(network, starts_at=start, ends_at=start + timedelta(hours=6), venue=venue)
               for start in (sf.SUMMER_START, sf.WINTER_START)]
    for meeting in invited:
        services.send_invitations(meeting, actor=caf_facilitator)
    planned = sf.create_meeting(network, venue=venue)
    past = sf.create_meeting(network, venue=venue, status=MeetingStatus.INVITED,
                             starts_at=datetime(2020, 3, 10, 8, 30, tzinfo=UTC))
    sf.invite(past, ines)
    elsewhere = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END,
                                  venue=sf.create_venue(network, "MSA — Arras"))
    services.send_invitations(elsewhere, actor=caf_facilitator)
    db.session.commit()
    outbox = _outbox_count()
    data = services.VenueData(name=venue.name, host_kind=venue.host_kind, street="1 place de la Gare",
                              postal_code="62000", city="Arras", access_notes=venue.access_notes)
    update = services.update_venue(actor=caf_facilitator, venue=venue, data=data)
    db.session.commit()
    updates = _messages(ines.email)[-2:]
    events = [_event(message)[1] for message in updates]
    assert (update.changed, update.meetings_updated) == (["street"], 2)
    assert _outbox_count() - outbox == 4  # Inès and Claire, once per upcoming invited meeting held there
    assert [str(event["UID"]) for event in events] == [meeting.ical_uid for meeting in invited]
    assert [event["SEQUENCE"] for event in events] == [1, 1]
    assert {str(event["LOCATION"]) for event in events} == {f"{venue.name}, 1 place de la Gare, 62000 Arras"}
    assert (planned.ical_sequence, past.ical_sequence, elsewhere.ical_sequence) == (0, 0, 0)


def test_venue_access_notes_change_sends_nothing(network, caf_facilitator, venue, ines):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue)
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    outbox = _outbox_count()
    data = services.VenueData(name=venue.name, host_kind=venue.host_kind, street=venue.street,
                              postal_code=venue.postal_code, city=venue.city, access_notes="Parking rue Gambetta")
    services.update_venue(actor=caf_facilitator, venue=venue, data=data)
    db.session.commit()
    assert (_outbox_count(), meeting.ical_sequence) == (outbox, 0)


def test_venue_form_says_how_many_meetings_get_an_update(client, login, network, caf_facilitator, venue, ines):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue)
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    login(caf_facilitator)
    response = client.post(f"/rencontres/lieux/{venue.id}", data={
        "name": venue.name, "host_kind": venue.host_kind, "street": "1 place de la Gare", "postal_code": "62000",
        "city": "Arras", "is_active": "y"}, follow_redirects=True)
    page = sf.page_text(response)
    assert "Lieu enregistré ; une mise à jour est envoyée aux invités de la rencontre à venir qui s'y tient." in page
    assert [_event(message)[1]["SEQUENCE"] for message in _messages(ines.email)] == [0, 1]


def test_venue_form_is_forbidden_to_a_coordinator(client, login, network, venue, ines):
    login(ines)
    response = client.post(f"/rencontres/lieux/{venue.id}", data={
        "name": venue.name, "host_kind": venue.host_kind, "street": "1 place de la Gare", "postal_code": "62000",
        "city": "Arras"})
    assert response.status_code == 403
    assert db.session.get(type(venue), venue.id).street == "9 rue Willy Brandt"
