"""Calendar invitations parsed back with icalendar and with ical.js, property by property."""

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar
from sqlalchemy import select

from network.calendar import PUBLISH, EventData, _calendar, _event, build_feed, paris_to_utc
from network.errors import DomainError
from network.extensions import db
from network.outbox import OutboxMessage
from network.sessions import services
from network.sessions.enums import MeetingStatus
from tests import factories
from tests.sessions import factories as sf
from email import message_from_bytes, policy


def _calendar_parts(message_row: OutboxMessage) -> tuple[str, bytes]:
    message = message_from_bytes(message_row.raw, policy=policy.default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return part.get_param("method"), part.get_payload(decode=True)


def _last_calendar(to: str) -> tuple[str, bytes]:
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipients == to)
                             .order_by(OutboxMessage.id.desc())).first()
    return _calendar_parts(row)


@pytest.fixture
def invited_meeting(network, caf_facilitator, venue):
    member = factories.create_member(network=network, email="ines@example.test", first_name="Inès",
                                     last_name="Lemaire")
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue,
                                title="Rencontre du réseau — été")
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    return meeting, member


def test_summer_invitation_read_by_icalendar(invited_meeting, network):
    meeting, member = invited_meeting
    method, ics = _last_calendar(member.email)
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert method == "REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.walk("VTIMEZONE") == []
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == meeting.ical_uid
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == datetime(2027, 6, 15, 7, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 6, 15, 14, 0, tzinfo=UTC)
    assert b"DTSTART:20270615T073000Z" in ics
    assert str(event["ORGANIZER"]) == f"mailto:{network.mailbox_email}"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ines@example.test"
    assert attendee.params["CN"] == "Inès Lemaire"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"
    assert "DTSTAMP" in event


