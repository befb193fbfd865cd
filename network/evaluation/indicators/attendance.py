"""Attendance: per meeting, pooled, by network / territory / institution, and each member's assiduity."""

from fractions import Fraction
from functools import lru_cache

from sqlalchemy import case, func, literal, select, union_all

from network.evaluation.enums import ASSIDUITY_THRESHOLD_DEN, ASSIDUITY_THRESHOLD_NUM, Breakdown
from network.evaluation.figures import (
    Assiduity, AttendanceCounts, AttendanceRow, AttendanceSummary, MeetingAttendance, MemberAssiduity,
)
from network.evaluation.indicators.building_blocks import (
    ATTENDED_STATUSES, _bucket, _count_columns, _counts, _eligible, _group_by_period, _is_recorded, _meeting_filter,
    _run,
)
from network.evaluation.periods import Scope, ScopeShape, Series
from network.members.models import Institution, Member, MembershipPeriod, Network, Territory
from network.sessions.enums import MeetingKind
from network.sessions.models import Attendance, Invitation, Meeting


@lru_cache(maxsize=64)
def _totals_statement(shape: ScopeShape, kind: str):
    return _eligible(select(*_count_columns()), shape, kind)


def attendance_totals(scope: Scope, kind: str = MeetingKind.QUARTERLY) -> AttendanceCounts:
    return _counts(_run(_totals_statement(scope.shape, kind), scope).one())


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
    statement = _eligible(select(key.label("key"), label.label("label"), *_count_columns()), shape, kind)
    return statement.outerjoin(model, on).group_by(key, label).order_by(label)


def attendance_breakdown(scope: Scope, by: Breakdown, kind: str = MeetingKind.QUARTERLY) -> list[AttendanceRow]:
    """Pooled attendance per network, territory or institution (the member's at each meeting's date)."""
    return [AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], _counts(row))
            for row in _run(_breakdown_statement(scope.shape, by, kind), scope)]


@lru_cache(maxsize=64)
def _breakdowns_statement(shape: ScopeShape, breakdowns: tuple[Breakdown, ...], kind: str):
    """The rows of _breakdown_statement for each breakdown as one UNION ALL, each part tagged by its position.

    The eligible invitations (the costly join) are counted once, grouped by every breakdown's key together
    (`pooled`: a few rows); each part then adds up those rows by its own key."""
    keys = [_BREAKDOWN_COLUMNS[by][0].label(f"key_{position}") for position, by in enumerate(breakdowns)]
    pooled = _eligible(select(*keys, *_count_columns()), shape, kind).group_by(*keys).cte("pooled")
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
    for row in _run(_breakdowns_statement(scope.shape, breakdowns, kind), scope):
        by = breakdowns[row.breakdown]
        results[row.breakdown].append(AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], _counts(row)))
    return results


@lru_cache(maxsize=64)
def _meeting_attendance_statement(shape: ScopeShape, kind: str):
    per_meeting = _eligible(select(Invitation.meeting_id.label("meeting_id"), *_count_columns()), shape, kind)
    per_meeting = per_meeting.group_by(Invitation.meeting_id).subquery()
    return (
        select(Meeting.id, Meeting.network_id, Meeting.title, Meeting.starts_at, Meeting.status,
               _is_recorded().label("is_recorded"), per_meeting.c.invited, per_meeting.c.present,
               per_meeting.c.partial, per_meeting.c.excused)
        .outerjoin(per_meeting, per_meeting.c.meeting_id == Meeting.id)
        .where(_meeting_filter(shape, kind))
        .order_by(Meeting.starts_at, Meeting.id)
    )


def meeting_rows(scope: Scope | Series, kind: str = MeetingKind.QUARTERLY) -> list:
    """The rows behind meeting_attendance (with the meeting's network_id): one query, one row per meeting (of
    every period of a Series, in order: scope.bucket_of(row.starts_at) tells which)."""
    return _run(_meeting_attendance_statement(scope.shape, kind), scope).all()


def meeting_attendance(scope: Scope, kind: str = MeetingKind.QUARTERLY, rows=None) -> list[MeetingAttendance]:
    """Every past, non-cancelled meeting of the scope, recorded or not, with its counts.

    rows: meeting_rows(scope, kind) already fetched, to reuse them instead of querying again."""
    if rows is None:
        rows = meeting_rows(scope, kind)
    return [MeetingAttendance(row.id, row.title, row.starts_at, row.status, bool(row.is_recorded), _counts(row))
            for row in rows]


def _mean_meeting_rate(recorded_rows) -> float | None:
    """Mean of the meetings' attendance rates ((present + partial) ÷ invited), over recorded meetings with
    invited members. Added up as exact fractions: the result does not depend on the order of the rows (a float
    sum would, and a mean at a rounding tie, 72.5 %, could then show another percentage)."""
    rates = [Fraction(int(row.present or 0) + int(row.partial or 0), int(row.invited))
             for row in recorded_rows if row.invited]
    return float(sum(rates) / len(rates)) if rates else None


