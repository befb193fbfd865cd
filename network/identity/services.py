"""Verbs of single sign-on and the second factor. They never read the request and never commit."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from network.audit import record_audit
from network.database import utcnow
from network.errors import Conflict, DomainError, NotAllowed
from network.extensions import db
from network.identity import passkeys, permissions, twofactor
from network.identity.models import (
    NetworkSignInPolicy, PasskeyCredential, RecoveryCode, SsoIdentity, TotpCredential, TrustedDevice,
)
from network.identity.oidc import ProviderIdentity
from network.members.enums import Role
from network.members.models import Member, Network
from network.members.services import member_by_email
from network.outbox import external_url, queue_templated_email
from network.throttle import clear_events, is_throttled, record_event

THROTTLE_SCOPE = "second-factor"


class SecondFactorRejected(DomainError):
    """A wrong or reused code at the second step (its message says which, in French)."""


class SecondFactorThrottled(DomainError):
    """Too many wrong codes at the second step within the window: wait before trying again."""


def _roles(setting: str) -> set[str]:
    return set(current_app.config[setting].replace(",", " ").split())


# --- what a member's sign-in needs ---------------------------------------------------------------------------

def network_policy(network_id: int | None) -> NetworkSignInPolicy | None:
    return db.session.get(NetworkSignInPolicy, network_id) if network_id is not None else None


def sso_required(member: Member) -> bool:
    """Only once a provider is configured: a requirement without one would lock everyone out."""
    if not current_app.config.get("OIDC_ISSUER"):
        return False
    if member.role in _roles("SSO_REQUIRED_FOR_ROLES"):
        return True
    policy = network_policy(member.network_id)
    return member.role == Role.FACILITATOR and policy is not None and policy.requires_sso_for_facilitators


def second_factor_required_for_role(member: Member) -> bool:
    return member.role in _roles("TWO_FACTOR_REQUIRED_FOR_ROLES")


def needs_second_factor(member: Member) -> bool:
    """Asked after a password (or an SSO sign-in without one): required by the role, or chosen by the member."""
    return (second_factor_required_for_role(member) or twofactor.has_confirmed_totp(member)
            or passkeys.has_passkey(member))


# --- single sign-on -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Resolution:
    """Where a provider identity leads: `linked` (sign in), `to_link` (confirm once), `unknown` (join form),
    or `refused` with a French message."""

    outcome: str
    member: Member | None = None
    message: str = ""


def resolve_provider_identity(identity: ProviderIdentity) -> Resolution:
    link = db.session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == identity.issuer,
                                                       SsoIdentity.subject == identity.subject))
    if link is not None:
        member = db.session.get(Member, link.member_id)
        if not member.is_active:
            return Resolution("refused", member, "Votre compte Réseau est désactivé : adressez-vous aux "
                                                 "co-animateurs de votre réseau.")
        return Resolution("linked", member)
    if identity.email is None or not identity.email_verified:
        return Resolution("unknown")
    member = member_by_email(identity.email)
    if member is None:
        return Resolution("unknown")
    if not member.is_active:
        return Resolution("refused", member, "Le compte Réseau de cette adresse est désactivé : adressez-vous aux "
                                             "co-animateurs de votre réseau.")
    already = db.session.scalar(select(SsoIdentity.id).where(SsoIdentity.member_id == member.id,
                                                             SsoIdentity.issuer == identity.issuer))
    if already is not None:
        return Resolution("refused", member, "Le compte Réseau de cette adresse est déjà relié à une autre identité "
                                             "ProConnect : connexion refusée. Adressez-vous à un administrateur.")
    return Resolution("to_link", member)


def link_provider_identity(member: Member, *, issuer: str, subject: str, email: str) -> SsoIdentity:
    """Remember the provider's `sub` for this member (after they proved the account is theirs)."""
    taken = db.session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject))
    if taken is not None:
        raise Conflict("Cette identité ProConnect est déjà reliée à un compte Réseau.")
    if db.session.scalar(select(SsoIdentity.id).where(SsoIdentity.member_id == member.id,
                                                      SsoIdentity.issuer == issuer)) is not None:
        raise Conflict("Votre compte est déjà relié à une autre identité ProConnect.")
    link = SsoIdentity(member_id=member.id, issuer=issuer, subject=subject, email_at_link=email, last_used_at=utcnow())
    db.session.add(link)
    db.session.flush()
    record_audit(actor=member, action="sso.link", obj=member, fields=["sso_identity"], network_id=member.network_id)
    return link


