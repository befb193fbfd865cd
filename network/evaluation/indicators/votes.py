"""Vote turnout: ballots cast ÷ members entitled to vote, over the topic vote rounds closed in the period."""

from functools import lru_cache

from sqlalchemy import and_, func, literal, select

from network.database import constant, or_zero
from network.evaluation.figures import VoteTurnout
from network.sessions.attendance_counts import period_bucket, run
from network.periods import Scope, ScopeShape, Series
from network.members.enums import Role
from network.members.history import active_at, has_period
from network.members.models import Member, MembershipPeriod
from network.topics.enums import VoteStatus
from network.topics.models import Ballot, TopicVote


@lru_cache(maxsize=16)
def _vote_turnout_statement(shape: ScopeShape, by_network: bool):
    closed_at = func.coalesce(TopicVote.closed_at, TopicVote.closes_at)
    rounds = (
        select(TopicVote.id, TopicVote.network_id, closed_at.label("closed_at"), period_bucket(shape, closed_at))
        .where(TopicVote.status != constant(VoteStatus.DRAFT), closed_at >= shape.start_at, closed_at < shape.until)
    )
    if shape.network_ids is not None:
        rounds = rounds.where(TopicVote.network_id.in_(shape.network_ids))
    rounds = rounds.subquery()
    # entitled: a member of the round's network (admins excluded) whose membership period covers the close
    of_network = [Member.network_id == rounds.c.network_id, Member.role != constant(Role.ADMIN)]
    covering = [active_at(Member.id, rounds.c.closed_at)]
    if shape.territory_id is not None:
        covering.append(MembershipPeriod.territory_id == shape.territory_id)
    # Two counts per round, each reached by its own index (members by network, ballots by round): a join of the
    # round's members to their ballots made PostgreSQL read every ballot of each member. The members' periods are
    # looked up member by member (has_period): joined, they were every period of the country, hashed, per round.
    eligible = (select(func.count(Member.id)).where(*of_network, has_period(*covering))
                .correlate(rounds).scalar_subquery())
    ballots = (select(func.count(Ballot.id)).join(Member, Member.id == Ballot.member_id)
               .join(MembershipPeriod, and_(*covering))
               .where(Ballot.vote_id == rounds.c.id, *of_network).correlate(rounds).scalar_subquery())
    per_round = select(rounds.c.id, rounds.c.network_id, rounds.c.bucket, eligible.label("eligible"),
                       ballots.label("ballots")).subquery()
    key = per_round.c.network_id if by_network else literal(None)
    return (select(per_round.c.bucket, key, func.count(per_round.c.id),
                   or_zero(func.sum(per_round.c.ballots)), or_zero(func.sum(per_round.c.eligible)))
            .group_by(per_round.c.bucket, key))


def vote_turnout(scope: Scope, *, by_network: bool = False) -> dict[int | None, VoteTurnout]:
    """Vote rounds closed in the period: ballots cast ÷ members entitled to vote, summed over the rounds.

    A round closes at its early close (closed_at) or its deadline; entitled = members of the round's network
    (admins excluded) who had joined by the close and were not deactivated before it. One query."""
    return {key: turnout for (_bucket, key), turnout in _votes_by_period(scope, by_network).items()}


def _votes_by_period(scope: Scope | Series, by_network: bool) -> dict[tuple[int, int | None], VoteTurnout]:
    rows = run(_vote_turnout_statement(scope.shape, by_network), scope)
    return {(int(bucket), group): VoteTurnout(rounds=count, ballots=int(ballots), eligible=int(eligible))
            for bucket, group, count, ballots, eligible in rows if count}
