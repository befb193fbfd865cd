"""Active members: the network's members (admins excluded) active at the end of each period."""

from functools import lru_cache

from sqlalchemy import func, select, true

from network.sessions.attendance_counts import run
from network.periods import Scope, ScopeShape, Series
from network.members.enums import Role
from network.members.history import active_on_day
from network.members.models import Member, MembershipPeriod


@lru_cache(maxsize=8)
def _active_members_statement(shape: ScopeShape):
    """Members (admins excluded) active on each period's last day (or today if earlier), by their membership
    periods, per network: reactivating or moving someone later leaves a closed period's count as it was."""
    ends = shape.period_ends()
    statement = (
        select(ends.c.bucket, Member.network_id, func.count(Member.id))
        .select_from(Member)
        .join(ends, true())
        .join(MembershipPeriod, active_on_day(Member.id, ends.c.last_day))
        .where(Member.role != Role.ADMIN, Member.network_id.is_not(None))
        .group_by(ends.c.bucket, Member.network_id)
    )
    if shape.network_ids is not None:
        statement = statement.where(Member.network_id.in_(shape.network_ids))
    if shape.territory_id is not None:
        statement = statement.where(MembershipPeriod.territory_id == shape.territory_id)
    return statement


def _active_members(scope: Scope | Series) -> dict[tuple[int, int], int]:
    return {(int(row[0]), row[1]): row[2] for row in run(_active_members_statement(scope.shape), scope)}
