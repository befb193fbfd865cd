"""CODEV cases, their subgroups, six-step records, action plans and follow-ups.

Confidential content (the fiche-cas text, the record, the actions, the follow-up text) is
deferred with raiseload: a query that did not ask for it explicitly cannot read it by accident.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.codev.enums import CaseState, CaseType, Outcome, SubgroupEventKind, SubgroupRole, Theme
from network.database import IdMixin, TimestampMixin, UTCDateTime
from network.extensions import db
from network.members.models import Member, Network
from network.sessions.models import Meeting


def _content(**kwargs):
    return mapped_column(Text, deferred=True, deferred_raiseload=True, **kwargs)


class Case(IdMixin, TimestampMixin, db.Model):
    """A fiche-cas written by its client (a coordinator) for a CODEV workshop."""

    __tablename__ = "codev_cases"
    __table_args__ = (
        Index("ix_codev_cases_network_state", "network_id", "state"),
        Index("ix_codev_cases_client", "client_id"),
        Index("ix_codev_cases_meeting", "meeting_id"),
    )

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # The meeting it is proposed for, selected at, or was worked at; NULL = the pool, no date yet.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    # Re-consultation: the earlier case this one follows on from.
    previous_case_id: Mapped[int | None] = mapped_column(ForeignKey("codev_cases.id", ondelete="SET NULL"))

    # Metadata (visible to the network's facilitators and admins).
    title: Mapped[str] = mapped_column(String(200))
    case_type: Mapped[str] = mapped_column(String(20), default=CaseType.PROBLEM)
    theme: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default=CaseState.DRAFT)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    selected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    postponed_count: Mapped[int] = mapped_column(Integer, default=0)
    # The outcome of the latest follow-up (metadata: shown to facilitators and exported).
    outcome: Mapped[str | None] = mapped_column(String(20))
    has_capitalisation_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    followup_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Content (client and subgroup only).
    context: Mapped[str] = _content(default="")
    question: Mapped[str] = _content(default="")
    help_wanted: Mapped[str] = _content(default="")

    network: Mapped[Network] = relationship(lazy="raise")
    client: Mapped[Member] = relationship(lazy="raise")
    meeting: Mapped[Meeting | None] = relationship(lazy="raise")
    previous_case: Mapped["Case | None"] = relationship(remote_side="Case.id", lazy="raise")
    subgroup: Mapped["Subgroup | None"] = relationship(back_populates="case", uselist=False, lazy="raise",
                                                       passive_deletes=True)
    record: Mapped["CaseRecord | None"] = relationship(back_populates="case", uselist=False, lazy="raise",
                                                        passive_deletes=True)
    actions: Mapped[list["CaseAction"]] = relationship(back_populates="case", lazy="raise",
                                                       order_by="CaseAction.id", passive_deletes=True)
    follow_ups: Mapped[list["CaseFollowUp"]] = relationship(back_populates="case", lazy="raise",
                                                            order_by="CaseFollowUp.id", passive_deletes=True)

    @property
    def state_label(self) -> str:
        return CaseState(self.state).label

    @property
    def state_tone(self) -> str:
        return CaseState(self.state).tone

    @property
    def type_label(self) -> str:
        return CaseType(self.case_type).label

    @property
    def theme_label(self) -> str:
        return Theme(self.theme).label

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label if self.outcome else ""

    @property
    def reference(self) -> str:
        return f"CODEV-{self.id:05d}"


class Subgroup(IdMixin, TimestampMixin, db.Model):
    """The 5–8 people who work one case at one meeting's workshop."""

    __tablename__ = "codev_subgroups"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("codev_cases.id", ondelete="CASCADE"), unique=True)

    case: Mapped[Case] = relationship(back_populates="subgroup", lazy="raise")
    meeting: Mapped[Meeting] = relationship(lazy="raise")
    members: Mapped[list["SubgroupMember"]] = relationship(back_populates="subgroup", lazy="raise",
                                                           cascade="all, delete-orphan", passive_deletes=True,
                                                           order_by="SubgroupMember.id")

    def seat_of(self, member_id: int) -> "SubgroupMember | None":
        return next((seat for seat in self.members if seat.member_id == member_id), None)

    def role_of(self, member_id: int) -> str | None:
        """The member's seat, approved or not (for composing); `approved_role_of` is what grants reading."""
        seat = self.seat_of(member_id)
        return seat.role if seat else None

    def approved_role_of(self, member_id: int) -> str | None:
        seat = self.seat_of(member_id)
        return seat.role if seat is not None and seat.is_approved else None

    @property
    def pending_seats(self) -> list["SubgroupMember"]:
        return [seat for seat in self.members if not seat.is_approved]

    @property
    def is_approved(self) -> bool:
        """The client approved every seat of the current composition."""
        return not self.pending_seats

    @property
    def pending_token(self) -> str:
        """What the client approves: the seats awaiting approval as they read them (a change in between is refused)."""
        return ",".join(f"{seat.id}:{seat.member_id}:{seat.role}" for seat in sorted(self.pending_seats,
                                                                                     key=lambda seat: seat.id))


