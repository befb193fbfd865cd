"""Changing a member's email address (DESIGN.md §7, issue #14 §1). Verb functions; they never commit.

An address is an identity attribute: once an account is activated, nobody else changes it on their own.
- A facilitator's (or an admin's) correction waits for the member's approval, from a link sent to the current
  address or signed in; then the new address verifies it from a link sent there; only then it takes effect.
- The member changes their own address after re-entering the password; the new address verifies it.
- An admin may force a change for a member who lost the old address: both addresses are told, and it takes
  effect after EMAIL_CHANGE_FORCED_DELAY, during which the member may cancel it (link to the old address, or
  signed in). `apply_due_email_changes` applies it: lazily at login and reset, and from cron.
When a change takes effect the old address is told, every login session but the current one ends, and every
reset or activation link dies (their tokens carry a fingerprint of the address, see tokens.py).
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.audit import record_audit
from network.database import utcnow
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members import permissions, tokens
from network.members.enums import EmailChangeKind, EmailChangeStatus, OPEN_EMAIL_CHANGE_STATUSES
from network.members.models import EmailChange, LoginSession, Member, Network
from network.members.passwords import verify_password
from network.outbox import external_url, queue_templated_email
from network.throttle import is_throttled, record_event

WRONG_PASSWORD_LIMIT = 5
# The statuses in which each emailed link acts (a link also dies as soon as its change moves on).
LINK_STATUSES = {
    "approve": {EmailChangeStatus.AWAITING_APPROVAL},
    "refuse": {EmailChangeStatus.AWAITING_APPROVAL},
    "verify": {EmailChangeStatus.AWAITING_VERIFICATION},
    "cancel": {EmailChangeStatus.SCHEDULED},
}  # wrong passwords on the change form per member and window
Status = EmailChangeStatus


def normalize_email(email: str) -> str:
    return email.strip().lower()


def open_change_of(member: Member, *, with_requester: bool = False) -> EmailChange | None:
    query = select(EmailChange).where(EmailChange.member_id == member.id,
                                      EmailChange.status.in_(OPEN_EMAIL_CHANGE_STATUSES))
    if with_requester:
        query = query.options(joinedload(EmailChange.requested_by))
    return db.session.scalar(query)


def _audit(change: EmailChange, member: Member, action: str, *, actor: Member | None) -> None:
    record_audit(actor=actor, action=f"member.email_change.{action}", obj=member, fields=["email"],
                 network_id=member.network_id)


def _check_new_address(member: Member, new_email: str) -> None:
    if new_email == member.email:
        raise DomainError("C'est déjà l'adresse de ce compte.")
    taken = db.session.scalar(select(Member.id).where(Member.email == new_email, Member.id != member.id))
    if taken is not None:
        raise Conflict("Un compte existe déjà avec cette adresse e-mail.")


def _open(member: Member, new_email: str, *, kind: EmailChangeKind, status: Status, actor: Member | None,
          now: datetime) -> EmailChange:
    """A new change on its way; any earlier one is superseded (its links die with its status)."""
    earlier = open_change_of(member)
    if earlier is not None:
        earlier.status, earlier.closed_at = Status.SUPERSEDED, now
        db.session.flush()  # one open change per member: the unique index checks it at the insert
        _audit(earlier, member, "supersede", actor=actor)
    change = EmailChange(member_id=member.id, requested_by_id=actor.id if actor is not None else None, kind=kind,
                         status=status, old_email=member.email, new_email=new_email, created_at=now)
    db.session.add(change)
    db.session.flush()
    _audit(change, member, "request" if kind != EmailChangeKind.FORCED else "force", actor=actor)
    return change


def _link(change: EmailChange, member: Member, action: str) -> str:
    return external_url("members.email_change_link", word=tokens.EMAIL_CHANGE_URL_WORDS[action],
                        token=tokens.make_email_change_token(change, member, action))


def _network_of(member: Member) -> Network | None:
    return db.session.get(Network, member.network_id) if member.network_id else None


def _valid_days() -> int:
    return tokens.EMAIL_CHANGE_MAX_AGE.days


def _queue_verification(change: EmailChange, member: Member) -> None:
    queue_templated_email("email_change_verify", to=change.new_email,
                          subject="Confirmez votre nouvelle adresse e-mail — Réseau",
                          member=member, change=change, link=_link(change, member, "verify"), valid_days=_valid_days())


# --- requests --------------------------------------------------------------------------------------------

def propose_email_correction(member: Member, new_email: str, *, actor: Member,
                             now: datetime | None = None) -> EmailChange:
    """A facilitator's or an admin's correction of an activated member's address: the member approves it first."""
    now = now or utcnow()
    if not permissions.can_correct_email(actor, member):
        raise NotAllowed("Vous ne pouvez pas modifier l'adresse de ce membre.")
    new_email = normalize_email(new_email)
    _check_new_address(member, new_email)
    change = _open(member, new_email, kind=EmailChangeKind.CORRECTION, status=Status.AWAITING_APPROVAL, actor=actor,
                   now=now)
    queue_templated_email("email_change_approve", to=member.email,
                          subject="Changement de votre adresse e-mail\u202f: votre accord est nécessaire — Réseau",
                          member=member, change=change, requested_by=actor, network=_network_of(member),
                          approve_link=_link(change, member, "approve"), refuse_link=_link(change, member, "refuse"),
                          valid_days=_valid_days())
    return change


