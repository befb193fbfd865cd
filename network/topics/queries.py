"""Named queries for the topics pages, eager-loading exactly what templates use; tallies are SQL aggregates."""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, inspect, select
from sqlalchemy.orm import joinedload, selectinload

from network.database import utcnow
from network.extensions import db
from network.members.enums import Role
from network.members.history import active_at
from network.members.models import Member, MembershipPeriod, Network
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem, Meeting
from network.topics.enums import TopicStatus, VoteStatus
from network.topics.models import Ballot, BallotPoint, Topic, TopicVote, TopicVoteCandidate

PARIS = ZoneInfo("Europe/Paris")
PENDING_VOTE_STATUSES = (VoteStatus.DRAFT, VoteStatus.OPEN, VoteStatus.CLOSED)
HELD_STATUSES = (MeetingStatus.HELD, MeetingStatus.CLOSED)


# --- topics ------------------------------------------------------------------------------------

def backlog(network_id: int) -> list[Topic]:
    return list(db.session.scalars(
        select(Topic).options(joinedload(Topic.author))
        .where(Topic.network_id == network_id, Topic.status == TopicStatus.BACKLOG)
        .order_by(Topic.created_at.desc(), Topic.id.desc())
    ))


def set_aside_topics(network_id: int) -> list[Topic]:
    """Archived and merged topics, with the topic each duplicate was merged into."""
    return list(db.session.scalars(
        select(Topic).options(joinedload(Topic.author), joinedload(Topic.merged_into))
        .where(Topic.network_id == network_id, Topic.status.in_((TopicStatus.ARCHIVED, TopicStatus.MERGED)))
        .order_by(Topic.created_at.desc(), Topic.id.desc())
    ))


def topic_detail(topic_id: int) -> Topic | None:
    return db.session.scalar(
        select(Topic).options(joinedload(Topic.author), joinedload(Topic.merged_into)).where(Topic.id == topic_id)
    )


def duplicates_of(topic: Topic) -> list[Topic]:
    return list(db.session.scalars(
        select(Topic).options(joinedload(Topic.author))
        .where(Topic.merged_into_id == topic.id).order_by(Topic.created_at)
    ))


def merge_targets(topic: Topic) -> list[Topic]:
    """The other backlog topics of the network a duplicate can be merged into."""
    return [other for other in backlog(topic.network_id) if other.id != topic.id]


def rounds_of_topic(topic: Topic) -> list[TopicVote]:
    return list(db.session.scalars(
        select(TopicVote).options(joinedload(TopicVote.meeting))
        .join(TopicVoteCandidate, TopicVoteCandidate.vote_id == TopicVote.id)
        .where(TopicVoteCandidate.topic_id == topic.id).order_by(TopicVote.created_at.desc())
    ))


def topics_by_ids(topic_ids) -> list[Topic]:
    """Whatever their network: the service refuses foreign topics with a message."""
    return list(db.session.scalars(select(Topic).where(Topic.id.in_(list(topic_ids))).order_by(Topic.title)))


def topics_in_pending_rounds(topic_ids, *, excluding_vote_id: int | None = None) -> list[Topic]:
    """Topics already candidates of a round not yet confirmed."""
    query = (
        select(Topic).join(TopicVoteCandidate, TopicVoteCandidate.topic_id == Topic.id)
        .join(TopicVote, TopicVote.id == TopicVoteCandidate.vote_id)
        .where(Topic.id.in_(list(topic_ids)), TopicVote.status.in_(PENDING_VOTE_STATUSES))
    )
    if excluding_vote_id is not None:
        query = query.where(TopicVote.id != excluding_vote_id)
    return list(db.session.scalars(query.distinct()))


# --- vote rounds -------------------------------------------------------------------------------

def vote_rounds(network_id: int) -> list[TopicVote]:
    return list(db.session.scalars(
        select(TopicVote).options(joinedload(TopicVote.meeting), joinedload(TopicVote.chosen_topic))
        .where(TopicVote.network_id == network_id)
        .order_by(TopicVote.created_at.desc(), TopicVote.id.desc())
    ))


