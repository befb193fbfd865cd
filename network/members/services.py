"""Verb functions for networks, members and accounts. They never commit."""

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from network.audit import record_audit, set_changed
from network.database import utcnow
from network.errors import Conflict, DomainError, NotAllowed
from network.extensions import db
from network.formatting import plural
from network.members import email_changes, history, permissions, tokens
from network.members.email_changes import normalize_email
from network.members.enums import InstitutionKind, Role
from network.members.models import Institution, LoginSession, Member, MembershipPeriod, Network, Territory
from network.members.passwords import hash_password, password_problems, verify_password
from network.outbox import external_url, queue_templated_email
from network.throttle import (
    clear_events, clear_events_starting_with, count_recent, is_throttled, recent_stats, record_event, serialize_on,
    source_key,
)

MEMBER_FIELDS = ("first_name", "last_name", "email", "phone", "job_title", "role", "institution_id",
                 "territory_id", "is_associated_operator", "joined_on")
PROFILE_FIELDS = ("first_name", "last_name", "phone", "job_title", "institution_id", "territory_id")


class LoginThrottled(DomainError):
    """Too many failed logins from this source (or on this account): the message says how long to wait."""


def member_by_email(email: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.email == normalize_email(email)))


def email_taken(email: str, *, excluding: Member | None = None) -> bool:
    query = select(Member.id).where(Member.email == normalize_email(email))
    if excluding is not None:
        query = query.where(Member.id != excluding.id)
    return db.session.scalar(query) is not None


# --- networks and reference data -------------------------------------------------------------

def create_network(*, actor: Member, name: str, slug: str, department_code: str, mailbox_email: str) -> Network:
    if not permissions.can_manage_networks(actor):
        raise NotAllowed("Seul un administrateur peut créer un réseau.")
    if db.session.scalar(select(Network.id).where(Network.slug == slug)) is not None:
        raise Conflict("Un réseau utilise déjà cet identifiant.")
    network = Network(name=name.strip(), slug=slug, department_code=department_code.strip().upper(),
                      mailbox_email=normalize_email(mailbox_email))
    db.session.add(network)
    db.session.flush()
    record_audit(actor=actor, action="network.create", obj=network, network_id=network.id)
    return network


def _require_manager(actor: Member, network: Network, item: Institution | Territory | None = None) -> None:
    if not permissions.can_manage_members(actor, network) or (item is not None and item.network_id != network.id):
        raise NotAllowed("Vous ne pouvez pas modifier ce réseau.")


