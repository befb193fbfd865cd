"""The meeting state machine: planned → invited → held → closed, or cancelled.

`change_meeting_status` is the only code that changes `Meeting.status`.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network.audit import record_audit
from network.calendar import to_paris
from network.database import lock_row, utcnow
from network.errors import Conflict, InvalidTransition, NotAllowed
from network.extensions import db
from network.members.models import Member
from network.outbox import external_url, queue_templated_email
from network.sessions.enums import MeetingStatus
from network.sessions.models import Invitation, Meeting
from network.sessions.permissions import can_manage_meeting
from network.sessions.services import mailing

S = MeetingStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.INVITED, S.CANCELLED}),
    S.INVITED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}


def allowed_transitions(meeting: Meeting) -> frozenset[str]:
    return TRANSITIONS[meeting.status]


def has_started_day(meeting: Meeting, now: datetime) -> bool:
    """True from the meeting's day (Paris time) on: check-in happens at the door."""
    return to_paris(now).date() >= to_paris(meeting.starts_at).date()


def change_meeting_status(meeting: Meeting, target: MeetingStatus, *, actor: Member,
                          now: datetime | None = None) -> int:
    """Check the move, apply it, record who/when, queue the emails it implies.
    Returns how many emails were queued."""
    now = now or utcnow()
    if not can_manage_meeting(actor, meeting):
        raise NotAllowed("Seuls les co-animateurs du réseau peuvent modifier cette rencontre.")
    if target not in TRANSITIONS[meeting.status]:
        raise InvalidTransition(
            f"Une rencontre « {meeting.status_label} » ne peut pas passer à l'état « {MeetingStatus(target).label} »."
        )
    if target == S.INVITED and meeting.starts_at <= now:
        raise InvalidTransition("Cette rencontre a déjà commencé : il est trop tard pour inviter.")
    if target == S.HELD and not has_started_day(meeting, now):
        raise InvalidTransition("Une rencontre ne peut être marquée comme tenue qu'à partir de son jour.")
    previous = meeting.status
    meeting.status = target
    sent = 0
    if target == S.INVITED:
        sent = _invite(meeting, actor=actor, now=now)
    elif target == S.CANCELLED and previous == S.INVITED:
        meeting.ical_sequence += 1
        sent = mailing.queue_to_all(meeting, kind=mailing.CANCELLATION)
    db.session.flush()
    record_audit(actor=actor, action=f"meeting.{target}", obj=meeting, fields=["status"])
    return sent


def send_invitations(meeting: Meeting, *, actor: Member, now: datetime | None = None) -> int:
    """Idempotent: the first call invites everyone; later calls invite only who was not yet invited
    (new members, guests added since). Returns the number of emails queued."""
    now = now or utcnow()
    _lock(meeting)
    if meeting.status == S.PLANNED:
        return change_meeting_status(meeting, S.INVITED, actor=actor, now=now)
    if meeting.status != S.INVITED:
        raise InvalidTransition(f"Une rencontre « {meeting.status_label} » ne peut plus recevoir d'invitations.")
    if not can_manage_meeting(actor, meeting):
        raise NotAllowed("Seuls les co-animateurs du réseau peuvent envoyer les invitations.")
    if meeting.starts_at <= now:
        raise InvalidTransition("Cette rencontre a déjà commencé : il est trop tard pour inviter.")
    return _invite(meeting, actor=actor, now=now)


def cancel_meeting(meeting: Meeting, *, actor: Member, now: datetime | None = None) -> int:
    _lock(meeting)
    return change_meeting_status(meeting, S.CANCELLED, actor=actor, now=now)


def _lock(meeting: Meeting) -> None:
    """Serialize concurrent sends of one meeting (row lock on PostgreSQL, write lock on SQLite)."""
    lock_row(Meeting, meeting.id)


def _invite(meeting: Meeting, *, actor: Member, now: datetime) -> int:
    if meeting.is_training:
        return _announce_training(meeting, now=now)
    already = select(Invitation.member_id).where(Invitation.meeting_id == meeting.id,
                                                 Invitation.member_id.is_not(None))
    members = list(db.session.scalars(
        select(Member).where(Member.network_id == meeting.network_id, Member.is_active.is_(True),
                             Member.id.not_in(already)).order_by(Member.id)))
    new = [Invitation(meeting_id=meeting.id, member_id=member.id, sent_at=now) for member in members]
    guests = list(db.session.scalars(
        select(Invitation).where(Invitation.meeting_id == meeting.id, Invitation.guest_email.is_not(None),
                                 Invitation.sent_at.is_(None))))
    try:
        with db.session.begin_nested():
            db.session.add_all(new)
            mailing.mark_sent(guests, now)
            db.session.flush()
    except IntegrityError:
        raise Conflict("Les invitations sont en cours d'envoi par ailleurs : rechargez la page.") from None
    context = mailing.load_context(meeting)
    for invitation, member in [*zip(new, members, strict=True), *((guest, None) for guest in guests)]:
        mailing.queue_meeting_email(context, invitation, member, kind=mailing.INVITATION)
    if new or guests:
        record_audit(actor=actor, action="meeting.invitations_sent", obj=meeting, fields=["invitations"])
    return len(new) + len(guests)


def _announce_training(meeting: Meeting, *, now: datetime) -> int:
    """Opening a training's registrations: a plain announcement; the calendar comes with a place."""
    context = mailing.load_context(meeting)
    members = list(db.session.scalars(
        select(Member).where(Member.network_id == meeting.network_id, Member.is_active.is_(True)).order_by(Member.id)))
    url = external_url("sessions.meeting_detail", meeting_id=meeting.id)
    for member in members:
        queue_templated_email(
            "training_announcement", to=member.email, subject=f"Formation mutualisée : {meeting.title}",
            reply_to=context.network.mailbox_email, name=member.first_name, meeting=meeting,
            network=context.network, venue=context.venue, meeting_url=url)
    return len(members)
