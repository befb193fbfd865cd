from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import IdMixin, TimestampMixin, UTCDateTime
from network.extensions import db
from network.members.models import Member


class SsoIdentity(IdMixin, TimestampMixin, db.Model):
    """A member's account at the OpenID provider: (issuer, sub) is the key, never the email, so an address
    changed at the provider neither orphans the account nor reaches another."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"), UniqueConstraint("member_id", "issuer"))

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # The provider's email when the link was made (shown on the profile; never used to find the member).
    email_at_link: Mapped[str] = mapped_column(String(320))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship(lazy="raise")


class TotpCredential(IdMixin, TimestampMixin, db.Model):
    """The member's authenticator app (RFC 6238). Unconfirmed until a first code proves the app holds it."""

    __tablename__ = "totp_credentials"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Time step of the last accepted code: a code is accepted once.
    last_used_step: Mapped[int | None] = mapped_column(Integer)

    member: Mapped[Member] = relationship(lazy="raise")


class RecoveryCode(IdMixin, TimestampMixin, db.Model):
    """One of the ten single-use codes for a lost phone; only its SHA-256 is kept (80 random bits each)."""

    __tablename__ = "recovery_codes"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrustedDevice(IdMixin, TimestampMixin, db.Model):
    """A browser where the member chose « se souvenir de cet appareil »: its signed cookie carries a secret whose
    SHA-256 is here; deleting the row (from the profile) revokes it."""

    __tablename__ = "trusted_devices"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NetworkSignInPolicy(db.Model):
    """How the members of one network sign in, beyond the deployment's settings."""

    __tablename__ = "network_sign_in_policies"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True)
    requires_sso_for_facilitators: Mapped[bool] = mapped_column(Boolean, default=False)


class PasskeyCredential(IdMixin, TimestampMixin, db.Model):
    """A passkey (WebAuthn public key credential) the member registered as a second factor."""

    __tablename__ = "passkey_credentials"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url, as the browser gives it
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(120))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