def _check_name_free(model, network_id: int, name: str, message: str, *, exclude_id: int | None = None) -> None:
    """Institution and territory names are unique in a network, whatever their case."""
    query = select(model.id).where(model.network_id == network_id, func.lower(model.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise Conflict(message)


def add_institution(*, actor: Member, network: Network, name: str, kind: InstitutionKind) -> Institution:
    _require_manager(actor, network)
    _check_name_free(Institution, network.id, name, "Cette institution existe déjà dans le réseau.")
    institution = Institution(network_id=network.id, name=name.strip(), kind=kind)
    db.session.add(institution)
    db.session.flush()
    record_audit(actor=actor, action="institution.create", obj=institution)
    return institution


def add_territory(*, actor: Member, network: Network, name: str, siren: str | None) -> Territory:
    _require_manager(actor, network)
    _check_name_free(Territory, network.id, name, "Ce territoire existe déjà dans le réseau.")
    territory = Territory(network_id=network.id, name=name.strip(), siren=siren or None)
    db.session.add(territory)
    db.session.flush()
    record_audit(actor=actor, action="territory.create", obj=territory)
    return territory


def _delete_unused(item: Institution | Territory, member_column, *, actor: Member, network: Network, action: str,
                   message: str) -> None:
    """Delete an institution or territory no member refers to, even a former one: the indicators break attendance
    down by them. `message` ({members}) refuses otherwise."""
    _require_manager(actor, network, item)
    # current members, and members whose membership history refers to it (meetings counted under it)
    period_column = getattr(MembershipPeriod, member_column.key)
    users = db.session.scalar(select(func.count()).select_from(
        select(Member.id).where(member_column == item.id)
        .union(select(MembershipPeriod.member_id).where(period_column == item.id)).subquery()))
    if users:
        raise Conflict(message.format(members=plural(users, "membre")))
    record_audit(actor=actor, action=action, obj=item)
    db.session.delete(item)


def update_institution(institution: Institution, *, actor: Member, network: Network, name: str,
                       kind: InstitutionKind) -> None:
    _require_manager(actor, network, institution)
    _check_name_free(Institution, network.id, name, "Une autre institution du réseau porte déjà ce nom.",
                     exclude_id=institution.id)
    changed = set_changed(institution, name=name.strip(), kind=kind)
    record_audit(actor=actor, action="institution.update", obj=institution, fields=changed)


def delete_institution(institution: Institution, *, actor: Member, network: Network) -> None:
    _delete_unused(institution, Member.institution_id, actor=actor, network=network, action="institution.delete",
                   message="Cette institution est celle de {members}, ancien·nes compris : rattachez-les "
                           "d'abord à une autre institution (les indicateurs par institution en dépendent).")


def update_territory(territory: Territory, *, actor: Member, network: Network, name: str, siren: str | None) -> None:
    _require_manager(actor, network, territory)
    _check_name_free(Territory, network.id, name, "Un autre territoire du réseau porte déjà ce nom.",
                     exclude_id=territory.id)
    changed = set_changed(territory, name=name.strip(), siren=siren or None)
    record_audit(actor=actor, action="territory.update", obj=territory, fields=changed)


def delete_territory(territory: Territory, *, actor: Member, network: Network) -> None:
    _delete_unused(territory, Member.territory_id, actor=actor, network=network, action="territory.delete",
                   message="Ce territoire est celui de {members}, ancien·nes compris : rattachez-les d'abord "
                           "à un autre territoire (les indicateurs par territoire en dépendent).")


# --- members -----------------------------------------------------------------------------------

@dataclass
class MemberData:
    first_name: str
    last_name: str
    email: str
    role: Role = Role.COORDINATOR
    phone: str | None = None
    job_title: str | None = None
    institution_id: int | None = None
    territory_id: int | None = None
    is_associated_operator: bool = False
    joined_on: date | None = None


def _check_references(network: Network | None, data: MemberData) -> None:
    for model, ident, label in ((Institution, data.institution_id, "institution"),
                                (Territory, data.territory_id, "territoire")):
        if ident is None:
            continue
        owner = db.session.scalar(select(model.network_id).where(model.id == ident))
        if network is None or owner != network.id:
            raise DomainError(f"Ce {label} n'appartient pas au réseau.")


def create_member(*, actor: Member, network: Network | None, data: MemberData, send_invitation: bool = True) -> Member:
    role = Role(data.role)
    if network is None and role != Role.ADMIN:
        raise DomainError("Un membre doit appartenir à un réseau.")
    if network is not None and role == Role.ADMIN:
        raise DomainError("Un administrateur n'appartient à aucun réseau : il se crée hors des réseaux.")
    if network is not None and not permissions.can_manage_members(actor, network):
        raise NotAllowed("Vous ne pouvez pas ajouter de membre à ce réseau.")
    if not permissions.can_assign_role(actor, role):
        raise NotAllowed("Vous ne pouvez pas attribuer ce rôle.")
    if email_taken(data.email):
        raise Conflict("Un compte existe déjà avec cette adresse e-mail.")
    _check_references(network, data)
    member = Member(
        network_id=network.id if network is not None and role != Role.ADMIN else None,
        email=normalize_email(data.email), first_name=data.first_name.strip(), last_name=data.last_name.strip(),
        phone=(data.phone or "").strip() or None, job_title=(data.job_title or "").strip() or None,
        role=role, institution_id=data.institution_id, territory_id=data.territory_id,
        is_associated_operator=data.is_associated_operator, joined_on=data.joined_on or date.today(),
        calendar_token=secrets.token_urlsafe(24),
    )
    db.session.add(member)
    db.session.flush()
    record_audit(actor=actor, action="member.create", obj=member, network_id=member.network_id)
    if send_invitation:
        queue_account_invitation(member, network=network, invited_by=actor)
    return member


def queue_account_invitation(member: Member, *, network: Network | None, invited_by: Member | None) -> None:
    token = tokens.make_password_token(member, tokens.PASSWORD_SETUP)
    queue_templated_email(
        "account_invitation", to=member.email,
        subject=f"Votre compte sur Réseau{' — ' + network.name if network else ''}",
        member=member, network=network, invited_by=invited_by,
        link=external_url("members.password_set", purpose="activation", token=token),
        valid_days=current_app.config["PASSWORD_SETUP_MAX_AGE"].days,
        reply_to=network.mailbox_email if network else None,
    )


def resend_account_invitation(*, actor: Member, member: Member) -> None:
    if not permissions.can_edit_member(actor, member):
        raise NotAllowed("Vous ne pouvez pas gérer ce membre.")
    if not member.is_active:
        raise DomainError("Ce compte est désactivé : réactivez-le d'abord.")
    network = db.session.get(Network, member.network_id) if member.network_id else None
    queue_account_invitation(member, network=network, invited_by=actor)


def update_member(*, actor: Member, member: Member, data: MemberData, now: datetime | None = None) -> list[str]:
    """Apply the edit; return the names of the fields that changed. A new territory or institution applies from
    `now` (default: the present) in the membership history."""
    if not permissions.can_edit_member(actor, member):
        raise NotAllowed("Vous ne pouvez pas modifier ce membre.")
    if data.role != member.role and not permissions.can_assign_role(actor, Role(data.role)):
        raise NotAllowed("Vous ne pouvez pas attribuer ce rôle.")
    if actor.id == member.id and data.role != member.role:
        raise NotAllowed("Vous ne pouvez pas changer votre propre rôle.")
    if data.role != member.role and Role.ADMIN in (data.role, member.role):
        raise DomainError("Le rôle administrateur ne se donne ni ne se retire : "
                          "un administrateur n'appartient à aucun réseau.")
    if email_taken(data.email, excluding=member):
        raise Conflict("Un compte existe déjà avec cette adresse e-mail.")
    network = db.session.get(Network, member.network_id) if member.network_id else None
    _check_references(network, data)
    new_email = normalize_email(data.email)
    # Once the account is activated the address is the member's: someone else's correction waits for them.
    correction = new_email != member.email and member.is_activated
    if correction and actor.id == member.id:
        raise NotAllowed("Votre propre adresse se change depuis «\u00a0Mon profil\u00a0», mot de passe à l'appui.")
    changed = _apply(member, replace(data, email=member.email) if correction else data, MEMBER_FIELDS)
    _record_history(member, changed, now or utcnow())
    if changed:
        record_audit(actor=actor, action="member.update", obj=member, fields=changed, network_id=member.network_id)
    if correction:
        email_changes.propose_email_correction(member, new_email, actor=actor)
    elif "email" in changed and member.is_active:
        # A typo before activation: the old link died with the address (tokens.py); the new address gets one.
        queue_account_invitation(member, network=network, invited_by=actor)
    return changed


def update_profile(*, actor: Member, data: MemberData) -> list[str]:
    network = db.session.get(Network, actor.network_id) if actor.network_id else None
    _check_references(network, data)
    changed = _apply(actor, data, PROFILE_FIELDS)
    _record_history(actor, changed, utcnow())
    if changed:
        record_audit(actor=actor, action="profile.update", obj=actor, fields=changed, network_id=actor.network_id)
    return changed


def _apply(member: Member, data: MemberData, fields: tuple[str, ...]) -> list[str]:
    changed = []
    for field in fields:
        value = getattr(data, field)
        if field == "email":
            value = normalize_email(value)
        elif isinstance(value, str):
            value = value.strip() or (None if field in ("phone", "job_title") else value)
        if field == "joined_on" and value is None:
            continue
        if getattr(member, field) != value:
            setattr(member, field, value)
            changed.append(field)
    return changed


def _record_history(member: Member, changed: list[str], now: datetime) -> None:
    """Keep the membership history in step: a new territory or institution applies from now on (earlier meetings
    stay under the former ones); a corrected entry date moves the start of the first period."""
    if "joined_on" in changed:
        history.correct_entry(member)
    if "territory_id" in changed or "institution_id" in changed:
        history.move(member, at=now)


def deactivate_member(*, actor: Member, member: Member, now: datetime | None = None) -> None:
    """The member leaves the network at `now` (default: the present): their membership period ends then."""
    if not permissions.can_deactivate_member(actor, member):
        raise NotAllowed("Vous ne pouvez pas désactiver ce membre.")
    if not member.is_active:
        return
    member.is_active = False
    member.deactivated_at = now or utcnow()
    history.end_membership(member, at=member.deactivated_at)
    revoke_login_sessions(member)
    record_audit(actor=actor, action="member.deactivate", obj=member, fields=["is_active"], network_id=member.network_id)


def reactivate_member(*, actor: Member, member: Member, now: datetime | None = None) -> None:
    """The member comes back at `now` (default: the present): a new membership period, the time away excluded."""
    if not permissions.can_edit_member(actor, member):
        raise NotAllowed("Vous ne pouvez pas réactiver ce membre.")
    if member.is_active:
        return
    member.is_active = True
    member.deactivated_at = None
    history.rejoin(member, at=now or utcnow())  # a new period: the time away stays out of past figures
    record_audit(actor=actor, action="member.reactivate", obj=member, fields=["is_active"], network_id=member.network_id)


def regenerate_calendar_token(*, actor: Member) -> str:
    actor.calendar_token = secrets.token_urlsafe(24)
    record_audit(actor=actor, action="member.calendar_token", obj=actor, fields=["calendar_token"])
    return actor.calendar_token


# --- authentication ------------------------------------------------------------------------------

def authenticate(email: str, password: str, *, ip_address: str, now: datetime | None = None) -> Member | None:
    """The member for these credentials, None if wrong; LoginThrottled while this source must wait.

    Brute force is slowed per account + source (free failures, then a doubling wait), capped per account and per
    source; the caps spare a source the account signed in from lately, so nobody can lock a member or an office
    out. The member is emailed when the account collects many failures (README, "Login throttling")."""
    now = now or utcnow()
    email = normalize_email(email)
    source = source_key(ip_address)
    pair = f"{email}|{source}"
    email_changes.apply_due_email_changes(now=now)  # a forced change whose delay is over counts from now on
    serialize_on("login-source", pair)  # parallel guesses from one source wait for each other's failure
    _check_login_allowed(email, pair, source, ip_address=ip_address, now=now)
    member = member_by_email(email)
    password_ok = verify_password(member.password_hash if member else None, password)
    if member is None or not password_ok or not member.is_active:
        for scope, key in (("login-source", pair), ("login-account", email), ("login-ip", source)):
            record_event(scope, key, now=now)
        if member is not None and member.is_active:
            _alert_if_attacked(member, now=now)
        return None
    clear_events("login-source", pair)
    member.last_login_at = now
    return member


def login_delay(failures: int) -> timedelta:
    """The wait after the latest failure of an account + source that has `failures` within the window."""
    config = current_app.config
    beyond = failures - config["LOGIN_FREE_FAILURES"]
    if beyond < 0:
        return timedelta(0)
    return timedelta(seconds=min(config["LOGIN_DELAY_BASE_SECONDS"] * 2 ** min(beyond, 20),
                                 config["LOGIN_DELAY_MAX_SECONDS"]))


def _wait_in_french(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def _check_login_allowed(email: str, pair: str, source: str, *, ip_address: str, now: datetime) -> None:
    config = current_app.config
    window = config["LOGIN_THROTTLE_WINDOW"]
    failures, latest = recent_stats("login-source", pair, window, now=now)
    if latest is not None and (wait := latest + login_delay(failures) - now) > timedelta(0):
        raise LoginThrottled(f"Trop de tentatives de connexion. Patientez {_wait_in_french(wait)} avant de réessayer, "
                             "ou réinitialisez votre mot de passe.")
    over_ceiling = (
        count_recent("login-account", email, window, now=now) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or count_recent("login-ip", source, window, now=now) >= config["LOGIN_MAX_FAILURES_PER_IP"])
    if over_ceiling and not _is_known_source(email, ip_address, now=now):
        raise LoginThrottled("Trop de tentatives de connexion. Patientez quelques minutes avant de réessayer, "
                             "ou réinitialisez votre mot de passe.")


def _is_known_source(email: str, ip_address: str, *, now: datetime) -> bool:
    """The account signed in from this address lately (the member's office or home)."""
    since = now - timedelta(days=current_app.config["LOGIN_KNOWN_SOURCE_DAYS"])
    return db.session.scalar(
        select(LoginSession.id).join(Member, Member.id == LoginSession.member_id)
        .where(Member.email == email, LoginSession.ip_address == ip_address, LoginSession.created_at >= since)
        .limit(1)
    ) is not None


def _alert_if_attacked(member: Member, *, now: datetime) -> None:
    """Email the member once per interval when their account collects many failed logins."""
    config = current_app.config
    failures = count_recent("login-account", member.email, config["LOGIN_THROTTLE_WINDOW"], now=now)
    if failures < config["LOGIN_ALERT_AFTER_FAILURES"]:
        return
    if count_recent("login-alert", member.email, config["LOGIN_ALERT_INTERVAL"], now=now):
        return
    record_event("login-alert", member.email, now=now)
    queue_templated_email(
        "login_alert", to=member.email, subject="Tentatives de connexion à votre compte — Réseau",
        member=member, failures=failures, window_minutes=int(config["LOGIN_THROTTLE_WINDOW"].total_seconds() // 60),
        reset_link=external_url("members.password_forgot"),
    )
    record_audit(actor=None, action="member.login_alert", obj=member, network_id=member.network_id)


def open_login_session(member: Member, *, ip_address: str | None) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token=token, member_id=member.id, ip_address=ip_address))
    # the row's created_at is set at its flush, later than this: the expiry noted here is never the later one
    member.login_token = token
    member.login_expires_at = utcnow() + current_app.config["PERMANENT_SESSION_LIFETIME"]
    return token


def close_login_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(LoginSession).where(LoginSession.token == token, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_login_sessions(member: Member) -> None:
    db.session.execute(
        update(LoginSession).where(LoginSession.member_id == member.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def request_password_reset(email: str, *, ip_address: str) -> None:
    """Queue a reset link if the account exists; says nothing either way, and drops floods silently."""
    config = current_app.config
    email = normalize_email(email)
    window = config["PASSWORD_RESET_THROTTLE_WINDOW"]
    flooded = (is_throttled("password-reset-ip", ip_address, limit=config["PASSWORD_RESET_MAX_PER_IP"], window=window)
               or is_throttled("password-reset-account", email, limit=config["PASSWORD_RESET_MAX_PER_ACCOUNT"],
                               window=window))
    record_event("password-reset-ip", ip_address)
    record_event("password-reset-account", email)
    if flooded:
        return
    email_changes.apply_due_email_changes()
    member = member_by_email(email)
    if member is None or not member.is_active:
        return
    token = tokens.make_password_token(member, tokens.PASSWORD_RESET)
    queue_templated_email(
        "password_reset", to=member.email, subject="Réinitialisation de votre mot de passe — Réseau",
        member=member, link=external_url("members.password_set", purpose="reinitialisation", token=token),
        valid_hours=int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 3600),
    )


def member_for_password_token(token: str, purpose: str) -> Member | None:
    found = tokens.read_password_token(token, purpose)
    if found is None:
        return None
    member = db.session.get(Member, found[0])
    if member is None or not member.is_active or tokens.password_fingerprint(member) != found[1]:
        return None
    return member


def set_password(member: Member, password: str) -> None:
    problems = password_problems(password, email=member.email, names=(member.first_name, member.last_name))
    if problems:
        raise DomainError(" ".join(problems))
    member.password_hash = hash_password(password)
    revoke_login_sessions(member)
    # a fresh password lifts the throttling of the account
    clear_events("login-account", member.email)
    clear_events_starting_with("login-source", member.email + "|")
    record_audit(actor=member, action="member.password", obj=member, fields=["password_hash"],
                 network_id=member.network_id)