LINK_EMAILS_PER_HOUR = 3


def send_link_email(member: Member, *, link: str, valid_minutes: int) -> bool:
    """Queue the emailed confirmation of a provider identity; False (nothing sent) past 3 an hour per account."""
    if is_throttled("sso-link-email", str(member.id), limit=LINK_EMAILS_PER_HOUR, window=timedelta(hours=1)):
        return False
    record_event("sso-link-email", str(member.id))
    queue_templated_email("sso_link", to=member.email, subject="Relier votre identité ProConnect — Réseau",
                          member=member, link=link, valid_minutes=valid_minutes)
    return True


def record_provider_sign_in(member: Member, *, issuer: str, subject: str) -> None:
    link = db.session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject))
    if link is not None:
        link.last_used_at = utcnow()
    member.last_login_at = utcnow()


def sso_identity_of(member: Member) -> SsoIdentity | None:
    return db.session.scalar(select(SsoIdentity).where(SsoIdentity.member_id == member.id))


def unlink_provider_identity(member: Member, *, actor: Member) -> None:
    if actor.id != member.id:
        raise NotAllowed("Seul le membre peut délier son identité ProConnect.")
    if sso_required(member):
        raise DomainError("Votre rôle exige la connexion avec ProConnect : le lien ne peut pas être retiré.")
    db.session.execute(delete(SsoIdentity).where(SsoIdentity.member_id == member.id))
    record_audit(actor=actor, action="sso.unlink", obj=member, fields=["sso_identity"], network_id=member.network_id)


def set_network_sso_requirement(network: Network, required: bool, *, actor: Member) -> bool:
    """Return whether the setting changed."""
    if not permissions.can_manage_sign_in_policy(actor, network):
        raise NotAllowed("Vous ne pouvez pas modifier la connexion de ce réseau.")
    if required and not current_app.config.get("OIDC_ISSUER"):
        raise DomainError("Aucun fournisseur d'identité n'est configuré sur cette plateforme : la connexion avec "
                          "ProConnect ne peut pas être exigée.")
    policy = network_policy(network.id)
    if policy is None:
        policy = NetworkSignInPolicy(network_id=network.id, requires_sso_for_facilitators=False)
        db.session.add(policy)
    if policy.requires_sso_for_facilitators == required:
        return False
    policy.requires_sso_for_facilitators = required
    record_audit(actor=actor, action="network.sign_in_policy", obj=network, fields=["requires_sso_for_facilitators"],
                 network_id=network.id)
    return True


# --- TOTP and recovery codes ---------------------------------------------------------------------------------

def start_totp_enrolment(member: Member) -> TotpCredential:
    """A fresh secret, unconfirmed (an earlier unconfirmed one is replaced)."""
    credential = twofactor.totp_of(member)
    if credential is not None and credential.confirmed_at is not None:
        raise Conflict("Une application d'authentification est déjà enregistrée pour votre compte.")
    if credential is None:
        credential = TotpCredential(member_id=member.id, secret=twofactor.new_secret())
        db.session.add(credential)
    else:
        credential.secret = twofactor.new_secret()
    db.session.flush()
    return credential


def confirm_totp(member: Member, code: str) -> list[str]:
    """The first code from the app proves it holds the secret; returns the ten recovery codes (shown once)."""
    credential = twofactor.totp_of(member)
    if credential is None or credential.confirmed_at is not None:
        raise DomainError("Recommencez l'enregistrement de votre application d'authentification.")
    step = twofactor.matching_step(credential, code)
    if step is None:
        raise SecondFactorRejected("Ce code ne correspond pas : vérifiez l'heure de votre téléphone et saisissez le "
                                   "code à 6 chiffres affiché maintenant.")
    credential.confirmed_at = utcnow()
    credential.last_used_step = step
    codes = _replace_recovery_codes(member)
    record_audit(actor=member, action="second_factor.enrol", obj=member, fields=["totp"], network_id=member.network_id)
    return codes