class SubgroupMember(IdMixin, db.Model):
    """One seat in a subgroup. A member sits in at most one subgroup per meeting."""

    __tablename__ = "codev_subgroup_members"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        Index("ix_codev_subgroup_members_member", "member_id"),
    )

    subgroup_id: Mapped[int] = mapped_column(ForeignKey("codev_subgroups.id", ondelete="CASCADE"), index=True)
    # Copied from the subgroup so the database itself keeps one seat per member and meeting.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(12), default=SubgroupRole.CONSULTANT)
    # When the case's client approved this seat (their own seat: when it was created). NULL = awaiting the
    # client's approval: the person does not read the case's content yet.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subgroup: Mapped[Subgroup] = relationship(back_populates="members", lazy="raise")
    member: Mapped[Member] = relationship(lazy="raise")

    @property
    def role_label(self) -> str:
        return SubgroupRole(self.role).label

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class SubgroupEvent(IdMixin, TimestampMixin, db.Model):
    """One change of a case's subgroup composition, or the client's approval or refusal of a person.

    Kept per case (a postponed case's subgroup is dissolved, its history stays). A refusal also keeps the
    person out of this case's subgroup. Names come from the members table, so an erasure anonymises them.
    """

    __tablename__ = "codev_subgroup_events"
    __table_args__ = (Index("ix_codev_subgroup_events_case", "case_id", "id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("codev_cases.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(12))

    actor: Mapped[Member | None] = relationship(foreign_keys=[actor_id], lazy="raise")
    member: Mapped[Member | None] = relationship(foreign_keys=[member_id], lazy="raise")

    @property
    def kind_label(self) -> str:
        return SubgroupEventKind(self.kind).label

    @property
    def role_label(self) -> str:
        return SubgroupRole(self.role).label if self.role else ""


class CaseRecord(IdMixin, db.Model):
    """The six-step record of a workshop (the action plan is in CaseAction)."""

    __tablename__ = "codev_case_records"

    case_id: Mapped[int] = mapped_column(ForeignKey("codev_cases.id", ondelete="CASCADE"), unique=True)
    exposition: Mapped[str] = mapped_column(Text, default="")
    clarifications: Mapped[str] = mapped_column(Text, default="")
    contract: Mapped[str] = mapped_column(Text, default="")
    suggestions: Mapped[str] = mapped_column(Text, default="")
    synthesis: Mapped[str] = mapped_column(Text, default="")
    client_learnings: Mapped[str] = mapped_column(Text, default="")
    group_learnings: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship(back_populates="record", lazy="raise")


class CaseAction(IdMixin, TimestampMixin, db.Model):
    """One line of the action plan agreed at the synthesis step."""

    __tablename__ = "codev_case_actions"

    case_id: Mapped[int] = mapped_column(ForeignKey("codev_cases.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[Case] = relationship(back_populates="actions", lazy="raise")


class CaseFollowUp(IdMixin, TimestampMixin, db.Model):
    """What became of a worked case, recorded by its client (at the next meeting or any time)."""

    __tablename__ = "codev_case_follow_ups"
    __table_args__ = (
        CheckConstraint("helpfulness BETWEEN 0 AND 3", name="helpfulness_range"),
        Index("ix_codev_case_follow_ups_case", "case_id"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("codev_cases.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))
    helpfulness: Mapped[int] = mapped_column(Integer)
    actions_done: Mapped[str] = _content(default="")
    comment: Mapped[str] = _content(default="")

    case: Mapped[Case] = relationship(back_populates="follow_ups", lazy="raise")
    meeting: Mapped[Meeting | None] = relationship(lazy="raise")  # where the client shared it, if they said

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label
