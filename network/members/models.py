from datetime import UTC, date, datetime, time

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from network.database import IdMixin, TimestampMixin, UTCDateTime
from network.extensions import db
from network.members.enums import EmailChangeStatus, InstitutionKind, Role


class Network(IdMixin, TimestampMixin, db.Model):
    """A departmental network (réseau)."""

    __tablename__ = "networks"

    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(String(3))
    # Functional mailbox: ORGANIZER of calendar invitations and Reply-To of network emails.
    mailbox_email: Mapped[str] = mapped_column(String(320))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    institutions: Mapped[list["Institution"]] = relationship(
        back_populates="network", order_by="Institution.name", lazy="raise"
    )
    territories: Mapped[list["Territory"]] = relationship(
        back_populates="network", order_by="Territory.name", lazy="raise"
    )

    def __str__(self) -> str:
        return self.name


class Institution(IdMixin, db.Model):
    __tablename__ = "institutions"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))

    network: Mapped[Network] = relationship(back_populates="institutions", lazy="raise")

    @property
    def kind_label(self) -> str:
        return InstitutionKind(self.kind).label

    def __str__(self) -> str:
        return self.name


class Territory(IdMixin, db.Model):
    """An EPCI (with its SIREN) or a CTG perimeter."""

    __tablename__ = "territories"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    siren: Mapped[str | None] = mapped_column(String(9))

    network: Mapped[Network] = relationship(back_populates="territories", lazy="raise")

    def __str__(self) -> str:
        return self.name


class Member(IdMixin, TimestampMixin, UserMixin, db.Model):
    __tablename__ = "members"
    __table_args__ = (Index("ix_members_network_active", "network_id", "is_active"),)

    # Admins belong to no network; everyone else to exactly one.
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="RESTRICT"))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    job_title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.COORDINATOR)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"))
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    is_associated_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    joined_on: Mapped[date] = mapped_column(Date, default=date.today)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an admin erased the member (identity anonymised in place).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Secret of the member's private calendar feed; regenerating it revokes the old URL.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    network: Mapped[Network | None] = relationship(lazy="raise")
    institution: Mapped[Institution | None] = relationship(lazy="raise")
    territory: Mapped[Territory | None] = relationship(lazy="raise")

    # Set by the login loader: the server-side login session this request runs under, and when it expires.
    login_token = None
    login_expires_at = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self) -> str:
        return f"{self.last_name} {self.first_name}"

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_activated(self) -> bool:
        """The member has used the account: from then on only they may change its email address."""
        return self.password_hash is not None or self.last_login_at is not None

    def get_id(self) -> str | None:
        return self.login_token

    def __str__(self) -> str:
        return self.full_name


class LoginSession(IdMixin, TimestampMixin, db.Model):
    """Server-side record of a login, so logout and deactivation end it for real."""

    __tablename__ = "login_sessions"

    token: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    member: Mapped[Member] = relationship(lazy="raise")


OPEN_WHERE = "status IN ('awaiting_approval', 'awaiting_verification', 'scheduled')"


class EmailChange(IdMixin, TimestampMixin, db.Model):
    """A change of a member's email address on its way (DESIGN.md §7): approved by the member, verified by the
    new address, or, when an admin forces it, applied after a delay the member may use to cancel it."""

    __tablename__ = "email_changes"
    __table_args__ = (
        Index("ix_email_changes_status_effective", "status", "effective_at"),
        # At most one change on its way per member: a new one supersedes it first.
        Index("ux_email_changes_open_member", "member_id", unique=True,
              sqlite_where=text(OPEN_WHERE), postgresql_where=text(OPEN_WHERE)),
    )

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30))
    old_email: Mapped[str] = mapped_column(String(320))
    new_email: Mapped[str] = mapped_column(String(320))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A forced change takes effect at this moment unless cancelled.
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise")
    requested_by: Mapped[Member | None] = relationship(foreign_keys=[requested_by_id], lazy="raise")

    @property
    def is_open(self) -> bool:
        return EmailChangeStatus(self.status).is_open


def start_of(day: date) -> datetime:
    """The instant a membership that starts on `day` begins: its midnight UTC (how a date compares with a meeting's
    start on both databases)."""
    return datetime.combine(day, time(), tzinfo=UTC)


class MembershipPeriod(IdMixin, db.Model):
    """A stretch of a member's membership: active from started_at until ended_at (exclusive; None = still active),
    in one territory and one institution. Joining opens the first period; leaving (deactivation, erasure) ends the
    current one; rejoining opens another; moving to another territory or institution ends the current one and
    opens the next at the same instant. A member's periods never overlap, so « active at a date » and « territory
    and institution at a date » are one row (DESIGN.md §4): the indicators join these rows, never the member's
    current state."""

    __tablename__ = "membership_periods"
    __table_args__ = (Index("ix_membership_periods_member_start", "member_id", "started_at"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"),
                                                       index=True)

    member: Mapped[Member] = relationship(lazy="raise")


@event.listens_for(Session, "before_flush")
def _open_first_period(session, _flush_context, _instances) -> None:
    """Every new member gets their first membership period, whichever code creates them (services, the join
    requests, imports, demo data, tests): from joined_on, in their territory and institution, ended at
    deactivated_at if they are created inactive (at once without that date) — the rule the migration applied to existing members."""
    for member in [obj for obj in session.new if isinstance(obj, Member)]:
        if member.joined_on is None:
            member.joined_on = date.today()
        started_at = start_of(member.joined_on)
        ended_at = member.deactivated_at
        if member.is_active is False and ended_at is None:  # created inactive, no date: never active
            ended_at = started_at
        period = MembershipPeriod(member=member, started_at=started_at, ended_at=ended_at,
                                  territory_id=member.territory_id, institution_id=member.institution_id)
        session.add(period)
