"""Active members: the network's members (admins excluded) active at the end of each period."""

from functools import lru_cache

from sqlalchemy import and_, func, select, true

from network.database import constant
from network.sessions.attendance_counts import run
from network.periods import Scope, ScopeShape, Series
from network.members.enums import Role
from network.members.history import active_on_day, has_period
from network.members.models import Member, MembershipPeriod


@lru_cache(maxsize=8)
def _active_members_statement(shape: ScopeShape):
    """Members (admins excluded) active on each period's last day (or today if earlier), by their membership
    periods, per network: reactivating or moving someone later leaves a closed period's count as it was."""
    ends = shape.period_ends()
    covering = [active_on_day(Member.id, ends.c.last_day)]
    if shape.territory_id is not None:
        covering.append(MembershipPeriod.territory_id == shape.territory_id)
    statement = (
        select(ends.c.bucket, Member.network_id, func.count(Member.id))
        .select_from(Member)
        .join(ends, true())
        .where(Member.role != constant(Role.ADMIN), Member.network_id.is_not(None))
        .group_by(ends.c.bucket, Member.network_id)
    )
    if shape.network_ids is None:  # every member of the country: one pass over all periods is the right plan
        return statement.join(MembershipPeriod, and_(*covering))
    # a network's members: their periods looked up member by member (has_period), not every period of the country
    return statement.where(Member.network_id.in_(shape.network_ids), has_period(*covering))


def _active_members(scope: Scope | Series) -> dict[tuple[int, int], int]:
    return {(int(row[0]), row[1]): row[2] for row in run(_active_members_statement(scope.shape), scope)}
