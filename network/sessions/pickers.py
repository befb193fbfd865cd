"""The one query behind every meeting picker (CODEV cases, vote rounds, follow-ups): a leaf module, importable
from any feature without a cycle."""

from datetime import datetime, time

from sqlalchemy import or_, select

from network.calendar import paris_to_utc, to_paris
from network.extensions import db
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem, Meeting

PICKER_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD)


def start_of_day(now: datetime) -> datetime:
    """Midnight (Europe/Paris) of the day `now` falls on, in UTC."""
    return paris_to_utc(to_paris(now).date(), time(0, 0))


def workshop_meeting_choices(network_id: int, *, now: datetime, after: datetime | None = None,
                             shared_since: datetime | None = None, until: datetime | None = None,
                             today: bool = True, limit: int = 12) -> list[Meeting]:
    """The meetings every meeting picker offers (propose or postpone a CODEV case, open a vote round, say where a
    follow-up was shared): the network's quarterly meetings with a CODEV workshop on their agenda, neither
    cancelled nor closed, upcoming — or in progress today when `today` — soonest first.

    `after` keeps only meetings starting after it (a postponed case goes to a later meeting); `shared_since` also
    keeps the past meetings since then (a follow-up may have been shared at one); `until` bounds the horizon."""
    if shared_since is not None:
        lower = Meeting.starts_at > shared_since
    else:
        # today's: started since midnight in Paris, or still in progress (one that began before midnight)
        lower = or_(Meeting.starts_at >= start_of_day(now), Meeting.ends_at > now) if today \
            else Meeting.starts_at > now
    has_workshop = select(AgendaItem.id).where(AgendaItem.meeting_id == Meeting.id,
                                               AgendaItem.kind == AgendaItemKind.CODEV).exists()
    query = select(Meeting).where(Meeting.network_id == network_id, Meeting.kind == MeetingKind.QUARTERLY,
                                  Meeting.status.in_(PICKER_STATUSES), lower, has_workshop)
    if after is not None:
        query = query.where(Meeting.starts_at > after)
    if until is not None:
        query = query.where(Meeting.starts_at <= until)
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id).limit(limit)))