def vote_detail(vote_id: int) -> TopicVote | None:
    return db.session.scalar(
        select(TopicVote)
        .options(joinedload(TopicVote.meeting), joinedload(TopicVote.target_meeting),
                 joinedload(TopicVote.chosen_topic), joinedload(TopicVote.network),
                 selectinload(TopicVote.candidates).joinedload(TopicVoteCandidate.topic))
        .where(TopicVote.id == vote_id)
    )


def vote_for_ballot(vote_id: int) -> TopicVote | None:
    """The round and its candidates (their topic ids), without what its page shows: what a ballot checks. One
    statement: the candidates joined (a few rows), not selected in a second round trip."""
    return db.session.scalars(select(TopicVote).options(joinedload(TopicVote.candidates))
                              .where(TopicVote.id == vote_id)).unique().one_or_none()


def candidate_topic_ids(vote: TopicVote) -> set[int]:
    """From the round's candidates when they were loaded with it (vote_for_ballot, vote_detail), else one query."""
    if "candidates" not in inspect(vote).unloaded:
        return {candidate.topic_id for candidate in vote.candidates}
    return set(db.session.scalars(select(TopicVoteCandidate.topic_id).where(TopicVoteCandidate.vote_id == vote.id)))


def next_quarterly_meeting_after(meeting: Meeting) -> Meeting | None:
    return db.session.scalar(
        select(Meeting).where(Meeting.network_id == meeting.network_id, Meeting.kind == MeetingKind.QUARTERLY,
                              Meeting.status != MeetingStatus.CANCELLED, Meeting.starts_at > meeting.starts_at)
        .order_by(Meeting.starts_at).limit(1)
    )


def thematic_item_of(meeting: Meeting) -> AgendaItem | None:
    return db.session.scalar(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.kind == AgendaItemKind.THEMATIC)
        .order_by(AgendaItem.position, AgendaItem.id).limit(1)
    )


# --- tally and turnout -------------------------------------------------------------------------

@dataclass(frozen=True)
class TallyRow:
    topic: Topic
    points: int
    voters: int
    rank: int
    is_tied: bool

    @property
    def is_leader(self) -> bool:
        return self.rank == 1


@dataclass(frozen=True)
class Turnout:
    voters: int
    eligible: int

    @property
    def rate(self) -> float | None:
        return self.voters / self.eligible if self.eligible else None


def tally(vote: TopicVote) -> list[TallyRow]:
    """Points and voters per candidate, ranked; equal points share a rank (1, 1, 3)."""
    per_topic = (
        select(BallotPoint.topic_id, func.sum(BallotPoint.points).label("points"),
               func.count(BallotPoint.ballot_id).label("voters"))
        .join(Ballot, Ballot.id == BallotPoint.ballot_id)
        .where(Ballot.vote_id == vote.id).group_by(BallotPoint.topic_id).subquery()
    )
    rows = db.session.execute(
        select(Topic, func.coalesce(per_topic.c.points, 0), func.coalesce(per_topic.c.voters, 0))
        .join(TopicVoteCandidate, TopicVoteCandidate.topic_id == Topic.id)
        .outerjoin(per_topic, per_topic.c.topic_id == Topic.id)
        .where(TopicVoteCandidate.vote_id == vote.id)
    ).all()
    scores = [int(points) for _topic, points, _voters in rows]
    ranked = sorted(rows, key=lambda row: (-int(row[1]), row[0].title.lower(), row[0].id))
    return [
        TallyRow(topic=topic, points=int(points), voters=int(voters),
                 rank=1 + sum(1 for score in scores if score > int(points)),
                 is_tied=scores.count(int(points)) > 1)
        for topic, points, voters in ranked
    ]


def leading_topic_ids(vote: TopicVote) -> set[int]:
    return {row.topic.id for row in tally(vote) if row.is_leader}


def _is_eligible_voter(network_id: int):
    return and_(Member.network_id == network_id, Member.is_active.is_(True),
                Member.role.in_((Role.FACILITATOR, Role.COORDINATOR)))


def eligible_voter_count(network_id: int) -> int:
    return db.session.scalar(select(func.count(Member.id)).where(_is_eligible_voter(network_id))) or 0


