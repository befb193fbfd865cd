"""Answers to invitations (site or signed link), named guests, reminders."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from network.audit import record_audit
from network.database import utcnow
from network.errors import Conflict, DomainError, NotAllowed
from network.extensions import db
from network.members.models import Member
from network.sessions import queries
from network.sessions.enums import MeetingStatus, Rsvp, RsvpSource
from network.sessions.models import Invitation, Meeting
from network.sessions.permissions import can_manage_meeting
from network.sessions.services import mailing
from network.sessions.tokens import read_rsvp_token

ANSWERS = (Rsvp.YES, Rsvp.NO, Rsvp.EXCUSED)


class LinkInvalid(DomainError):
    """A signed RSVP link that is tampered with, or whose meeting no longer takes answers."""


def check_answerable(meeting: Meeting, now: datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError("Cette rencontre a été annulée.")
    if meeting.ends_at <= now:
        raise DomainError("Cette rencontre est passée : il n'est plus possible d'y répondre.")
    if meeting.status != MeetingStatus.INVITED:
        raise DomainError("Les invitations à cette rencontre ne sont pas ouvertes.")


def invitation_for_token(token: str, *, now: datetime | None = None) -> Invitation:
    """The invitation behind a signed link, its member and meeting loaded (`invitation.member`,
    `invitation.meeting` with its venue and network), or LinkInvalid with the reason in French."""
    ids = read_rsvp_token(token)
    # one statement: the invitation, its member and its meeting (loaded with them, the answer then shown)
    invitation = queries.invitation_with_meeting(ids[0]) if ids else None
    if invitation is None or invitation.meeting_id != ids[1]:
        raise LinkInvalid("Ce lien de réponse n'est pas valide. Vérifiez qu'il a été copié en entier, "
                          "ou répondez depuis le site.")
    meeting = invitation.meeting
    try:
        check_answerable(meeting, now or utcnow())
    except DomainError as error:
        raise LinkInvalid(f"Ce lien ne fonctionne plus. {error}") from None
    return invitation


def answer_invitation(invitation: Invitation, *, answer: str, comment: str | None, actor: Member | None,
                      source: str = RsvpSource.SITE, now: datetime | None = None) -> None:
    """Record yes / no / excused. `actor` is the member answering, or None for a guest's signed link;
    `source` says where the answer came from (the site, the email's link)."""
    now = now or utcnow()
    if answer not in ANSWERS:
        raise DomainError("Réponse inconnue : choisissez oui, non ou excusé·e.")
    if actor is not None and invitation.member_id != actor.id:
        raise NotAllowed("Cette invitation ne vous est pas adressée.")
    meeting = db.session.get(Meeting, invitation.meeting_id)
    check_answerable(meeting, now)
    invitation.rsvp = answer
    invitation.rsvp_comment = (comment or "").strip()[:500] or None
    invitation.rsvp_source = source
    invitation.responded_at = now
    db.session.flush()


def add_guest(*, actor: Member, meeting: Meeting, name: str, email: str, job: str | None = None,
              now: datetime | None = None) -> Invitation:
    """A named guest (speaker, partner), email only; invited at once if the invitations are out.
    The job is shown beside the name, never in the greeting."""
    now = now or utcnow()
    if not can_manage_meeting(actor, meeting):
        raise NotAllowed("Seuls les co-animateurs du réseau invitent des personnes extérieures.")
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED) or meeting.starts_at <= now:
        raise DomainError("On ne peut plus inviter à cette rencontre.")
    email = email.strip().lower()
    taken = db.session.scalar(select(Invitation.id).where(
        Invitation.meeting_id == meeting.id, func.lower(Invitation.guest_email) == email))
    member_taken = db.session.scalar(select(Invitation.id).join(Member, Member.id == Invitation.member_id).where(
        Invitation.meeting_id == meeting.id, Member.email == email))
    if taken or member_taken:
        raise Conflict("Cette adresse est déjà invitée à la rencontre.")
    invitation = Invitation(meeting_id=meeting.id, guest_email=email, guest_name=name.strip(),
                            guest_job=(job or "").strip() or None)
    db.session.add(invitation)
    db.session.flush()
    if meeting.status == MeetingStatus.INVITED:
        invitation.sent_at = now
        mailing.queue_meeting_email(mailing.load_context(meeting), invitation, None, kind=mailing.INVITATION)
    record_audit(actor=actor, action="meeting.guest_add", obj=meeting, fields=["invitations"])
    return invitation


def send_reminders(*, days: int, now: datetime | None = None) -> int:
    """Remind, once, invited members who said yes or nothing, of meetings starting within `days` days."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Invitation, Member, Meeting).join(Member, Member.id == Invitation.member_id)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(Meeting.status == MeetingStatus.INVITED, Meeting.starts_at > now,
               Meeting.starts_at <= now + timedelta(days=days), Member.is_active.is_(True),
               Invitation.sent_at.is_not(None), Invitation.reminder_sent_at.is_(None),
               Invitation.rsvp.in_((Rsvp.YES, Rsvp.PENDING)))
        .order_by(Meeting.id, Invitation.id)
        .with_for_update(of=Invitation)
    ).all()
    contexts: dict[int, mailing.MeetingContext] = {}
    for invitation, member, meeting in rows:
        if meeting.id not in contexts:
            contexts[meeting.id] = mailing.load_context(meeting)
        mailing.queue_meeting_email(contexts[meeting.id], invitation, member, kind=mailing.REMINDER)
        invitation.reminder_sent_at = now
    db.session.flush()
    return len(rows)
