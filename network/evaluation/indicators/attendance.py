"""Attendance by network / territory / institution. The other attendance figures (per meeting, pooled, each
member's assiduity, summaries) are counted in network/sessions/attendance_counts.py, below both features, and
re-exported here."""

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import func, null, select, union_all

from network.database import constant
from network.evaluation.enums import Breakdown
from network.evaluation.figures import AttendanceRow
from network.members.models import Institution, Member, MembershipPeriod, Network, Territory
from network.periods import Scope, ScopeShape
from network.sessions.attendance_counts import (  # noqa: F401  (attendance_summary … member_assiduity_rows: re-exported)
    attendance_summary, attendance_totals, count_columns, counts_of, eligible_invitations, is_recorded,
    meeting_attendance, meeting_filter, meeting_rows, member_assiduity, member_assiduity_rows, run,
)
from network.sessions.enums import MeetingKind
from network.sessions.models import Invitation, Meeting


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
            select(constant(position).label("breakdown"), key.label("key"), label.label("label"),
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


# --- the attendance of one period, every view of it at once (the dashboard) -------------------------------------

class MeetingRow(NamedTuple):
    """A row of meeting_rows: the meeting, and its counts (None while its attendance is not recorded)."""

    id: int
    network_id: int
    title: str
    starts_at: object
    status: str
    is_recorded: bool
    invited: int | None
    present: int | None
    partial: int | None
    excused: int | None


class MemberRow(NamedTuple):
    """A row of member_assiduity_rows (a single period: bucket 0)."""

    id: int
    first_name: str | None
    last_name: str | None
    bucket: int
    network_id: int
    attended: int
    invited: int


@dataclass(frozen=True)
class PeriodAttendance:
    """What meeting_rows (quarterly meetings, trainings), member_assiduity_rows (both kinds) and
    attendance_breakdowns (territory, institution) return for a scope of one period, the same rows in the same
    order, read in two statements instead of six."""

    meetings: list[MeetingRow]
    trainings: list[MeetingRow]
    member_rows: list[MemberRow]
    training_member_rows: list[MemberRow]
    territories: list[AttendanceRow]
    institutions: list[AttendanceRow]


_KINDS = (MeetingKind.QUARTERLY, MeetingKind.TRAINING)
_MEETINGS, _MEMBERS, _TRAINEES, _TERRITORIES, _INSTITUTIONS = range(5)  # the parts of _period_counts_statement


@lru_cache(maxsize=8)
def _period_meetings_statement(shape: ScopeShape):
    return (select(Meeting.id, Meeting.network_id, Meeting.title, Meeting.starts_at, Meeting.status, Meeting.kind,
                   is_recorded().label("is_recorded"))
            .where(meeting_filter(shape, _KINDS)).order_by(Meeting.starts_at, Meeting.id))


@lru_cache(maxsize=8)
def _period_counts_statement(shape: ScopeShape):
    """The eligible invitations of both kinds, joined once (`pooled`: one row per invitation), added up by meeting,
    by member of each kind and by territory and institution (quarterly), as one UNION ALL: part, key, network_id,
    label, label2 (a member's last and first names, a territory's or institution's name), and the counts."""
    pooled = eligible_invitations(
        select(Meeting.kind.label("kind"), Invitation.meeting_id.label("meeting_id"),
               Meeting.network_id.label("network_id"), Invitation.member_id.label("member_id"),
               MembershipPeriod.territory_id.label("territory_id"),
               MembershipPeriod.institution_id.label("institution_id"), *count_columns()),
        shape, _KINDS,
    ).group_by(Meeting.kind, Invitation.meeting_id, Meeting.network_id, Invitation.member_id,
               MembershipPeriod.territory_id, MembershipPeriod.institution_id).cte("pooled")
    counts = ("invited", "present", "partial", "excused")

    def added_up(key, *, by_network=False, where=None):
        """pooled's counts added up by `key` (and network): key, [network_id,] the counts."""
        keys = [key.label("key"), *([pooled.c.network_id] if by_network else [])]
        statement = select(*keys, *(func.sum(pooled.c[name]).label(name) for name in counts)).group_by(*keys)
        return (statement if where is None else statement.where(where)).subquery()

    def part(number, sums, network_id=None, label=None, label2=None):
        """One part of the union, its labels joined to the added-up rows (a few), not to every invitation."""
        return select(constant(number).label("part"), sums.c.key,
                      *((null() if column is None else column).label(name) for name, column
                        in (("network_id", network_id), ("label", label), ("label2", label2))),
                      *(sums.c[name] for name in counts)).select_from(sums)

    quarterly = pooled.c.kind == constant(MeetingKind.QUARTERLY)
    meetings = added_up(pooled.c.meeting_id)
    members = added_up(pooled.c.member_id, by_network=True, where=quarterly)
    trainees = added_up(pooled.c.member_id, by_network=True, where=pooled.c.kind == constant(MeetingKind.TRAINING))
    territories = added_up(pooled.c.territory_id, where=quarterly)
    institutions = added_up(pooled.c.institution_id, where=quarterly)
    union = union_all(
        part(_MEETINGS, meetings),
        part(_MEMBERS, members, members.c.network_id, Member.last_name, Member.first_name)
        .join(Member, Member.id == members.c.key),
        part(_TRAINEES, trainees, trainees.c.network_id),
        part(_TERRITORIES, territories, label=Territory.name).outerjoin(Territory, Territory.id == territories.c.key),
        part(_INSTITUTIONS, institutions, label=Institution.name)
        .outerjoin(Institution, Institution.id == institutions.c.key),
    )
    columns = union.selected_columns
    # as member_assiduity_rows (names, then id) and attendance_breakdowns (label, then key) order theirs
    return union.order_by(columns.part, columns.label, columns.label2, columns.key)


def period_attendance(scope: Scope) -> PeriodAttendance:
    """The attendance of a one-period scope, every view the dashboard shows of it: two statements."""
    parts: list[list] = [[] for _ in range(5)]
    for row in run(_period_counts_statement(scope.shape), scope):
        parts[row.part].append(row)
    counts = {row.key: row for row in parts[_MEETINGS]}
    meetings: dict[str, list[MeetingRow]] = {kind: [] for kind in _KINDS}
    for meeting in run(_period_meetings_statement(scope.shape), scope):
        tally = counts.get(meeting.id)
        meetings[meeting.kind].append(MeetingRow(
            meeting.id, meeting.network_id, meeting.title, meeting.starts_at, meeting.status,
            meeting.is_recorded, *((None,) * 4 if tally is None else
                                   (int(tally.invited), int(tally.present), int(tally.partial), int(tally.excused)))))

    def members(rows) -> list[MemberRow]:
        return [MemberRow(row.key, row.label2, row.label, 0, row.network_id, int(row.present) + int(row.partial),
                          int(row.invited)) for row in rows]

    def breakdown(rows, by: Breakdown) -> list[AttendanceRow]:
        return [AttendanceRow(row.key, row.label or UNASSIGNED_LABELS[by], counts_of(row)) for row in rows]

    return PeriodAttendance(
        meetings[MeetingKind.QUARTERLY], meetings[MeetingKind.TRAINING], members(parts[_MEMBERS]),
        members(parts[_TRAINEES]), breakdown(parts[_TERRITORIES], Breakdown.TERRITORY),
        breakdown(parts[_INSTITUTIONS], Breakdown.INSTITUTION))