def test_summer_invitation_read_by_ical_js(invited_meeting, network, ical_js):
    meeting, member = invited_meeting
    _, ics = _last_calendar(member.email)
    parsed = ical_js(ics)
    assert parsed["method"] == "REQUEST"
    assert parsed["timezones"] == 0
    assert len(parsed["events"]) == 1
    event = parsed["events"][0]
    assert event["uid"] == meeting.ical_uid
    assert event["sequence"] == 0
    assert event["status"] == "CONFIRMED"
    assert event["start"] == "2027-06-15T07:30:00.000Z"
    assert event["end"] == "2027-06-15T14:00:00.000Z"
    assert event["start_is_utc"] is True
    assert event["organizer"] == f"mailto:{network.mailbox_email}"
    assert event["attendees"] == [{"value": "mailto:ines@example.test", "cn": "Inès Lemaire",
                                   "role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "TRUE"}]
    assert event["location"] == "Caf du Pas-de-Calais — site d'Arras, 9 rue Willy Brandt, 62000 Arras"


def test_winter_meeting_starts_at_0830_utc_in_both_parsers(network, caf_facilitator, ical_js):
    member = factories.create_member(network=network)
    starts_at = paris_to_utc(date(2027, 12, 7), time(9, 30))
    meeting = sf.create_meeting(network, starts_at=starts_at, ends_at=paris_to_utc(date(2027, 12, 7), time(16, 0)))
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    _, ics = _last_calendar(member.email)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    parsed = ical_js(ics)["events"][0]
    assert starts_at == sf.WINTER_START
    assert event.decoded("DTSTART") == datetime(2027, 12, 7, 8, 30, tzinfo=UTC)
    assert parsed["start"] == "2027-12-07T08:30:00.000Z"
    assert parsed["end"] == "2027-12-07T15:00:00.000Z"


def test_update_then_cancel_bump_sequence_and_keep_uid(invited_meeting, caf_facilitator, ical_js):
    meeting, member = invited_meeting
    uid = meeting.ical_uid
    data = services.MeetingData(title=meeting.title, starts_at=datetime(2027, 6, 15, 8, 0, tzinfo=UTC),
                                ends_at=sf.SUMMER_END, venue_id=meeting.venue_id)
    services.update_meeting(actor=caf_facilitator, meeting=meeting, data=data)
    db.session.commit()
    method, ics = _last_calendar(member.email)
    update = ical_js(ics)
    assert (method, update["method"]) == ("REQUEST", "REQUEST")
    assert update["events"][0]["uid"] == uid
    assert update["events"][0]["sequence"] == 1
    assert update["events"][0]["status"] == "CONFIRMED"
    assert update["events"][0]["start"] == "2027-06-15T08:00:00.000Z"

    services.cancel_meeting(meeting, actor=caf_facilitator)
    db.session.commit()
    method, ics = _last_calendar(member.email)
    cancel = ical_js(ics)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert (method, cancel["method"]) == ("CANCEL", "CANCEL")
    assert cancel["events"][0]["uid"] == uid
    assert cancel["events"][0]["sequence"] == 2
    assert cancel["events"][0]["status"] == "CANCELLED"
    assert (event["STATUS"], event["SEQUENCE"]) == ("CANCELLED", 2)
    assert meeting.status == MeetingStatus.CANCELLED


def test_nonexistent_paris_time_is_refused_in_french():
    with pytest.raises(DomainError) as error:
        paris_to_utc(date(2027, 3, 28), time(2, 30))
    assert str(error.value) == ("L'heure 02:30 n'existe pas le 28 mars 2027 à Paris (passage à l'heure d'été) : "
                                "choisissez une autre heure.")


def test_feed_lists_the_members_meetings(client, invited_meeting, ical_js):
    meeting, member = invited_meeting
    response = client.get(f"/rencontres/agenda/{member.calendar_token}.ics")
    parsed = ical_js(response.data)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert parsed["method"] == "PUBLISH"
    assert [event["uid"] for event in parsed["events"]] == [meeting.ical_uid]
    assert parsed["events"][0]["start"] == "2027-06-15T07:30:00.000Z"


def test_feed_with_unknown_or_revoked_token_is_404(client, invited_meeting, login):
    _, member = invited_meeting
    old = member.calendar_token
    login(member)
    client.post("/profil/calendrier/regenerer")
    assert client.get(f"/rencontres/agenda/{old}.ics").status_code == 404
    assert client.get("/rencontres/agenda/inconnu.ics").status_code == 404


def test_meeting_ics_download(client, login, invited_meeting, ical_js):
    meeting, member = invited_meeting
    login(member)
    response = client.get(f"/rencontres/{meeting.id}/rencontre.ics")
    parsed = ical_js(response.data)
    assert response.headers["Content-Disposition"] == f'attachment; filename="rencontre-{meeting.id}.ics"'
    assert parsed["events"][0]["uid"] == meeting.ical_uid
    assert parsed["events"][0]["end"] == "2027-06-15T14:00:00.000Z"


def test_feed_revalidates_with_its_etag_until_a_meeting_changes(client, invited_meeting, caf_facilitator):
    meeting, member = invited_meeting
    url = f"/rencontres/agenda/{member.calendar_token}.ics"
    first = client.get(url)
    unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    meeting.ical_sequence += 1
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert (unchanged.status_code, unchanged.data) == (304, b"")
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert Calendar.from_ical(changed.data).walk("VEVENT")[0]["SEQUENCE"] == meeting.ical_sequence


def test_feed_bytes_are_icalendars_own_serialisation(network):
    starts_at = datetime(2027, 6, 15, 7, 30, tzinfo=UTC)
    events = [EventData(uid=f"{n}@test", sequence=n, summary="Rencontre, bilan; été\n" + "é" * 9 * n,
                        starts_at=starts_at, ends_at=starts_at.replace(hour=14), organizer_email="reseau@example.test",
                        organizer_name="Réseau : Caf, MSA", location="Salle 1; RDC" if n % 2 else None,
                        description="Ordre du jour :\n" + "x" * 17 * n, url="https://reseau.example.test/rencontres/1",
                        cancelled=n == 2) for n in range(4)]
    stamp = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    expected = _calendar(PUBLISH, "Réseau — rencontres")
    for data in events:
        expected.add_component(_event(data, stamp))
    assert build_feed(events, name="Réseau — rencontres", now=stamp) == expected.to_ical()


def test_feed_event_is_the_meeting_download_event(client, login, invited_meeting):
    meeting, member = invited_meeting
    feed = client.get(f"/rencontres/agenda/{member.calendar_token}.ics").data
    login(member)
    download = client.get(f"/rencontres/{meeting.id}/rencontre.ics").data

    def vevent(body):
        return [line for line in body.split(b"VEVENT")[1].split(b"\r\n") if not line.startswith(b"DTSTAMP")]

    assert b"LOCATION:" in feed
    assert vevent(feed) == vevent(download)


def test_feed_of_a_member_without_meetings_is_empty(client, network):
    member = factories.create_member(network=network, email="nouvelle@example.test")
    member.calendar_token = "jeton-sans-rencontre"
    db.session.commit()
    response = client.get("/rencontres/agenda/jeton-sans-rencontre.ics")
    assert response.status_code == 200
    assert Calendar.from_ical(response.data).walk("VEVENT") == []
