from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import IdMixin, TimestampMixin, UTCDateTime
from network.extensions import db
from network.members.models import Institution, Member, Network, Territory
from network.registration.enums import JoinRequestStatus

OPEN_STATUS_SQL = "status IN ('unconfirmed', 'pending')"


class JoinRequest(IdMixin, TimestampMixin, db.Model):
    """A person's request to join a network, from the public form to the facilitators' decision."""

    __tablename__ = "join_requests"
    __table_args__ = (
        # One open request per address, across networks (a member's email is unique platform-wide).
        Index("ux_join_requests_open_email", "email", unique=True,
              sqlite_where=text(OPEN_STATUS_SQL), postgresql_where=text(OPEN_STATUS_SQL)),
        Index("ix_join_requests_network_status", "network_id", "status"),
        Index("ix_join_requests_status_created", "status", "created_at"),
    )

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default=JoinRequestStatus.UNCONFIRMED)
    email: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30))
    job_title: Mapped[str] = mapped_column(String(200))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"))
    # Typed by the person when their employer is not in the network's list; created on approval.
    institution_name: Mapped[str | None] = mapped_column(String(200))
    institution_kind: Mapped[str | None] = mapped_column(String(20))
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    is_associated_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    privacy_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SHA-256 of the confirmation link's secret; cleared once used, so the link works once.
    confirmation_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    decision_message: Mapped[str | None] = mapped_column(Text)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))

    network: Mapped[Network] = relationship(lazy="raise")
    institution: Mapped[Institution | None] = relationship(lazy="raise")
    territory: Mapped[Territory | None] = relationship(lazy="raise")
    decided_by: Mapped[Member | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    member: Mapped[Member | None] = relationship(foreign_keys=[member_id], lazy="raise")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def status_label(self) -> str:
        return JoinRequestStatus(self.status).label

    def __str__(self) -> str:
        return self.full_name
