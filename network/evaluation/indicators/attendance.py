"""Attendance by network / territory / institution. The other attendance figures (per meeting, pooled, each
member's assiduity, summaries) are counted in network/sessions/attendance_counts.py, below both features, and
re-exported here."""

from functools import lru_cache

from sqlalchemy import func, literal, select, union_all

from network.evaluation.enums import Breakdown
from network.evaluation.figures import AttendanceRow
from network.members.models import Institution, MembershipPeriod, Network, Territory
from network.periods import Scope, ScopeShape
from network.sessions.attendance_counts import (  # noqa: F401  (attendance_summary … member_assiduity_rows: re-exported)
    attendance_summary, attendance_totals, count_columns, counts_of, eligible_invitations, meeting_attendance,
    meeting_rows, member_assiduity, member_assiduity_rows, run,
)
from network.sessions.enums import MeetingKind
from network.sessions.models import Meeting


_BREAKDOWN_COLUMNS = {
    Breakdown.NETWORK: (Meeting.network_id, Network.name, Network.id == Meeting.network_id, Network),
    # the territory and institution of the member's period at the meeting's date, not today's
    Breakdown.TERRITORY: (MembershipPeriod.territory_id, Territory.name, Territory.id == MembershipPeriod.territory_id,
                          Territory),
    Breakdown.INSTITUTION: (MembershipPeriod.institution_id, Institution.name,
                            Institution.id == MembershipPeriod.institution_id, Institution),
}
UNASSIGNED_LABELS = {Breakdown.TERRITORY: "Sans territoire", Breakdown.INSTITUTION: "Sans institution",
                     Breakdown.NETWORK: "—"}


@lru_cache(maxsize=64)
def _breakdown_statement(shape: ScopeShape, by: Breakdown, kind: str):
    key, label, on, model = _BREAKDOWN_COLUMNS[by]
    statement = eligible_invitations(select(key.label("key"), label.label("label"), *count_columns()), shape, kind)
    return statement.outerjoin(model, on).group_by(key, label).order_by(label)


def attendance_breakdown(scope: Scope, by: Breakdown, kind: str = MeetingKind.QUARTERLY) -> list[AttendanceRow]:
    """Pooled attendance per network, territory or institution (the member's at each meeting's date)."""
    return [AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], counts_of(row))
            for row in run(_breakdown_statement(scope.shape, by, kind), scope)]


@lru_cache(maxsize=64)
def _breakdowns_statement(shape: ScopeShape, breakdowns: tuple[Breakdown, ...], kind: str):
    """The rows of _breakdown_statement for each breakdown as one UNION ALL, each part tagged by its position.

    The eligible invitations (the costly join) are counted once, grouped by every breakdown's key together
    (`pooled`: a few rows); each part then adds up those rows by its own key."""
    keys = [_BREAKDOWN_COLUMNS[by][0].label(f"key_{position}") for position, by in enumerate(breakdowns)]
    pooled = eligible_invitations(select(*keys, *count_columns()), shape, kind).group_by(*keys).cte("pooled")
    parts = []
    for position, by in enumerate(breakdowns):
        _key, label, _on, model = _BREAKDOWN_COLUMNS[by]
        key = pooled.c[f"key_{position}"]
        parts.append(
            select(literal(position).label("breakdown"), key.label("key"), label.label("label"),
                   *(func.sum(pooled.c[name]).label(name) for name in ("invited", "present", "partial", "excused")))
            .select_from(pooled).outerjoin(model, model.id == key).group_by(key, label))
    union = union_all(*parts)
    # the key last: two networks may bear the same name, and their order should not depend on the plan
    return union.order_by(union.selected_columns.breakdown, union.selected_columns.label, union.selected_columns.key)


def attendance_breakdowns(scope: Scope, breakdowns: tuple[Breakdown, ...],
                          kind: str = MeetingKind.QUARTERLY) -> list[list[AttendanceRow]]:
    """attendance_breakdown for each of `breakdowns`, in one query (the same rows, in the same order)."""
    results: list[list[AttendanceRow]] = [[] for _ in breakdowns]
    for row in run(_breakdowns_statement(scope.shape, breakdowns, kind), scope):
        by = breakdowns[row.breakdown]
        results[row.breakdown].append(AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], counts_of(row)))
    return results
