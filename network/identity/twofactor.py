"""Second-factor primitives: TOTP through pyotp, its QR code through segno (SVG, made on the server), recovery
codes and remembered devices. Pure functions and queries; the services in services.py decide and audit."""

import hashlib
import secrets

import pyotp
from sqlalchemy import delete, select

from network.database import utcnow
from network.extensions import db
from network.identity.models import PasskeyCredential, RecoveryCode, TotpCredential, TrustedDevice
from network.members.models import Member

ISSUER_NAME = "Réseau"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are read from paper
RECOVERY_GROUPS = 4  # of 4 characters: 16 × log2(31) ≈ 79 bits, so a SHA-256 digest is enough to keep them


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, member: Member) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=member.email, issuer_name=ISSUER_NAME)


def qr_code_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG (no script, no external reference), for the enrolment page."""
    import segno  # the enrolment page's only

    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#1b2733", light="#ffffff",
                                                 title="Code QR à scanner avec votre application d'authentification")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it by hand."""
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def matching_step(credential: TotpCredential, code: str) -> int | None:
    """The time step the code belongs to (the current one, or one either side for clock drift), if unused."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(credential.secret)
    now = utcnow()
    current = totp.timecode(now)
    for offset in (0, -1, 1):
        step = current + offset
        if secrets.compare_digest(totp.generate_otp(step), code):
            if credential.last_used_step is not None and step <= credential.last_used_step:
                return None  # replayed
            return step
    return None


def new_recovery_codes() -> list[str]:
    return ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(RECOVERY_GROUPS))
            for _ in range(RECOVERY_CODE_COUNT)]


def recovery_digest(code: str) -> str:
    normalized = "".join(char for char in code.lower() if char.isalnum())
    return hashlib.sha256(f"reseau-recovery:{normalized}".encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len("".join(char for char in code if char.isalnum())) == 4 * RECOVERY_GROUPS


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- queries -------------------------------------------------------------------------------------------------

def totp_of(member: Member) -> TotpCredential | None:
    return db.session.scalar(select(TotpCredential).where(TotpCredential.member_id == member.id))


def has_confirmed_totp(member: Member) -> bool:
    credential = totp_of(member)
    return credential is not None and credential.confirmed_at is not None


def unused_recovery_count(member: Member) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.member_id == member.id, RecoveryCode.used_at.is_(None))).all())


def trusted_devices_of(member: Member) -> list[TrustedDevice]:
    return list(db.session.scalars(select(TrustedDevice).where(
        TrustedDevice.member_id == member.id, TrustedDevice.expires_at > utcnow()).order_by(TrustedDevice.created_at)))


def delete_second_factor_rows(member: Member, *, totp_only: bool = False) -> None:
    models = (TotpCredential, RecoveryCode) if totp_only else (TotpCredential, RecoveryCode, TrustedDevice,
                                                                PasskeyCredential)
    for model in models:
        db.session.execute(delete(model).where(model.member_id == member.id))
