"""Meetings (quarterly meetings and pooled trainings), venues, agenda, invitations, attendance."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import IdMixin, TimestampMixin, UTCDateTime
from network.extensions import db
from network.members.models import Member, Network
from network.sessions.enums import AttendanceStatus, MeetingKind, MeetingStatus, RegistrationStatus, Rsvp, RsvpSource


class Venue(IdMixin, db.Model):
    __tablename__ = "venues"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    host_kind: Mapped[str] = mapped_column(String(20))  # InstitutionKind: caf / msa / partner / collectivite
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    access_notes: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def address(self) -> str:
        return postal_address(self.street, self.postal_code, self.city)


def postal_address(street: str, postal_code: str, city: str) -> str:
    return f"{street}, {postal_code} {city}"


class MeetingLabels:
    """What a meeting's `kind` and `status` read as: shared by the model and the plain rows of the busy pages
    (network.sessions.queries), so that both say the same."""

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label

    @property
    def status_label(self) -> str:
        return MeetingStatus(self.status).label

    @property
    def member_status_label(self) -> str:
        return MeetingStatus(self.status).member_label

    @property
    def status_explanation(self) -> str:
        return MeetingStatus(self.status).explanation

    @property
    def is_training(self) -> bool:
        return self.kind == MeetingKind.TRAINING

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class Meeting(MeetingLabels, IdMixin, TimestampMixin, db.Model):
    """A quarterly meeting (rencontre trimestrielle) or a pooled training (formation mutualisée)."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meetings_network_starts", "network_id", "starts_at"),
    )

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default=MeetingKind.QUARTERLY)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.PLANNED)
    caf_facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    msa_facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # Calendar identity: UID generated once and never changed; SEQUENCE +1 on every change sent.
    ical_uid: Mapped[str] = mapped_column(String(255), unique=True)
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Trainings only.
    trainer: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None] = mapped_column(Integer)

    network: Mapped[Network] = relationship(lazy="raise")
    venue: Mapped[Venue | None] = relationship(lazy="raise")
    caf_facilitator: Mapped[Member | None] = relationship(foreign_keys=[caf_facilitator_id], lazy="raise")
    msa_facilitator: Mapped[Member | None] = relationship(foreign_keys=[msa_facilitator_id], lazy="raise")


class Invitation(IdMixin, db.Model):
    """One per member (or named guest) and meeting; carries the RSVP."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        UniqueConstraint("meeting_id", "guest_email"),
        CheckConstraint("(member_id IS NULL) <> (guest_email IS NULL)", name="member_xor_guest"),
        Index("ix_invitations_member", "member_id"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    guest_email: Mapped[str | None] = mapped_column(String(320))
    guest_name: Mapped[str | None] = mapped_column(String(200))
    guest_job: Mapped[str | None] = mapped_column(String(200))
    rsvp: Mapped[str] = mapped_column(String(10), default=Rsvp.PENDING)
    rsvp_comment: Mapped[str | None] = mapped_column(String(500))
    rsvp_source: Mapped[str | None] = mapped_column(String(10))  # RsvpSource; None while pending
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The SEQUENCE of the last calendar sent to this person: a reply older than it is stale.
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    member: Mapped[Member | None] = relationship(lazy="raise")

    @property
    def rsvp_label(self) -> str:
        return Rsvp(self.rsvp).label

    @property
    def rsvp_source_label(self) -> str | None:
        return RsvpSource(self.rsvp_source).label if self.rsvp_source else None


class CalendarReply(IdMixin, db.Model):
    """One email read from the organizer's mailbox, keyed by its Message-ID: the same email twice counts once."""

    __tablename__ = "calendar_replies"

    message_key: Mapped[str] = mapped_column(String(255), unique=True)
    outcome: Mapped[str] = mapped_column(String(10))  # ReplyOutcome
    reason: Mapped[str | None] = mapped_column(String(200))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attendance(IdMixin, db.Model):
    """Attendance of one invited member (or walk-in guest) at one meeting."""

    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        Index("ix_attendances_member", "member_id"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    guest_name: Mapped[str | None] = mapped_column(String(200))
    guest_organisation: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=AttendanceStatus.PRESENT)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    member: Mapped[Member | None] = relationship(foreign_keys=[member_id], lazy="raise")

    @property
    def status_label(self) -> str:
        return AttendanceStatus(self.status).label


class AgendaItem(IdMixin, db.Model):
    """A segment of a meeting's agenda: thematic information, CODEV workshop, vote, or a free item."""

    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_meeting_position", "meeting_id", "position"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # AgendaItemKind
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    speaker: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[str | None] = mapped_column(Text)  # resources and links, one per line
    # The topic presented in a thematic segment (set when a vote round's winner is confirmed).
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"), index=True)

    meeting: Mapped[Meeting] = relationship(lazy="raise")


class Registration(IdMixin, db.Model):
    """A member's registration to a pooled training: a confirmed place or a place on the waitlist."""

    __tablename__ = "training_registrations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        Index("ix_training_registrations_queue", "meeting_id", "status", "registered_at"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=RegistrationStatus.CONFIRMED)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    member: Mapped[Member] = relationship(lazy="raise")

    @property
    def status_label(self) -> str:
        return RegistrationStatus(self.status).label

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED
