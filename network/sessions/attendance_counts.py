"""Attendance counted in SQL (GROUP BY / COUNT / SUM in the database): the one definition that the meeting pages and
the evaluation indicators share (network.evaluation.indicators builds its other figures on these blocks).

Every function takes a Scope (networks, period, optional territory, `now`) and issues a fixed number of queries
whatever the data size.
"""

from datetime import datetime
from fractions import Fraction
from functools import lru_cache

from sqlalchemy import Row, and_, bindparam, exists, func, select
from sqlalchemy.orm import aliased

from network.database import constant, count_where, one_of, or_zero, plain_rows
from network.members.history import active_at, has_period
from network.members.models import Member, MembershipPeriod
from network.periods import Scope, ScopeShape, Series
from network.sessions.attendance_figures import (
    ASSIDUITY_THRESHOLD_DEN, ASSIDUITY_THRESHOLD_NUM, Assiduity, AttendanceCounts, AttendanceSummary,
    MeetingAttendance, MemberAssiduity,
)
from network.sessions.enums import AttendanceStatus, MeetingKind, MeetingStatus
from network.sessions.models import Attendance, Invitation, Meeting

ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL)


# --- building blocks ------------------------------------------------------------------------------
# Statements are built from a ScopeShape (bound parameters in place of the scope's values), once per shape and
# arguments (lru_cache), and executed with scope.parameters: building was most of the cost of the indicators.

def run(statement, scope: Scope | Series) -> list[Row]:
    """Every row of a statement of the scope, fetched at once. Core execution on the session's connection: these
    statements select columns, never ORM entities, and the ORM's result processing cost a third of the indicators'
    Python time; fetched at once (plain_rows), a dashboard reads hundreds of rows."""
    return plain_rows(statement, scope.parameters)


def meeting_filter(shape: ScopeShape, kind: str | tuple[str, ...]):
    """Non-cancelled meetings of the kind (or kinds) started in the scope's period and networks."""
    conditions = [
        Meeting.kind == constant(kind) if isinstance(kind, str) else one_of(Meeting.kind, kind),
        Meeting.status != constant(MeetingStatus.CANCELLED),
        Meeting.starts_at >= shape.start_at,
        Meeting.starts_at < shape.until,
    ]
    if shape.network_ids is not None:
        conditions.append(Meeting.network_id.in_(shape.network_ids))
    return and_(*conditions)


def period_bucket(shape: ScopeShape, moment):
    """The `bucket` column: which period of the shape `moment` falls in (always 0 for a single period)."""
    return shape.bucket(moment).label("bucket")


def group_by_period(statement, shape: ScopeShape, bucket):
    """Group by the bucket when the shape has several periods (a constant 0 is never grouped by: in GROUP BY a
    number means a column position)."""
    return statement.group_by(bucket) if shape.periods > 1 else statement


# Built once: aliased() sets up its column collections on every call, which cost ~3 ms per statement.
_RECORDED = aliased(Attendance, name="recorded")


def is_recorded():
    """Attendance is recorded for a meeting once one member's attendance row exists."""
    return exists().where(_RECORDED.meeting_id == Meeting.id, _RECORDED.member_id.is_not(None)).correlate(Meeting)


def count_columns():
    status = Attendance.status

    def tally(*statuses):
        return or_zero(count_where(one_of(status, statuses)))

    return (
        func.count(Invitation.id).label("invited"),
        tally(AttendanceStatus.PRESENT).label("present"),
        tally(AttendanceStatus.PARTIAL).label("partial"),
        tally(AttendanceStatus.EXCUSED).label("excused"),
    )


def _recorded_invitations(statement, meetings):
    """Invitations, with their attendance row if any, in the recorded meetings that the `meetings` condition
    selects: eligible_invitations and one_meeting_counts add who of them counts."""
    return (
        statement.select_from(Invitation)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .outerjoin(Attendance, and_(Attendance.meeting_id == Invitation.meeting_id,
                                    Attendance.member_id == Invitation.member_id))
        .where(meetings, is_recorded())
    )


def eligible_invitations(statement, shape: ScopeShape, kind: str | tuple[str, ...]):
    """Invitations of members active at the meeting date (their membership period then), in recorded meetings of the
    scope."""
    statement = _recorded_invitations(statement, meeting_filter(shape, kind)).join(
        # the member's period covering the meeting's start: active then, in that territory and institution (periods
        # never overlap, so one row at most; a guest, without member, has none)
        MembershipPeriod, active_at(Invitation.member_id, Meeting.starts_at))
    if shape.territory_id is not None:
        statement = statement.where(MembershipPeriod.territory_id == shape.territory_id)
    return statement


def is_counted(starts_at: datetime, status: str, now: datetime) -> bool:
    """Whether a meeting has figures as of `now`: started and not cancelled, as meeting_filter selects it in any
    scope whose period holds its start (its network and kind are its own)."""
    return starts_at < now and status != MeetingStatus.CANCELLED


@lru_cache(maxsize=1)
def one_meeting_counts():
    """The counts (invited, present, partial, excused) of the meeting bound to `meeting_id`, over the invitations
    that eligible_invitations counts, once it is_counted as of the bound `now`: a subquery of one row (zeros when
    nothing is counted: an aggregate without GROUP BY) for the meeting page's single statement to join on true.
    Built once, as its statement."""
    meeting = and_(Meeting.id == bindparam("meeting_id"), Meeting.status != constant(MeetingStatus.CANCELLED),
                   Meeting.starts_at < bindparam("now"))
    # The same invitations as eligible_invitations' join to the periods, which never overlap; the page needs no
    # period column, so each invitee's period is looked up by its index (has_period). Joined, PostgreSQL's costs
    # preferred hashing every period of the country: 1.0 ms more per page on the national data, and growing with it.
    return (_recorded_invitations(select(*count_columns()), meeting)
            .where(has_period(active_at(Invitation.member_id, Meeting.starts_at))).subquery("attendance_counts"))


def counts_of(row) -> AttendanceCounts:
    invited, present, partial, excused = (int(row.invited or 0), int(row.present or 0), int(row.partial or 0),
                                          int(row.excused or 0))
    return AttendanceCounts(invited=invited, present=present, partial=partial, excused=excused,
                            absent=invited - present - partial - excused)


# --- attendance -----------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _totals_statement(shape: ScopeShape, kind: str):
    return eligible_invitations(select(*count_columns()), shape, kind)


def attendance_totals(scope: Scope, kind: str = MeetingKind.QUARTERLY) -> AttendanceCounts:
    (totals,) = run(_totals_statement(scope.shape, kind), scope)  # an aggregate without GROUP BY: one row
    return counts_of(totals)


@lru_cache(maxsize=64)
def _meeting_attendance_statement(shape: ScopeShape, kind: str):
    per_meeting = eligible_invitations(select(Invitation.meeting_id.label("meeting_id"), *count_columns()), shape, kind)
    per_meeting = per_meeting.group_by(Invitation.meeting_id).subquery()
    return (
        select(Meeting.id, Meeting.network_id, Meeting.title, Meeting.starts_at, Meeting.status,
               is_recorded().label("is_recorded"), per_meeting.c.invited, per_meeting.c.present,
               per_meeting.c.partial, per_meeting.c.excused)
        .outerjoin(per_meeting, per_meeting.c.meeting_id == Meeting.id)
        .where(meeting_filter(shape, kind))
        .order_by(Meeting.starts_at, Meeting.id)
    )


def meeting_rows(scope: Scope | Series, kind: str = MeetingKind.QUARTERLY) -> list:
    """The rows behind meeting_attendance (with the meeting's network_id): one query, one row per meeting (of
    every period of a Series, in order: scope.bucket_of(row.starts_at) tells which)."""
    return run(_meeting_attendance_statement(scope.shape, kind), scope)


def meeting_attendance(scope: Scope, kind: str = MeetingKind.QUARTERLY, rows=None) -> list[MeetingAttendance]:
    """Every past, non-cancelled meeting of the scope, recorded or not, with its counts.

    rows: meeting_rows(scope, kind) already fetched, to reuse them instead of querying again."""
    if rows is None:
        rows = meeting_rows(scope, kind)
    return [meeting_attendance_of_row(row) for row in rows]


def meeting_attendance_of_row(row) -> MeetingAttendance:
    """A meeting's figures from a row with its id, title, starts_at, status, is_recorded and counts."""
    return MeetingAttendance(row.id, row.title, row.starts_at, row.status, bool(row.is_recorded), counts_of(row))


def _mean_meeting_rate(recorded_rows) -> float | None:
    """Mean of the meetings' attendance rates ((present + partial) ÷ invited), over recorded meetings with
    invited members. Added up as exact fractions: the result does not depend on the order of the rows (a float
    sum would, and a mean at a rounding tie, 72.5 %, could then show another percentage)."""
    rates = [Fraction(int(row.present or 0) + int(row.partial or 0), int(row.invited))
             for row in recorded_rows if row.invited]
    return float(sum(rates) / len(rates)) if rates else None


def _per_member(shape: ScopeShape, kind: str, member_id=None):
    """Meetings attended and invited to per member (and network, and period of the shape); member_id: only this
    member's."""
    attended = or_zero(count_where(one_of(Attendance.status, ATTENDED_STATUSES)))
    bucket = period_bucket(shape, Meeting.starts_at)
    statement = eligible_invitations(
        select(bucket, Meeting.network_id.label("network_id"), Invitation.member_id.label("member_id"),
               attended.label("attended"), func.count(Invitation.id).label("invited")),
        shape, kind,
    )
    if member_id is not None:
        statement = statement.where(Invitation.member_id == member_id)
    return group_by_period(statement.group_by(Meeting.network_id, Invitation.member_id), shape, bucket)


