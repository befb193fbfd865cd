"""Invitation emails with their calendar part: one email per recipient, through the outbox."""

from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import current_app
from flask_babel import format_datetime
from sqlalchemy import Row, select

from network.calendar import CANCEL, REQUEST, Attendee, EventData, build_invitation
from network.database import utcnow
from network.extensions import db
from network.members.models import Member, Network
from network.outbox import CalendarPart, external_url, queue_templated_email
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.guest_tokens import make_upload_token
from network.sessions.models import AgendaItem, Invitation, Meeting, Venue, postal_address
from network.sessions.tokens import make_rsvp_token

# What a calendar email says; the calendar METHOD follows from it.
INVITATION = "invitation"
UPDATE = "update"
CANCELLATION = "cancellation"
REMINDER = "reminder"
TRAINING_PLACE = "training_place"

SUBJECT_PREFIX = {INVITATION: "Invitation", UPDATE: "Modification", CANCELLATION: "Annulation",
                  REMINDER: "Rappel", TRAINING_PLACE: "Inscription confirmée"}


@dataclass(frozen=True)
class MeetingContext:
    """What every email about a meeting needs, loaded once per send."""

    meeting: Meeting
    network: Network
    venue: Venue | None
    agenda: list[AgendaItem]


def load_context(meeting: Meeting) -> MeetingContext:
    network = db.session.get(Network, meeting.network_id)
    venue = db.session.get(Venue, meeting.venue_id) if meeting.venue_id else None
    agenda = list(db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)))
    return MeetingContext(meeting, network, venue, agenda)


def _location(venue_name: str, address: str) -> str:
    return f"{venue_name}, {address}"


def event_data(context: MeetingContext, *, attendees: tuple[Attendee, ...] = (), url: str | None = None,
               description: str | None = None, cancelled: bool | None = None) -> EventData:
    meeting, venue = context.meeting, context.venue
    return EventData(
        uid=meeting.ical_uid, sequence=meeting.ical_sequence, summary=meeting.title,
        starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        organizer_email=context.network.mailbox_email, organizer_name=context.network.name,
        location=_location(venue.name, venue.address) if venue else None,
        description=description if description is not None else meeting.description,
        url=url or external_url("sessions.meeting_detail", meeting_id=meeting.id),
        cancelled=meeting.is_cancelled if cancelled is None else cancelled, attendees=attendees,
    )


# The columns of a row of queries.feed that make its VEVENT: all but the holder's first name, so that a meeting
# is kept once per process, not once per member who holds it (300 feeds made 4,179 entries for 258 meetings).
FeedEventColumns = namedtuple("FeedEventColumns", (
    "id", "ical_uid", "ical_sequence", "title", "starts_at", "ends_at", "description", "status", "mailbox_email",
    "network_name", "venue_id", "venue_name", "street", "postal_code", "city"))


def feed_event(row: Row) -> EventData:
    """event_data() of a row of queries.feed: the same VEVENT, built once per process while the meeting's columns
    are unchanged (each of them is in the cache key)."""
    columns = FeedEventColumns._make(getattr(row, name) for name in FeedEventColumns._fields)
    return _feed_event(columns, current_app.config["PUBLIC_BASE_URL"])


@lru_cache(maxsize=8192)
def _feed_event(row: FeedEventColumns, base_url: str) -> EventData:
    return EventData(
        uid=row.ical_uid, sequence=row.ical_sequence, summary=row.title, starts_at=row.starts_at, ends_at=row.ends_at,
        organizer_email=row.mailbox_email, organizer_name=row.network_name,
        location=_location(row.venue_name, postal_address(row.street, row.postal_code, row.city))
        if row.venue_id is not None else None,
        description=row.description, url=external_url("sessions.meeting_detail", meeting_id=row.id),
        cancelled=row.status == MeetingStatus.CANCELLED,
    )


def rsvp_links(invitation: Invitation) -> dict[str, str]:
    token = make_rsvp_token(invitation)
    return {answer: external_url("sessions.rsvp_link", token=token, reponse=answer)
            for answer in (Rsvp.YES, Rsvp.NO, Rsvp.EXCUSED)}


def subject_for(kind: str, meeting: Meeting) -> str:
    when = format_datetime(meeting.starts_at, "d MMMM y")
    return f"{SUBJECT_PREFIX[kind]} : {meeting.title} — {when}"


def greeting_name(invitation: Invitation, recipient: Member | None) -> str | None:
    """The same form in every email: a member's first name, a guest's name (their job is kept apart)."""
    return recipient.first_name if recipient else invitation.guest_name


def queue_meeting_email(context: MeetingContext, invitation: Invitation, recipient: Member | None, *,
                        kind: str) -> None:
    """One email to one invited person; invitations, updates and cancellations carry the calendar, whose
    SEQUENCE (the meeting's, raised by every change, even one that concerns this person only) is kept on the
    invitation: a reply older than it is stale."""
    meeting = context.meeting
    email = recipient.email if recipient else invitation.guest_email
    links = rsvp_links(invitation) if not meeting.is_training and kind != CANCELLATION else {}
    meeting_url = external_url("sessions.meeting_detail", meeting_id=meeting.id)
    # A guest (a speaker) may send their slides once through this link (network/resources).
    upload_url = external_url("resources.guest_upload", token=make_upload_token(invitation)) \
        if recipient is None and kind in (INVITATION, UPDATE, REMINDER) else None
    calendar = None
    if kind in (INVITATION, UPDATE, CANCELLATION, TRAINING_PLACE):
        method = CANCEL if kind == CANCELLATION else REQUEST
        answer_line = f"Répondre : {links[Rsvp.YES].split('?')[0]}" if links else None
        # A training's place is taken on the site: the calendar shows it accepted, not « please reply ».
        attendee = Attendee(email, recipient.full_name if recipient else invitation.guest_name,
                            partstat="ACCEPTED" if meeting.is_training else "NEEDS-ACTION")
        data = event_data(context, attendees=(attendee,), cancelled=kind == CANCELLATION,
                          description="\n\n".join(part for part in (meeting.description, answer_line) if part))
        calendar = CalendarPart(method, build_invitation(data, method=method))
        invitation.ical_sequence = data.sequence
    queue_templated_email(
        "meeting_invitation", to=email, subject=subject_for(kind, meeting), calendar=calendar,
        reply_to=context.network.mailbox_email, kind=kind, name=greeting_name(invitation, recipient),
        is_member=recipient is not None, meeting=meeting, noun="la formation" if meeting.is_training else "la rencontre",
        network=context.network, venue=context.venue, agenda=context.agenda, links=links, meeting_url=meeting_url,
        upload_url=upload_url,
    )


def invitations_with_recipients(meeting: Meeting) -> list[tuple[Invitation, Member | None]]:
    """Everyone who holds the meeting in their calendar: active members and guests."""
    rows = db.session.execute(
        select(Invitation, Member).outerjoin(Member, Member.id == Invitation.member_id)
        .where(Invitation.meeting_id == meeting.id, Invitation.sent_at.is_not(None))
        .where((Member.id.is_(None)) | (Member.is_active.is_(True)))
        .order_by(Invitation.id)
    ).all()
    return [(invitation, member) for invitation, member in rows]


def queue_to_all(meeting: Meeting, *, kind: str) -> int:
    context = load_context(meeting)
    rows = invitations_with_recipients(meeting)
    for invitation, member in rows:
        queue_meeting_email(context, invitation, member, kind=kind)
    return len(rows)


def mark_sent(invitations: list[Invitation], now: datetime | None = None) -> None:
    stamp = now or utcnow()
    for invitation in invitations:
        invitation.sent_at = stamp