def _replace_recovery_codes(member: Member) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.member_id == member.id))
    codes = twofactor.new_recovery_codes()
    db.session.add_all(RecoveryCode(member_id=member.id, code_digest=twofactor.recovery_digest(code)) for code in codes)
    return codes


def regenerate_recovery_codes(member: Member, *, actor: Member) -> list[str]:
    if actor.id != member.id:
        raise NotAllowed("Seul le membre peut créer ses codes de secours.")
    if not twofactor.has_confirmed_totp(member):
        raise DomainError("Enregistrez d'abord une application d'authentification.")
    codes = _replace_recovery_codes(member)
    record_audit(actor=actor, action="second_factor.recovery_codes", obj=member, fields=["recovery_codes"],
                 network_id=member.network_id)
    return codes


def verify_second_factor(member: Member) -> "SecondFactorCheck":
    return SecondFactorCheck(member)


class SecondFactorCheck:
    """check(code): a TOTP code or an unused recovery code; failures are counted and throttled per account."""

    def __init__(self, member: Member):
        self.member = member
        self.used_recovery_code = False

    def check(self, code: str) -> None:
        config = current_app.config
        key = str(self.member.id)
        if is_throttled(THROTTLE_SCOPE, key, limit=config["TWO_FACTOR_MAX_FAILURES"],
                        window=config["TWO_FACTOR_THROTTLE_WINDOW"]):
            raise SecondFactorThrottled("Trop de codes erronés. Patientez quelques minutes avant de réessayer.")
        if self._accept_totp(code) or self._accept_recovery_code(code):
            clear_events(THROTTLE_SCOPE, key)
            return
        record_event(THROTTLE_SCOPE, key)
        raise SecondFactorRejected("Code incorrect ou déjà utilisé.")

    def _accept_totp(self, code: str) -> bool:
        credential = twofactor.totp_of(self.member)
        if credential is None or credential.confirmed_at is None:
            return False
        step = twofactor.matching_step(credential, code)
        if step is None:
            return False
        credential.last_used_step = step
        return True

    def _accept_recovery_code(self, code: str) -> bool:
        if not twofactor.looks_like_recovery_code(code):
            return False
        found = db.session.scalar(select(RecoveryCode).where(
            RecoveryCode.member_id == self.member.id, RecoveryCode.used_at.is_(None),
            RecoveryCode.code_digest == twofactor.recovery_digest(code)))
        if found is None:
            return False
        found.used_at = utcnow()
        self.used_recovery_code = True
        record_audit(actor=self.member, action="second_factor.recovery_code_used", obj=self.member,
                     fields=["recovery_codes"], network_id=self.member.network_id)
        return True


def remove_totp(member: Member, *, actor: Member) -> None:
    """The member turns their optional second factor off (not when their role requires one)."""
    if actor.id != member.id:
        raise NotAllowed("Seul le membre peut retirer son application d'authentification.")
    if second_factor_required_for_role(member):
        raise DomainError("Votre rôle exige un second facteur : il ne peut pas être retiré. En cas de perte de votre "
                          "téléphone, utilisez un code de secours ou demandez une réinitialisation à un "
                          "administrateur.")
    twofactor.delete_second_factor_rows(member, totp_only=True)
    record_audit(actor=actor, action="second_factor.remove", obj=member, fields=["totp"], network_id=member.network_id)


def reset_second_factor(member: Member, *, actor: Member) -> None:
    """An admin resets a member's second factor (lost phone and codes): audited, and the member is told by email.
    The member enrols again at their next sign-in."""
    if not permissions.can_reset_second_factor(actor, member):
        raise NotAllowed("Seul un administrateur peut réinitialiser le second facteur d'un membre.")
    if twofactor.totp_of(member) is None and not passkeys.has_passkey(member):
        raise DomainError("Ce membre n'a pas de second facteur enregistré.")
    twofactor.delete_second_factor_rows(member)
    record_audit(actor=actor, action="second_factor.reset", obj=member, fields=["passkeys", "recovery_codes", "totp",
                                                                                "trusted_devices"],
                 network_id=member.network_id)
    queue_templated_email("second_factor_reset", to=member.email,
                          subject="Votre second facteur de connexion a été réinitialisé — Réseau",
                          member=member, admin=actor, login_url=external_url("members.login"))


