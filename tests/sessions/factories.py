"""create_x() helpers for meetings: real rows, committed."""

import html
import itertools
import uuid
from datetime import UTC, datetime, timedelta

from network.calendar import to_paris
from network.database import utcnow
from network.periods import PARIS
from network.extensions import db
from network.members.enums import InstitutionKind
from network.sessions.enums import MeetingKind, MeetingStatus, Rsvp
from network.sessions.models import Invitation, Meeting, Venue

_sequence = itertools.count(1)

SUMMER_START = datetime(2027, 6, 15, 7, 30, tzinfo=UTC)   # 09:30 in Paris (CEST)
SUMMER_END = datetime(2027, 6, 15, 14, 0, tzinfo=UTC)     # 16:00 in Paris
WINTER_START = datetime(2027, 12, 7, 8, 30, tzinfo=UTC)   # 09:30 in Paris (CET)
WINTER_END = datetime(2027, 12, 7, 15, 0, tzinfo=UTC)


def create_venue(network, name=None, host_kind=InstitutionKind.CAF, **values) -> Venue:
    venue = Venue(network_id=network.id, name=name or f"Lieu {next(_sequence)}", host_kind=host_kind,
                  street=values.pop("street", "9 rue Willy Brandt"), postal_code=values.pop("postal_code", "62000"),
                  city=values.pop("city", "Arras"), **values)
    db.session.add(venue)
    db.session.commit()
    return venue


def create_meeting(network, *, starts_at=None, ends_at=None, status=MeetingStatus.PLANNED,
                   kind=MeetingKind.QUARTERLY, venue=None, title=None, **values) -> Meeting:
    starts_at = starts_at or utcnow().replace(microsecond=0) + timedelta(days=30)
    meeting = Meeting(network_id=network.id, kind=kind, title=title or f"Rencontre {next(_sequence)}",
                      starts_at=starts_at, ends_at=ends_at or starts_at + timedelta(hours=6), status=status,
                      venue_id=venue.id if venue else None, ical_uid=f"test-{uuid.uuid4()}@reseau.test",
                      ical_sequence=values.pop("ical_sequence", 0), **values)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def invite(meeting, *members, rsvp=Rsvp.PENDING, sent=True) -> list[Invitation]:
    invitations = [Invitation(meeting_id=meeting.id, member_id=member.id, rsvp=rsvp,
                              sent_at=utcnow() if sent else None) for member in members]
    db.session.add_all(invitations)
    db.session.commit()
    return invitations


def earlier_this_year(ago: timedelta) -> datetime:
    """`ago` before now, but never before this year (Europe/Paris): yearly figures then include it on 1 January too."""
    year_start = datetime(to_paris(utcnow()).year, 1, 1, tzinfo=PARIS).astimezone(UTC) + timedelta(minutes=1)
    return max(utcnow().replace(microsecond=0) - ago, year_start)


def page_text(response) -> str:
    """The response body with HTML entities decoded (Jinja escapes apostrophes)."""
    return html.unescape(response.get_data(as_text=True))
