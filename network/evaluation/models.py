"""Self-efficacy answers, the self-assessment grid (rubrics, activities) and members' self-assessments."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import IdMixin, TimestampMixin, UTCDateTime
from network.evaluation.scales import GSE_ITEM_COUNT
from network.extensions import db
from network.members.models import Member

_ITEM_CHECKS = tuple(
    CheckConstraint(f"item_{n} IS NULL OR item_{n} BETWEEN 1 AND 4", name=f"item_{n}_range")
    for n in range(1, GSE_ITEM_COUNT + 1)
)


class SelfEfficacyResponse(IdMixin, TimestampMixin, db.Model):
    """One GSE questionnaire of one member: wave 0 at entry (T0), then one per year (T1, T2…)."""

    __tablename__ = "self_efficacy_responses"
    __table_args__ = (
        UniqueConstraint("member_id", "wave"),
        CheckConstraint("wave >= 0", name="wave_positive"),
        CheckConstraint("score IS NULL OR score BETWEEN 10 AND 40", name="score_range"),
        Index("ix_self_efficacy_responses_network", "network_id", "wave"),
        *_ITEM_CHECKS,
    )

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    wave: Mapped[int] = mapped_column(Integer)
    taken_on: Mapped[date] = mapped_column(Date)
    item_1: Mapped[int | None] = mapped_column(SmallInteger)
    item_2: Mapped[int | None] = mapped_column(SmallInteger)
    item_3: Mapped[int | None] = mapped_column(SmallInteger)
    item_4: Mapped[int | None] = mapped_column(SmallInteger)
    item_5: Mapped[int | None] = mapped_column(SmallInteger)
    item_6: Mapped[int | None] = mapped_column(SmallInteger)
    item_7: Mapped[int | None] = mapped_column(SmallInteger)
    item_8: Mapped[int | None] = mapped_column(SmallInteger)
    item_9: Mapped[int | None] = mapped_column(SmallInteger)
    item_10: Mapped[int | None] = mapped_column(SmallInteger)
    # Prorated 10–40 score, None when more than 3 items are missing (stored so group means are SQL aggregates).
    score: Mapped[float | None] = mapped_column(Float)

    member: Mapped[Member] = relationship(lazy="raise")

    @property
    def answers(self) -> list[int | None]:
        return [getattr(self, f"item_{n}") for n in range(1, GSE_ITEM_COUNT + 1)]

    @property
    def wave_label(self) -> str:
        return f"T{self.wave}"

    @property
    def missing_count(self) -> int:
        return sum(answer is None for answer in self.answers)


class SelfEfficacyReminder(IdMixin, db.Model):
    """The invitation email for one member's due wave: sent once per due period."""

    __tablename__ = "self_efficacy_reminders"
    __table_args__ = (UniqueConstraint("member_id", "wave"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    wave: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GridRubric(IdMixin, db.Model):
    """A mission (rubrique) of a network's self-assessment grid."""

    __tablename__ = "grid_rubrics"
    __table_args__ = (Index("ix_grid_rubrics_network_position", "network_id", "position"),)

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    short_title: Mapped[str] = mapped_column(String(60))  # radar axis label
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class GridActivity(IdMixin, db.Model):
    """An activity of a rubric, scored 0–3 or NC. Archived (not deleted) so past answers keep their meaning."""

    __tablename__ = "grid_activities"
    __table_args__ = (Index("ix_grid_activities_rubric_position", "rubric_id", "position"),)

    rubric_id: Mapped[int] = mapped_column(ForeignKey("grid_rubrics.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    rubric: Mapped[GridRubric] = relationship(lazy="raise")


class SelfAssessment(IdMixin, TimestampMixin, db.Model):
    """One member's self-assessment of the function: wave 0 is T0, later waves T1, T2…"""

    __tablename__ = "self_assessments"
    __table_args__ = (
        UniqueConstraint("member_id", "wave"),
        Index("ix_self_assessments_network", "network_id", "wave"),
    )

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    wave: Mapped[int] = mapped_column(Integer)
    taken_on: Mapped[date] = mapped_column(Date)

    @property
    def wave_label(self) -> str:
        return f"T{self.wave}"


class SelfAssessmentScore(IdMixin, db.Model):
    """Score of one activity in one self-assessment; NULL means NC (non concerné)."""

    __tablename__ = "self_assessment_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "activity_id"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 3", name="score_range"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("grid_activities.id", ondelete="CASCADE"), index=True)
    score: Mapped[int | None] = mapped_column(SmallInteger)


class Publication(IdMixin, TimestampMixin, db.Model):
    """Indicators of closed years frozen as published (to a comité de pilotage): who published, when, and the
    figures exactly as they were (JSON), so the report can be shown again identically; a later correction of the
    records shows as a difference from today's figures, never as a silent change."""

    __tablename__ = "evaluation_publications"

    title: Mapped[str] = mapped_column(String(200))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # The report's figures as computed at publication (evaluation.national.freeze), and their SHA-256.
    payload: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))

    published_by: Mapped[Member | None] = relationship(lazy="raise")
