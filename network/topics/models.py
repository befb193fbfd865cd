"""Topics proposed for the thematic segment, vote rounds, ballots and their points."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import IdMixin, TimestampMixin, UTCDateTime, utcnow
from network.extensions import db
from network.members.models import Member, Network
from network.sessions.models import Meeting
from network.topics.enums import TopicStatus, VoteStatus


class Topic(IdMixin, TimestampMixin, db.Model):
    """A proposal for the thematic information segment; the backlog is the network's topics in `backlog`."""

    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_network_status", "network_id", "status"),)

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    links: Mapped[str | None] = mapped_column(Text)  # one URL per line
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=TopicStatus.BACKLOG)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    network: Mapped[Network] = relationship(lazy="raise")
    author: Mapped[Member | None] = relationship(lazy="raise")
    merged_into: Mapped["Topic | None"] = relationship(remote_side="Topic.id", lazy="raise")

    @property
    def status_label(self) -> str:
        return TopicStatus(self.status).label

    @property
    def is_in_backlog(self) -> bool:
        return self.status == TopicStatus.BACKLOG

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in (self.links or "").splitlines() if line.strip()]

    def __str__(self) -> str:
        return self.title


class TopicVote(IdMixin, TimestampMixin, db.Model):
    """A vote round held at `meeting` to choose the next meeting's thematic topic (dot voting)."""

    __tablename__ = "topic_votes"
    __table_args__ = (
        CheckConstraint("points_per_voter >= 1", name="points_positive"),
        CheckConstraint("max_per_topic >= 1", name="max_positive"),
        Index("ix_topic_votes_network_status", "network_id", "status"),
    )

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=VoteStatus.DRAFT)
    points_per_voter: Mapped[int] = mapped_column(Integer)
    max_per_topic: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hide_results: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    chosen_topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    # When the facilitators were told that the round reached its deadline (send_close_notices, from cron).
    close_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The meeting whose thematic segment the chosen topic became.
    target_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))

    network: Mapped[Network] = relationship(lazy="raise")
    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id], lazy="raise")
    target_meeting: Mapped[Meeting | None] = relationship(foreign_keys=[target_meeting_id], lazy="raise")
    chosen_topic: Mapped[Topic | None] = relationship(lazy="raise")
    candidates: Mapped[list["TopicVoteCandidate"]] = relationship(
        back_populates="vote", lazy="raise", cascade="all, delete-orphan", order_by="TopicVoteCandidate.id"
    )

    def current_status(self, now: datetime) -> VoteStatus:
        """An open round whose deadline has passed is closed, even before a facilitator closes it."""
        status = VoteStatus(self.status)
        if status == VoteStatus.OPEN and now >= self.closes_at:
            return VoteStatus.CLOSED
        return status

    def accepts_ballots(self, now: datetime | None = None) -> bool:
        return self.current_status(now or utcnow()) == VoteStatus.OPEN

    def status_label(self, now: datetime | None = None) -> str:
        return self.current_status(now or utcnow()).label


class TopicVoteCandidate(IdMixin, db.Model):
    __tablename__ = "topic_vote_candidates"
    __table_args__ = (UniqueConstraint("vote_id", "topic_id"),)

    vote_id: Mapped[int] = mapped_column(ForeignKey("topic_votes.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)

    vote: Mapped[TopicVote] = relationship(back_populates="candidates", lazy="raise")
    topic: Mapped[Topic] = relationship(lazy="raise")


class Ballot(IdMixin, TimestampMixin, db.Model):
    """One per member and round (enforced by the database); changed in place until the close."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("vote_id", "member_id"),)

    vote_id: Mapped[int] = mapped_column(ForeignKey("topic_votes.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    points: Mapped[list["BallotPoint"]] = relationship(back_populates="ballot", lazy="raise",
                                                       cascade="all, delete-orphan")


class BallotPoint(IdMixin, db.Model):
    __tablename__ = "ballot_points"
    __table_args__ = (
        UniqueConstraint("ballot_id", "topic_id"),
        CheckConstraint("points > 0", name="points_positive"),
        Index("ix_ballot_points_topic", "topic_id"),
    )

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    points: Mapped[int] = mapped_column(Integer)

    ballot: Mapped[Ballot] = relationship(back_populates="points", lazy="raise")
