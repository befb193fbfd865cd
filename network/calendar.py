"""iCalendar building shared by features (DESIGN §6), and Paris local time ↔ UTC.

Times are written in UTC (`Z`) and no VTIMEZONE is emitted: Outlook ignores
the RDATE-style VTIMEZONE icalendar generates and ical.js reads it 1 hour off.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import format_date
from icalendar import Calendar, Event, vCalAddress, vText

from network.database import utcnow
from network.errors import DomainError
from network.text import clean_text, one_line

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Réseau Caf-MSA//Rencontres//FR"

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def paris_to_utc(day: date, clock: time) -> datetime:
    """The UTC instant of a Paris wall-clock time; refuses a time skipped when clocks go forward."""
    naive = datetime.combine(day, clock)
    local = naive.replace(tzinfo=PARIS)
    if local.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) != naive:
        raise DomainError(
            f"L'heure {clock.strftime('%H:%M')} n'existe pas le {format_date(day, 'd MMMM y')} à Paris "
            "(passage à l'heure d'été) : choisissez une autre heure."
        )
    return local.astimezone(UTC)


def to_paris(instant: datetime) -> datetime:
    return instant.astimezone(PARIS)


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str | None = None
    partstat: str = "NEEDS-ACTION"  # ACCEPTED for a place the member took on the site: nothing to answer

    @property
    def expects_reply(self) -> bool:
        return self.partstat == "NEEDS-ACTION"


@dataclass(frozen=True)
class EventData:
    """One VEVENT. `sequence` and `uid` come from the stored meeting."""

    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    organizer_email: str
    organizer_name: str | None = None
    location: str | None = None
    description: str | None = None
    url: str | None = None
    cancelled: bool = False
    attendees: tuple[Attendee, ...] = field(default_factory=tuple)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("calendar times must be aware datetimes")
    return value.astimezone(UTC)


def _address(email: str, name: str | None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(one_line(name))
    return address


def _event(data: EventData, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", data.uid)
    event.add("sequence", data.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(data.starts_at))
    event.add("dtend", _utc(data.ends_at))
    # Any stored text renders: names on one line (a line break in a title 500ed), descriptions without controls.
    event.add("summary", one_line(data.summary))
    if data.location:
        event.add("location", one_line(data.location))
    if data.description:
        event.add("description", clean_text(data.description))
    if data.url:
        event.add("url", data.url)
    event.add("status", "CANCELLED" if data.cancelled else "CONFIRMED")
    event.add("organizer", _address(data.organizer_email, data.organizer_name))
    for attendee in data.attendees:
        address = _address(attendee.email, attendee.name)
        address.params["role"] = "REQ-PARTICIPANT"
        address.params["partstat"] = attendee.partstat
        address.params["rsvp"] = "TRUE" if attendee.expects_reply else "FALSE"
        event.add("attendee", address)
    return event


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", one_line(name))
    return calendar


def build_invitation(data: EventData, *, method: str, now: datetime | None = None) -> bytes:
    """A scheduling message (REQUEST or CANCEL) with exactly one VEVENT, DTSTAMP fresh."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported iTIP method {method}")
    if (method == CANCEL) != data.cancelled:
        raise ValueError("CANCEL goes with STATUS:CANCELLED and only with it")
    calendar = _calendar(method)
    calendar.add_component(_event(data, now or utcnow()))
    return calendar.to_ical()


# A feed is rebuilt on every poll of every calendar client: each VEVENT is serialised by icalendar once per
# process and reused while its data is unchanged (EventData is the key), with only DTSTAMP rewritten.
_PLACEHOLDER_STAMP = datetime(1970, 1, 1, tzinfo=UTC)
_PLACEHOLDER_LINE = b"\r\nDTSTAMP:19700101T000000Z\r\n"
_CALENDAR_END = b"END:VCALENDAR\r\n"


# A pure serialisation: the whole EventData (plain values, no database row) is the key.
@lru_cache(maxsize=8192)
def _cached_event(data: EventData) -> bytes:
    serialised = _event(data, _PLACEHOLDER_STAMP).to_ical()
    if serialised.count(_PLACEHOLDER_LINE) != 1:
        raise ValueError("the DTSTAMP placeholder must appear once")
    return serialised


@lru_cache(maxsize=1024)
def _feed_head(name: str) -> bytes:
    return _calendar(PUBLISH, name).to_ical().removesuffix(_CALENDAR_END)


@lru_cache(maxsize=4)
def _stamp_line(stamp: datetime) -> bytes:
    """The DTSTAMP content line exactly as icalendar writes it (to the second: one per second is built)."""
    event = Event()
    event.add("dtstamp", stamp)
    lines = event.to_ical().split(b"\r\n")
    return b"\r\n".join(lines[1:-2]) + b"\r\n"


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str  # changes with the events and the name, not with DTSTAMP: calendar clients can revalidate


def build_feed_with_etag(events: list[EventData], *, name: str, now: datetime | None = None) -> Feed:
    """A subscription feed (or a single-event download): PUBLISH, no attendees' RSVP."""
    head, serialised = _feed_head(name), [_cached_event(data) for data in events]
    digest = hashlib.blake2b(head, digest_size=16)
    for part in serialised:
        digest.update(part)
    stamp = b"\r\n" + _stamp_line((now or utcnow()).replace(microsecond=0))
    body = b"".join([head, *(part.replace(_PLACEHOLDER_LINE, stamp) for part in serialised), _CALENDAR_END])
    return Feed(body=body, etag=digest.hexdigest())


def build_feed(events: list[EventData], *, name: str, now: datetime | None = None) -> bytes:
    return build_feed_with_etag(events, name=name, now=now).body