def request_own_email_change(member: Member, new_email: str, *, password: str,
                             now: datetime | None = None) -> EmailChange:
    """The member's own change, password re-entered: the new address verifies it."""
    now = now or utcnow()
    window = current_app.config["LOGIN_THROTTLE_WINDOW"]
    key = f"member-{member.id}"
    if is_throttled("email-change-password", key, limit=WRONG_PASSWORD_LIMIT, window=window):
        raise NotAllowed("Trop d'essais de mot de passe. Patientez quelques minutes avant de réessayer.")
    if not verify_password(member.password_hash, password):
        record_event("email-change-password", key)
        raise DomainError("Mot de passe incorrect.")
    new_email = normalize_email(new_email)
    _check_new_address(member, new_email)
    change = _open(member, new_email, kind=EmailChangeKind.SELF, status=Status.AWAITING_VERIFICATION, actor=member,
                   now=now)
    change.approved_at = now
    _queue_verification(change, member)
    return change


def force_email_change(member: Member, new_email: str, *, actor: Member, now: datetime | None = None) -> EmailChange:
    """An admin's change for a member who lost the old address: told to both, effective after the delay."""
    now = now or utcnow()
    if not permissions.can_force_email_change(actor, member):
        raise NotAllowed("Seul un administrateur peut imposer un changement d'adresse.")
    new_email = normalize_email(new_email)
    _check_new_address(member, new_email)
    change = _open(member, new_email, kind=EmailChangeKind.FORCED, status=Status.SCHEDULED, actor=actor, now=now)
    change.effective_at = now + current_app.config["EMAIL_CHANGE_FORCED_DELAY"]
    context = {"member": member, "change": change, "requested_by": actor,
               "delay_hours": int(current_app.config["EMAIL_CHANGE_FORCED_DELAY"].total_seconds() // 3600)}
    queue_templated_email("email_change_forced_old", to=member.email,
                          subject="Votre adresse e-mail va être remplacée — Réseau",
                          cancel_link=_link(change, member, "cancel"), **context)
    queue_templated_email("email_change_forced_new", to=new_email,
                          subject="Cette adresse va devenir celle de votre compte Réseau", **context)
    return change


# --- decisions ------------------------------------------------------------------------------------------

def _require_status(change: EmailChange, *allowed: Status) -> None:
    if change.status not in allowed:
        raise InvalidTransition("Ce changement d'adresse n'est plus en attente.")


def _require_member(change: EmailChange, actor: Member | None) -> None:
    """Signed in, only the member themself decides; a link (actor None) proves the address that received it."""
    if actor is not None and actor.id != change.member_id:
        raise NotAllowed("Seul·e le ou la titulaire du compte peut décider de ce changement.")


def approve_email_change(change: EmailChange, member: Member, *, actor: Member | None,
                         now: datetime | None = None) -> None:
    """The member agrees to a correction: the new address is then asked to verify it."""
    _require_member(change, actor)
    _require_status(change, Status.AWAITING_APPROVAL)
    change.status, change.approved_at = Status.AWAITING_VERIFICATION, now or utcnow()
    _audit(change, member, "approve", actor=member)
    _queue_verification(change, member)


def refuse_email_change(change: EmailChange, member: Member, *, actor: Member | None,
                        now: datetime | None = None) -> None:
    """The member contests a correction, or cancels any change on its way (a forced one included)."""
    _require_member(change, actor)
    _require_status(change, *OPEN_EMAIL_CHANGE_STATUSES)
    action = "refuse" if change.status == Status.AWAITING_APPROVAL else "cancel"
    change.status = Status.REFUSED if action == "refuse" else Status.CANCELLED
    change.closed_at = now or utcnow()
    _audit(change, member, action, actor=member)


def verify_email_change(change: EmailChange, member: Member, *, keep_login_token: str | None = None,
                        now: datetime | None = None) -> None:
    """The new address confirms (from the link sent there): the change takes effect."""
    _require_status(change, Status.AWAITING_VERIFICATION)
    _apply(change, member, keep_login_token=keep_login_token, now=now or utcnow())
    _audit(change, member, "verify", actor=member)


def _apply(change: EmailChange, member: Member, *, keep_login_token: str | None, now: datetime) -> None:
    taken = db.session.scalar(select(Member.id).where(Member.email == change.new_email, Member.id != member.id))
    if taken is not None:
        raise Conflict("Un autre compte utilise déjà cette adresse\u202f: le changement ne peut pas se faire.")
    old_email = member.email
    member.email = change.new_email  # every reset and activation link dies with the fingerprint
    change.status, change.closed_at = Status.DONE, now
    sessions = LoginSession.__table__
    ended = sessions.update().where(sessions.c.member_id == member.id, sessions.c.revoked_at.is_(None))
    if keep_login_token:
        ended = ended.where(sessions.c.token != keep_login_token)
    db.session.execute(ended.values(revoked_at=now))
    queue_templated_email("email_change_done", to=old_email, subject="Votre adresse e-mail a changé — Réseau",
                          member=member, change=change, network=_network_of(member))


def apply_due_email_changes(*, now: datetime | None = None) -> int:
    """Apply the forced changes whose delay is over; the number applied. Lazy (login, reset) and from cron."""
    now = now or utcnow()
    due = db.session.scalars(select(EmailChange).where(EmailChange.status == Status.SCHEDULED,
                                                       EmailChange.effective_at <= now)).all()
    applied = 0
    for change in due:
        member = db.session.get(Member, change.member_id)
        try:
            _apply(change, member, keep_login_token=None, now=now)
        except Conflict:
            change.status, change.closed_at = Status.CANCELLED, now
            _audit(change, member, "conflict", actor=None)
            continue
        _audit(change, member, "apply", actor=None)
        applied += 1
    return applied


def change_for_link(token: str, action: str) -> tuple[EmailChange, Member] | None:
    """The change and member behind an emailed link, while the link is still good; else None."""
    found = tokens.read_email_change_token(token, action)
    if found is None:
        return None
    change = db.session.get(EmailChange, found[0])
    if change is None or change.status != found[1] or change.status not in LINK_STATUSES[action]:
        return None
    member = db.session.get(Member, change.member_id)
    if member is None or not member.is_active or tokens.password_fingerprint(member) != found[2]:
        return None
    return change, member