def eligible_voters(network_id: int) -> list[Member]:
    """Who may vote in the network's rounds today, and hears of them by email."""
    return list(db.session.scalars(select(Member).where(_is_eligible_voter(network_id)).order_by(Member.id)))


def eligible_voter_count_at(network_id: int, moment: datetime) -> int:
    """Members (facilitators and coordinators) of the network whose membership period covers `moment`: who was
    entitled to vote in a round closed then, whoever left or came back since."""
    return db.session.scalar(
        select(func.count(Member.id)).join(MembershipPeriod, active_at(Member.id, moment))
        .where(Member.network_id == network_id, Member.role.in_((Role.FACILITATOR, Role.COORDINATOR)))) or 0


def turnout(vote: TopicVote) -> Turnout:
    """Voters ÷ members entitled to vote: active at the close for a closed round (membership history), active
    today while it is open."""
    voters = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote.id)) or 0
    closed_at = vote.closed_at or (vote.closes_at if vote.closes_at <= utcnow() else None)
    eligible = (eligible_voter_count(vote.network_id) if closed_at is None
                else eligible_voter_count_at(vote.network_id, closed_at))
    return Turnout(voters=voters, eligible=eligible)


def ballot_points_of(vote: TopicVote, member: Member) -> dict[int, int]:
    return dict(db.session.execute(
        select(BallotPoint.topic_id, BallotPoint.points).join(Ballot, Ballot.id == BallotPoint.ballot_id)
        .where(Ballot.vote_id == vote.id, Ballot.member_id == member.id)
    ).all())


def ballot_of(vote: TopicVote, member: Member) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id, Ballot.member_id == member.id))


# --- history and indicators --------------------------------------------------------------------

@dataclass(frozen=True)
class HandledTopic:
    meeting_id: int
    meeting_title: str
    starts_at: datetime
    topic_id: int
    topic_title: str


def _as_utc_bound(value: date | datetime) -> datetime:
    """A date means midnight Europe/Paris that day; a datetime must be aware."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.min, tzinfo=PARIS)


def topics_handled(network: Network | int, start: date | datetime, end: date | datetime) -> list[HandledTopic]:
    """Thematic topics presented: one row per thematic segment with a topic, at the network's meetings held
    (status held or closed) starting in [start, end), oldest first. The indicator is len() of the result."""
    network_id = network if isinstance(network, int) else network.id
    rows = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at, Topic.id, Topic.title)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .join(Topic, Topic.id == AgendaItem.topic_id)
        .where(Meeting.network_id == network_id, Meeting.status.in_(HELD_STATUSES),
               AgendaItem.kind == AgendaItemKind.THEMATIC,
               Meeting.starts_at >= _as_utc_bound(start), Meeting.starts_at < _as_utc_bound(end))
        .order_by(Meeting.starts_at, AgendaItem.position, AgendaItem.id)
    ).all()
    return [HandledTopic(*row) for row in rows]


@dataclass(frozen=True)
class MeetingTopicRow:
    meeting: Meeting
    item_title: str | None
    topic: Topic | None
    vote: TopicVote | None  # the round that chose the topic, if any


def meeting_topics(network_id: int) -> list[MeetingTopicRow]:
    """Every non-cancelled quarterly meeting of the network, newest first, with its thematic segment and the round
    that chose it: the history page, in one query."""
    rows = db.session.execute(
        select(Meeting, AgendaItem.title, Topic, TopicVote)
        .outerjoin(AgendaItem, and_(AgendaItem.meeting_id == Meeting.id, AgendaItem.kind == AgendaItemKind.THEMATIC))
        .outerjoin(Topic, Topic.id == AgendaItem.topic_id)
        .outerjoin(TopicVote, and_(TopicVote.target_meeting_id == Meeting.id,
                                   TopicVote.chosen_topic_id == Topic.id))
        .where(Meeting.network_id == network_id, Meeting.kind == MeetingKind.QUARTERLY,
               Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at.desc(), AgendaItem.position)
    ).all()
    return [MeetingTopicRow(meeting, title, topic, vote) for meeting, title, topic, vote in rows]
