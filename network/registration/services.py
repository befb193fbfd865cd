"""Verb functions for join requests. They never commit.

The life of a request: submitted (unconfirmed) → address confirmed (pending)
→ approved or declined by a facilitator of the network. Unconfirmed requests
expire after 7 days and are deleted; decided ones are deleted 30 days after
the decision (the member account keeps what an approval copied into it).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from network.audit import record_audit, set_changed
from network.database import utcnow
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members import tokens
from network.members.enums import InstitutionKind, Role
from network.members.models import Institution, Member, Network, Territory
from network.members.services import MemberData, add_institution, create_member, member_by_email, normalize_email
from network.outbox import external_url, queue_templated_email
from network.registration import permissions
from network.registration.enums import OPEN_STATUSES, JoinRequestStatus
from network.registration.models import JoinRequest
from network.throttle import is_throttled, record_event

CONFIRMATION_DAYS = 7
DECIDED_RETENTION_DAYS = 30
# Valid submissions per IP address and per hour; mails per address and per day.
MAX_SUBMISSIONS_PER_IP = 5
MAX_EMAILS_PER_ADDRESS = 3

Status = JoinRequestStatus


class JoinThrottled(DomainError):
    """Too many join requests from one IP address within the window; the message asks to wait."""


class SubmitOutcome(StrEnum):
    """What submit_join_request did; for logs and tests only — the visitor always sees the same page."""

    CREATED = "created"
    CONFIRMATION_RESENT = "confirmation_resent"
    ALREADY_PENDING = "already_pending"
    ALREADY_MEMBER = "already_member"
    SILENCED = "silenced"  # too many emails to this address already
    BOT = "bot"


@dataclass
class JoinRequestData:
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    institution_id: int | None = None
    institution_name: str | None = None
    institution_kind: str | None = None
    territory_id: int | None = None
    is_associated_operator: bool = False


def _setting(name: str, default):
    return current_app.config.get(name, default)


def confirmation_window() -> timedelta:
    return timedelta(days=_setting("JOIN_CONFIRMATION_DAYS", CONFIRMATION_DAYS))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_confirmation_token(join_request: JoinRequest) -> str:
    token = secrets.token_urlsafe(32)
    join_request.confirmation_digest = _digest(token)
    return token


# --- submitting and confirming ------------------------------------------------------------------

def submit_join_request(*, actor=None, network: Network, data: JoinRequestData, ip_address: str,
                        honeypot: str = "") -> SubmitOutcome:
    """Record a request and email a confirmation link. Duplicates, known members and bots get
    the same visible result as a new request; only the mailbox owner learns more, by email."""
    if is_throttled("join-ip", ip_address, limit=_setting("JOIN_MAX_SUBMISSIONS_PER_IP", MAX_SUBMISSIONS_PER_IP),
                    window=timedelta(hours=1)):
        raise JoinThrottled("Trop de demandes envoyées depuis votre connexion. Patientez une heure avant de "
                            "réessayer, ou écrivez aux co-animateurs du réseau.")
    record_event("join-ip", ip_address)
    if honeypot.strip():
        return SubmitOutcome.BOT
    purge_expired_requests()
    _check_references(network, data)  # before any lookup, so a tampered form reveals nothing either
    email = normalize_email(data.email)
    if is_throttled("join-email", email, limit=_setting("JOIN_MAX_EMAILS_PER_ADDRESS", MAX_EMAILS_PER_ADDRESS),
                    window=timedelta(days=1)):
        return SubmitOutcome.SILENCED
    record_event("join-email", email)
    member = member_by_email(email)
    if member is not None:
        _queue_already_member(member, network=network)
        return SubmitOutcome.ALREADY_MEMBER
    existing = _open_request_for(email)
    if existing is not None:
        return _remind(existing)
    token = secrets.token_urlsafe(32)
    join_request = _build_request(network, data, email, digest=_digest(token))
    try:
        with db.session.begin_nested():
            db.session.add(join_request)
    except IntegrityError:  # the same address was submitted concurrently: treat as a duplicate
        existing = _open_request_for(email)
        return _remind(existing) if existing is not None else SubmitOutcome.SILENCED
    _queue_confirmation(join_request, network=network, token=token)
    return SubmitOutcome.CREATED


def _request_values(data: JoinRequestData) -> dict:
    """What a request records of the form (all but the address): trimmed, an employer typed only when none of
    the list was chosen."""
    typed_name = None if data.institution_id else (data.institution_name or "").strip() or None
    return dict(first_name=data.first_name.strip(), last_name=data.last_name.strip(), phone=data.phone.strip(),
                job_title=data.job_title.strip(), institution_id=data.institution_id, institution_name=typed_name,
                institution_kind=InstitutionKind(data.institution_kind) if typed_name else None,
                territory_id=data.territory_id, is_associated_operator=data.is_associated_operator)


def _build_request(network: Network, data: JoinRequestData, email: str, *, digest: str) -> JoinRequest:
    return JoinRequest(network_id=network.id, status=Status.UNCONFIRMED, email=email, **_request_values(data),
                       privacy_accepted_at=utcnow(), confirmation_digest=digest)


def update_join_request(join_request: JoinRequest, *, actor: Member, data: JoinRequestData) -> list[str]:
    """A facilitator corrects a pending request before accepting it (name, phone, job, employer, territory);
    the confirmed address stays. Returns the names of the fields that changed (audited, never their values)."""
    if not permissions.can_decide_join_request(actor, join_request):
        raise NotAllowed("Seuls les co-animateurs du réseau modifient ses demandes d'adhésion.")
    if join_request.status != Status.PENDING:
        raise InvalidTransition("Seule une demande en attente de décision peut être modifiée.")
    _check_references(db.session.get(Network, join_request.network_id), data)
    changed = set_changed(join_request, **_request_values(data))
    if changed:
        record_audit(actor=actor, action="join_request.update", obj=join_request, fields=changed)
    db.session.flush()
    return changed


def _check_references(network: Network, data: JoinRequestData) -> None:
    if data.institution_id is None and not (data.institution_name or "").strip():
        raise DomainError("Indiquez votre institution employeuse.")
    if not data.is_associated_operator and data.territory_id is None:
        raise DomainError("Choisissez votre territoire, ou indiquez que vous êtes opérateur associé.")
    for model, ident, label in ((Institution, data.institution_id, "Cette institution"),
                                (Territory, data.territory_id, "Ce territoire")):
        if ident is not None and db.session.scalar(select(model.network_id).where(model.id == ident)) != network.id:
            raise DomainError(f"{label} n'appartient pas au réseau choisi.")


def _open_request_for(email: str) -> JoinRequest | None:
    return db.session.scalar(select(JoinRequest).where(JoinRequest.email == email,
                                                       JoinRequest.status.in_(OPEN_STATUSES)))


def _remind(existing: JoinRequest) -> SubmitOutcome:
    network = db.session.get(Network, existing.network_id)
    if existing.status == Status.UNCONFIRMED:
        _queue_confirmation(existing, network=network, token=_new_confirmation_token(existing))
        return SubmitOutcome.CONFIRMATION_RESENT
    queue_templated_email("join_already_pending", to=existing.email, reply_to=network.mailbox_email,
                          subject=f"Votre demande d'adhésion est en cours d'examen — {network.name}",
                          join_request=existing, network=network)
    return SubmitOutcome.ALREADY_PENDING


def _queue_confirmation(join_request: JoinRequest, *, network: Network, token: str) -> None:
    queue_templated_email(
        "join_confirm", to=join_request.email, reply_to=network.mailbox_email,
        subject=f"Confirmez votre adresse pour rejoindre le réseau — {network.name}",
        join_request=join_request, network=network, valid_days=confirmation_window().days,
        link=external_url("registration.confirm_email", token=token),
    )


def _queue_already_member(member: Member, *, network: Network) -> None:
    queue_templated_email(
        "join_already_member", to=member.email, reply_to=network.mailbox_email,
        subject="Vous avez déjà un compte sur Réseau", member=member, network=network,
        login_link=external_url("members.login"), reset_link=external_url("members.password_forgot"),
    )


def join_request_for_token(token: str, *, now: datetime | None = None) -> JoinRequest | None:
    """The unconfirmed, unexpired request this confirmation link belongs to, else None."""
    join_request = db.session.scalar(select(JoinRequest).where(JoinRequest.confirmation_digest == _digest(token)))
    if join_request is None or join_request.status != Status.UNCONFIRMED:
        return None
    if join_request.created_at <= (now or utcnow()) - confirmation_window():
        return None
    return join_request


def confirm_join_request(join_request: JoinRequest, *, actor=None) -> None:
    change_join_request_state(join_request, Status.PENDING, actor=actor)


# --- deciding ----------------------------------------------------------------------------------

def approve_join_request(join_request: JoinRequest, *, actor: Member) -> Member:
    """Create the active coordinator account (and the typed institution if needed), then notify."""
    check_move(join_request, Status.APPROVED, actor=actor)
    network = db.session.get(Network, join_request.network_id)
    institution_id = join_request.institution_id or _institution_for(join_request, network=network, actor=actor)
    try:
        member = create_member(actor=actor, network=network, send_invitation=False, data=MemberData(
            first_name=join_request.first_name, last_name=join_request.last_name, email=join_request.email,
            role=Role.COORDINATOR, phone=join_request.phone, job_title=join_request.job_title,
            institution_id=institution_id, territory_id=join_request.territory_id,
            is_associated_operator=join_request.is_associated_operator,
        ))
    except Conflict:
        raise Conflict(f"Un compte existe déjà pour {join_request.email} : refusez cette demande "
                       "en l'indiquant à la personne.") from None
    join_request.member_id = member.id
    change_join_request_state(join_request, Status.APPROVED, actor=actor)
    return member


def _institution_for(join_request: JoinRequest, *, network: Network, actor: Member) -> int | None:
    if not join_request.institution_name:
        return None
    found = db.session.scalar(select(Institution.id).where(
        Institution.network_id == network.id, func.lower(Institution.name) == join_request.institution_name.lower()))
    if found is not None:
        return found
    kind = InstitutionKind(join_request.institution_kind or InstitutionKind.PARTNER)
    return add_institution(actor=actor, network=network, name=join_request.institution_name, kind=kind).id


def decline_join_request(join_request: JoinRequest, *, actor: Member, message: str | None = None) -> None:
    change_join_request_state(join_request, Status.DECLINED, actor=actor, message=message)


# --- the state machine -----------------------------------------------------------------------------

TRANSITIONS = {
    (Status.UNCONFIRMED, Status.PENDING): "join_request.confirm",
    (Status.PENDING, Status.APPROVED): "join_request.approve",
    (Status.PENDING, Status.DECLINED): "join_request.decline",
}


def check_move(join_request: JoinRequest, target: Status, *, actor: Member | None) -> str:
    """The audit action of a legal move; raises otherwise."""
    action = TRANSITIONS.get((join_request.status, target))
    if action is None:
        raise InvalidTransition("Cette demande a déjà été traitée." if join_request.status in
                                (Status.APPROVED, Status.DECLINED) else "Cette action n'est pas possible.")
    if target in (Status.APPROVED, Status.DECLINED) and (
            actor is None or not permissions.can_decide_join_request(actor, join_request)):
        raise NotAllowed("Seuls les co-animateurs de ce réseau peuvent traiter cette demande.")
    return action


def change_join_request_state(join_request: JoinRequest, target: Status, *, actor: Member | None,
                              message: str | None = None) -> None:
    """The only place a request changes state: checks the move, records who and when, queues the mail."""
    action = check_move(join_request, target, actor=actor)
    if target == Status.APPROVED and join_request.member_id is None:
        raise InvalidTransition("Le compte du nouveau membre doit être créé avant l'acceptation.")
    now = utcnow()
    network = db.session.get(Network, join_request.network_id)
    join_request.status = target
    if target == Status.PENDING:
        join_request.confirmed_at = now
        join_request.confirmation_digest = None  # the link works once
        _queue_new_request_notices(join_request, network=network)
    else:
        join_request.decided_at = now
        join_request.decided_by_id = actor.id
        join_request.decision_message = (message or "").strip() or None
        _queue_decision(join_request, network=network, actor=actor)
    db.session.flush()
    record_audit(actor=actor, action=action, obj=join_request, fields=["status"], network_id=network.id)


def _queue_new_request_notices(join_request: JoinRequest, *, network: Network) -> None:
    facilitators = db.session.scalars(select(Member).where(
        Member.network_id == network.id, Member.role == Role.FACILITATOR, Member.is_active.is_(True),
    ).order_by(Member.id))
    link = external_url("registration.request_queue")
    institution = db.session.get(Institution, join_request.institution_id) if join_request.institution_id else None
    employer = institution.name if institution else join_request.institution_name
    for facilitator in facilitators:
        queue_templated_email(
            "join_new_request", to=facilitator.email, reply_to=join_request.email,
            subject=f"Nouvelle demande d'adhésion : {join_request.full_name}",
            join_request=join_request, network=network, facilitator=facilitator, link=link, employer=employer,
        )


def _queue_decision(join_request: JoinRequest, *, network: Network, actor: Member) -> None:
    if join_request.status == Status.APPROVED:
        member = db.session.get(Member, join_request.member_id)
        token = tokens.make_password_token(member, tokens.PASSWORD_SETUP)
        queue_templated_email(
            "join_approved", to=member.email, reply_to=network.mailbox_email,
            subject=f"Bienvenue dans le réseau — {network.name}", member=member, network=network, decided_by=actor,
            link=external_url("members.password_set", purpose="activation", token=token),
            valid_days=current_app.config["PASSWORD_SETUP_MAX_AGE"].days,
        )
    else:
        queue_templated_email(
            "join_declined", to=join_request.email, reply_to=network.mailbox_email,
            subject=f"Votre demande d'adhésion — {network.name}", join_request=join_request, network=network,
            decided_by=actor,
        )


# --- retention -----------------------------------------------------------------------------------

def purge_expired_requests(*, now: datetime | None = None) -> int:
    """Delete unconfirmed requests older than the confirmation window and requests decided over
    30 days ago. Returns how many rows went."""
    now = now or utcnow()
    retention = timedelta(days=_setting("JOIN_DECIDED_RETENTION_DAYS", DECIDED_RETENTION_DAYS))
    expired = delete(JoinRequest).where(or_(
        and_(JoinRequest.status == Status.UNCONFIRMED, JoinRequest.created_at <= now - confirmation_window()),
        and_(JoinRequest.status.in_((Status.APPROVED, Status.DECLINED)), JoinRequest.decided_at <= now - retention),
    ))
    return db.session.execute(expired).rowcount or 0