# --- remembered devices --------------------------------------------------------------------------------------

def trust_device(member: Member, *, label: str) -> tuple[str, TrustedDevice]:
    """A new secret for the device's cookie; its digest is kept, the secret only goes into the cookie."""
    token = secrets.token_urlsafe(32)
    device = TrustedDevice(member_id=member.id, token_digest=twofactor.token_digest(token), label=label[:120] or "—",
                           expires_at=utcnow() + current_app.config["TRUSTED_DEVICE_LIFETIME"], last_used_at=utcnow())
    db.session.add(device)
    return token, device


def trusted_device(member: Member, token: str) -> TrustedDevice | None:
    device = db.session.scalar(select(TrustedDevice).where(TrustedDevice.token_digest == twofactor.token_digest(token)))
    if device is None or device.member_id != member.id or device.expires_at <= utcnow():
        return None
    return device


def forget_devices(member: Member, *, actor: Member, device_id: int | None = None) -> int:
    """Revoke one remembered device, or all; returns how many were revoked."""
    if actor.id != member.id:
        raise NotAllowed("Seul le membre peut gérer ses appareils.")
    query = delete(TrustedDevice).where(TrustedDevice.member_id == member.id)
    if device_id is not None:
        query = query.where(TrustedDevice.id == device_id)
    count = db.session.execute(query).rowcount or 0
    if count:
        record_audit(actor=actor, action="second_factor.forget_devices", obj=member, fields=["trusted_devices"],
                     network_id=member.network_id)
    return count


def purge_expired_devices(*, older_than: timedelta = timedelta(0)) -> int:
    return db.session.execute(delete(TrustedDevice).where(TrustedDevice.expires_at < utcnow() - older_than)).rowcount


# --- passkeys ----------------------------------------------------------------------------------------------------

class PasskeyRefused(DomainError):
    """A passkey registration or sign-in the WebAuthn checks refused (forged, replayed, unknown key)."""


def add_passkey(member: Member, answer: dict, *, challenge: str | None, label: str):
    if not challenge:
        raise PasskeyRefused("La demande d'enregistrement a expiré : recommencez.")
    try:
        passkey = passkeys.verify_registration(member, answer, challenge=challenge, label=label)
    except passkeys.refusals() as error:
        raise PasskeyRefused("Cette clé d'accès n'a pas pu être vérifiée : recommencez.") from error
    record_audit(actor=member, action="second_factor.passkey_add", obj=member, fields=["passkeys"],
                 network_id=member.network_id)
    return passkey


def check_passkey(member: Member, answer: dict, *, challenge: str | None) -> None:
    """A passkey answer at the second step: counted and throttled like a wrong code."""
    config = current_app.config
    key = str(member.id)
    if is_throttled(THROTTLE_SCOPE, key, limit=config["TWO_FACTOR_MAX_FAILURES"],
                    window=config["TWO_FACTOR_THROTTLE_WINDOW"]):
        raise SecondFactorThrottled("Trop de tentatives erronées. Patientez quelques minutes avant de réessayer.")
    try:
        passkey = passkeys.verify_authentication(member, answer, challenge=challenge) if challenge else None
    except passkeys.refusals():
        passkey = None
    if passkey is None:
        record_event(THROTTLE_SCOPE, key)
        raise SecondFactorRejected("Cette clé d'accès n'a pas pu être vérifiée : réessayez ou saisissez un code.")
    passkey.last_used_at = utcnow()
    clear_events(THROTTLE_SCOPE, key)


def remove_passkey(member: Member, passkey_id: int, *, actor: Member) -> bool:
    if actor.id != member.id:
        raise NotAllowed("Seul le membre peut retirer ses clés d'accès.")
    removed = db.session.execute(delete(PasskeyCredential).where(PasskeyCredential.member_id == member.id,
                                                                 PasskeyCredential.id == passkey_id)).rowcount
    if removed:
        record_audit(actor=actor, action="second_factor.passkey_remove", obj=member, fields=["passkeys"],
                     network_id=member.network_id)
    return bool(removed)