@lru_cache(maxsize=64)
def _assiduity_statement(shape: ScopeShape, kind: str, by_network: bool):
    members = _per_member(shape, kind).subquery()
    at_threshold = count_where(members.c.attended * constant(ASSIDUITY_THRESHOLD_DEN)
                               >= members.c.invited * constant(ASSIDUITY_THRESHOLD_NUM))
    statement = select(members.c.bucket, func.count().label("members"),
                       or_zero(at_threshold).label("at")).group_by(members.c.bucket)
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
    return run(_member_assiduity_statement(scope.shape, kind), scope)


def member_assiduity(scope: Scope, kind: str = MeetingKind.QUARTERLY, rows=None) -> list[MemberAssiduity]:
    """Assiduity of each invited member (for the facilitators of the network; never in national exports).

    rows: member_assiduity_rows(scope, kind) already fetched, to reuse them instead of querying again."""
    if rows is None:
        rows = member_assiduity_rows(scope, kind)
    return [MemberAssiduity(row.id, f"{row.first_name} {row.last_name}", int(row.attended), int(row.invited))
            for row in rows]


@lru_cache(maxsize=64)
def _one_member_assiduity_statement(shape: ScopeShape, kind: str):
    return _per_member(shape, kind, member_id=bindparam("member_id"))


def one_member_assiduity(scope: Scope, member_id: int, name: str,
                         kind: str = MeetingKind.QUARTERLY) -> MemberAssiduity | None:
    """member_assiduity's line of one member, over a scope of one period and one network (None when the member was
    invited to none of its recorded meetings), counting that member's invitations only: « my meetings » reads one
    member's, not the network's."""
    rows = plain_rows(_one_member_assiduity_statement(scope.shape, kind), {**scope.parameters, "member_id": member_id})
    if not rows:
        return None
    (row,) = rows
    return MemberAssiduity(member_id, name, int(row.attended), int(row.invited))


def _assiduity_from(member_rows, by_network: bool) -> dict[tuple[int, int | None], Assiduity]:
    """The assiduity counts of _assiduity_statement, from member_assiduity_rows already fetched."""
    tallies: dict[tuple[int, int | None], list[int]] = {}
    for row in member_rows:
        tally = tallies.setdefault((int(row.bucket), row.network_id if by_network else None), [0, 0])
        tally[0] += 1
        tally[1] += row.attended * ASSIDUITY_THRESHOLD_DEN >= row.invited * ASSIDUITY_THRESHOLD_NUM
    return {key: Assiduity(members, at) for key, (members, at) in tallies.items()}


def attendance_summary(scope: Scope, kind: str = MeetingKind.QUARTERLY) -> AttendanceSummary:
    return attendance_summaries(scope, kind, by_network=False)[0, None]


def assiduity_by_period(scope: Scope | Series, kind: str, by_network: bool,
                        member_rows=None) -> dict[tuple[int, int | None], Assiduity]:
    """Assiduity per period (bucket) and network (by_network) or the whole scope (None): a grouped query per member,
    or added up from `member_rows` (member_assiduity_rows of the same scope and kind) if already fetched."""
    if member_rows is not None:
        return _assiduity_from(member_rows, by_network)
    return {(int(row.bucket), row.network_id if by_network else None): Assiduity(int(row.members), int(row.at))
            for row in run(_assiduity_statement(scope.shape, kind, by_network), scope)}


def attendance_summaries(scope: Scope | Series, kind: str, by_network: bool, rows=None, member_rows=None,
                         assiduity=None) -> dict[tuple[int, int | None], AttendanceSummary]:
    """AttendanceSummary per period (bucket) and network (by_network) or the whole scope (None): two queries at
    most.

    The pooled counts, the recorded / unrecorded meetings and the mean of the meetings' rates are worked out from
    the per-meeting counts (one row per meeting, aggregated in SQL: meeting_rows, or `rows` if already fetched).
    The assiduity is assiduity_by_period(scope, kind, by_network, member_rows), or `assiduity` if already worked
    out."""
    if rows is None:
        rows = meeting_rows(scope, kind)
    groups: dict[tuple[int, int | None], list] = {} if by_network else {
        (bucket, None): [] for bucket in range(len(scope.periods))}
    for row in rows:
        groups.setdefault((scope.bucket_of(row.starts_at), row.network_id if by_network else None), []).append(row)
    if assiduity is None:
        assiduity = assiduity_by_period(scope, kind, by_network, member_rows)
    summaries = {}
    for key, group in groups.items():
        recorded = [row for row in group if row.is_recorded]
        counts = [counts_of(row) for row in recorded]
        summaries[key] = AttendanceSummary(
            counts=AttendanceCounts(*(sum(getattr(count, field) for count in counts)
                                      for field in ("invited", "present", "partial", "excused", "absent"))),
            meetings_recorded=len(recorded),
            meetings_unrecorded=len(group) - len(recorded),
            mean_meeting_rate=_mean_meeting_rate(recorded),
            assiduity=assiduity.get(key, Assiduity()),
        )
    return summaries