def _per_member(shape: ScopeShape, kind: str):
    """Meetings attended and invited to per member (and network, and period of the shape)."""
    attended = func.coalesce(func.sum(case((Attendance.status.in_(ATTENDED_STATUSES), 1), else_=0)), 0)
    bucket = _bucket(shape, Meeting.starts_at)
    statement = _eligible(
        select(bucket, Meeting.network_id.label("network_id"), Invitation.member_id.label("member_id"),
               attended.label("attended"), func.count(Invitation.id).label("invited")),
        shape, kind,
    )
    return _group_by_period(statement.group_by(Meeting.network_id, Invitation.member_id), shape, bucket)


@lru_cache(maxsize=64)
def _assiduity_statement(shape: ScopeShape, kind: str, by_network: bool):
    members = _per_member(shape, kind).subquery()
    at_threshold = case(
        (members.c.attended * ASSIDUITY_THRESHOLD_DEN >= members.c.invited * ASSIDUITY_THRESHOLD_NUM, 1), else_=0)
    statement = select(members.c.bucket, func.count().label("members"),
                       func.coalesce(func.sum(at_threshold), 0).label("at")).group_by(members.c.bucket)
    if by_network:
        statement = statement.add_columns(members.c.network_id).group_by(members.c.network_id)
    return statement


@lru_cache(maxsize=64)
def _member_assiduity_statement(shape: ScopeShape, kind: str):
    members = _per_member(shape, kind).subquery()
    return (
        select(Member.id, Member.first_name, Member.last_name, members.c.bucket, members.c.network_id,
               members.c.attended, members.c.invited)
        .join(members, members.c.member_id == Member.id)
        .order_by(Member.last_name, Member.first_name, Member.id)
    )


def member_assiduity_rows(scope: Scope, kind: str = MeetingKind.QUARTERLY) -> list:
    """The rows behind member_assiduity (with the network_id): one query, one row per (network, member)."""
    return _run(_member_assiduity_statement(scope.shape, kind), scope).all()


def member_assiduity(scope: Scope, kind: str = MeetingKind.QUARTERLY, rows=None) -> list[MemberAssiduity]:
    """Assiduity of each invited member (for the facilitators of the network; never in national exports).

    rows: member_assiduity_rows(scope, kind) already fetched, to reuse them instead of querying again."""
    if rows is None:
        rows = member_assiduity_rows(scope, kind)
    return [MemberAssiduity(row.id, f"{row.first_name} {row.last_name}", int(row.attended), int(row.invited))
            for row in rows]


def _assiduity_from(member_rows, by_network: bool) -> dict[tuple[int, int | None], Assiduity]:
    """The assiduity counts of _assiduity_statement, from member_assiduity_rows already fetched."""
    tallies: dict[tuple[int, int | None], list[int]] = {}
    for row in member_rows:
        tally = tallies.setdefault((int(row.bucket), row.network_id if by_network else None), [0, 0])
        tally[0] += 1
        tally[1] += row.attended * ASSIDUITY_THRESHOLD_DEN >= row.invited * ASSIDUITY_THRESHOLD_NUM
    return {key: Assiduity(members, at) for key, (members, at) in tallies.items()}


def attendance_summary(scope: Scope, kind: str = MeetingKind.QUARTERLY) -> AttendanceSummary:
    return _attendance_summaries(scope, kind, by_network=False)[0, None]


def _assiduity(scope: Scope | Series, kind: str, by_network: bool,
               member_rows=None) -> dict[tuple[int, int | None], Assiduity]:
    """Assiduity per period (bucket) and network (by_network) or the whole scope (None): a grouped query per member,
    or added up from `member_rows` (member_assiduity_rows of the same scope and kind) if already fetched."""
    if member_rows is not None:
        return _assiduity_from(member_rows, by_network)
    return {(int(row.bucket), row.network_id if by_network else None): Assiduity(int(row.members), int(row.at))
            for row in _run(_assiduity_statement(scope.shape, kind, by_network), scope)}


def _attendance_summaries(scope: Scope | Series, kind: str, by_network: bool, rows=None, member_rows=None,
                          assiduity=None) -> dict[tuple[int, int | None], AttendanceSummary]:
    """AttendanceSummary per period (bucket) and network (by_network) or the whole scope (None): two queries at
    most.

    The pooled counts, the recorded / unrecorded meetings and the mean of the meetings' rates are worked out from
    the per-meeting counts (one row per meeting, aggregated in SQL: meeting_rows, or `rows` if already fetched).
    The assiduity is _assiduity(scope, kind, by_network, member_rows), or `assiduity` if already worked out."""
    if rows is None:
        rows = meeting_rows(scope, kind)
    groups: dict[tuple[int, int | None], list] = {} if by_network else {
        (bucket, None): [] for bucket in range(len(scope.periods))}
    for row in rows:
        groups.setdefault((scope.bucket_of(row.starts_at), row.network_id if by_network else None), []).append(row)
    if assiduity is None:
        assiduity = _assiduity(scope, kind, by_network, member_rows)
    summaries = {}
    for key, group in groups.items():
        recorded = [row for row in group if row.is_recorded]
        counts = [_counts(row) for row in recorded]
        summaries[key] = AttendanceSummary(
            counts=AttendanceCounts(*(sum(getattr(count, field) for count in counts)
                                      for field in ("invited", "present", "partial", "excused", "absent"))),
            meetings_recorded=len(recorded),
            meetings_unrecorded=len(group) - len(recorded),
            mean_meeting_rate=_mean_meeting_rate(recorded),
            assiduity=assiduity.get(key, Assiduity()),
        )
    return summaries
