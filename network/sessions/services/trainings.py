"""Pooled trainings: registration, waitlist, automatic promotion when a place frees up.

A confirmed place comes with an Invitation (rsvp yes) and the calendar invitation;
the waitlist does not, until promotion.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from network.audit import record_audit
from network.database import lock_row, utcnow
from network.errors import Conflict, DomainError, NotAllowed
from network.extensions import db
from network.members.models import Member
from network.sessions.enums import MeetingStatus, RegistrationStatus, Rsvp, RsvpSource
from network.sessions.models import Invitation, Meeting, Registration
from network.sessions.permissions import can_register
from network.sessions.services import mailing

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED


def _confirmed_count(meeting: Meeting) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.meeting_id == meeting.id, Registration.status == CONFIRMED))


def waitlist_position(registration: Registration) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.meeting_id == registration.meeting_id, Registration.status == WAITLISTED,
        (Registration.registered_at < registration.registered_at)
        | ((Registration.registered_at == registration.registered_at) & (Registration.id <= registration.id))))


def _give_place(meeting: Meeting, member: Member, now: datetime) -> None:
    invitation = Invitation(meeting_id=meeting.id, member_id=member.id, rsvp=Rsvp.YES, rsvp_source=RsvpSource.SITE,
                            responded_at=now, sent_at=now)
    db.session.add(invitation)
    # A change for one attendee still raises SEQUENCE: after a withdrawal's CANCEL, a new REQUEST must be newer.
    meeting.ical_sequence += 1
    db.session.flush()
    mailing.queue_meeting_email(mailing.load_context(meeting), invitation, member, kind=mailing.TRAINING_PLACE)


def register(*, actor: Member, meeting: Meeting, now: datetime | None = None) -> Registration:
    """A place if one is left, else the waitlist (the caller tells which)."""
    now = now or utcnow()
    if not can_register(actor, meeting):
        raise NotAllowed("Vous ne pouvez pas vous inscrire à cette formation.")
    if meeting.status != MeetingStatus.INVITED:
        raise DomainError("Les inscriptions à cette formation ne sont pas ouvertes.")
    if meeting.starts_at <= now:
        raise DomainError("Cette formation a déjà commencé.")
    lock_row(Meeting, meeting.id)  # the place count below must see every committed registration
    full = meeting.capacity is not None and _confirmed_count(meeting) >= meeting.capacity
    registration = Registration(meeting_id=meeting.id, member_id=actor.id, registered_at=now,
                                status=WAITLISTED if full else CONFIRMED)
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            db.session.flush()
    except IntegrityError:
        raise Conflict("Vous êtes déjà inscrit·e à cette formation.") from None
    if not full:
        _give_place(meeting, actor, now)
    record_audit(actor=actor, action=f"training.{registration.status}", obj=meeting, fields=["registrations"])
    return registration


def unregister(*, actor: Member, meeting: Meeting, now: datetime | None = None) -> list[Member]:
    """Withdraw; a freed place goes to the first on the waitlist. Returns who was promoted."""
    now = now or utcnow()
    if meeting.starts_at <= now or meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        raise DomainError("Il n'est plus possible de se désinscrire de cette formation.")
    lock_row(Meeting, meeting.id)  # the place count below must see every committed registration
    registration = db.session.scalar(select(Registration).where(Registration.meeting_id == meeting.id,
                                                                Registration.member_id == actor.id))
    if registration is None:
        raise DomainError("Vous n'êtes pas inscrit·e à cette formation.")
    was_confirmed = registration.status == CONFIRMED
    db.session.delete(registration)
    if was_confirmed:
        invitation = db.session.scalar(select(Invitation).where(Invitation.meeting_id == meeting.id,
                                                                Invitation.member_id == actor.id))
        if invitation is not None:
            # The withdrawn person's calendar drops the event (a newer SEQUENCE than their REQUEST); everyone
            # else's is unchanged.
            meeting.ical_sequence += 1
            mailing.queue_meeting_email(mailing.load_context(meeting), invitation, actor, kind=mailing.CANCELLATION)
            db.session.delete(invitation)
    db.session.flush()
    record_audit(actor=actor, action="training.withdraw", obj=meeting, fields=["registrations"])
    return promote_waitlist(meeting, now=now) if was_confirmed else []


def promote_waitlist(meeting: Meeting, *, now: datetime | None = None) -> list[Member]:
    """Fill free places from the waitlist, first come first served."""
    now = now or utcnow()
    if not meeting.is_training or meeting.status != MeetingStatus.INVITED:
        return []
    free = None if meeting.capacity is None else meeting.capacity - _confirmed_count(meeting)
    query = (select(Registration, Member).join(Member, Member.id == Registration.member_id)
             .where(Registration.meeting_id == meeting.id, Registration.status == WAITLISTED)
             .order_by(Registration.registered_at, Registration.id))
    if free is not None:
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = []
    for registration, member in db.session.execute(query).all():
        registration.status = CONFIRMED
        registration.promoted_at = now
        _give_place(meeting, member, now)
        promoted.append(member)
    return promoted
