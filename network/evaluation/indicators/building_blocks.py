"""What every indicator statement is made of: execution, the scope's meetings, the invitations that count.

Statements are built from a ScopeShape (bound parameters in place of the scope's values), once per shape and
arguments (lru_cache), and executed with scope.parameters: building was most of the cost of the indicators."""

from sqlalchemy import and_, case, exists, func
from sqlalchemy.orm import aliased

from network.evaluation.figures import AttendanceCounts
from network.evaluation.periods import Scope, ScopeShape, Series
from network.extensions import db
from network.members.history import active_at
from network.members.models import MembershipPeriod
from network.sessions.enums import AttendanceStatus, MeetingStatus
from network.sessions.models import Attendance, Invitation, Meeting

HELD_STATUSES = (MeetingStatus.HELD, MeetingStatus.CLOSED)
ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL)


def _run(statement, scope: Scope | Series):
    # Core execution on the session's connection: these statements select columns, never ORM entities, and the
    # ORM's result processing cost a third of the indicators' Python time.
    return db.session.connection().execute(statement, scope.parameters)


def _meeting_filter(shape: ScopeShape, kind: str):
    conditions = [
        Meeting.kind == kind,
        Meeting.status != MeetingStatus.CANCELLED,
        Meeting.starts_at >= shape.start_at,
        Meeting.starts_at < shape.until,
    ]
    if shape.network_ids is not None:
        conditions.append(Meeting.network_id.in_(shape.network_ids))
    return and_(*conditions)


def _bucket(shape: ScopeShape, moment):
    """The `bucket` column: which period of the shape `moment` falls in (always 0 for a single period)."""
    return shape.bucket(moment).label("bucket")


def _group_by_period(statement, shape: ScopeShape, bucket):
    """Group by the bucket when the shape has several periods (a constant 0 is never grouped by: in GROUP BY a
    number means a column position)."""
    return statement.group_by(bucket) if shape.periods > 1 else statement


# Built once: aliased() sets up its column collections on every call, which cost ~3 ms per statement.
_RECORDED = aliased(Attendance, name="recorded")


def _is_recorded():
    """Attendance is recorded for a meeting once one member's attendance row exists."""
    return exists().where(_RECORDED.meeting_id == Meeting.id, _RECORDED.member_id.is_not(None)).correlate(Meeting)


def _count_columns():
    status = Attendance.status

    def tally(*statuses):
        return func.coalesce(func.sum(case((status.in_(statuses), 1), else_=0)), 0)

    return (
        func.count(Invitation.id).label("invited"),
        tally(AttendanceStatus.PRESENT).label("present"),
        tally(AttendanceStatus.PARTIAL).label("partial"),
        tally(AttendanceStatus.EXCUSED).label("excused"),
    )


def _eligible(statement, shape: ScopeShape, kind: str):
    """Invitations of members active at the meeting date (their membership period then), in recorded meetings of the
    scope."""
    statement = (
        statement.select_from(Invitation)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        # the member's period covering the meeting's start: active then, in that territory and institution (periods
        # never overlap, so one row at most; a guest, without member, has none)
        .join(MembershipPeriod, active_at(Invitation.member_id, Meeting.starts_at))
        .outerjoin(Attendance, and_(Attendance.meeting_id == Invitation.meeting_id,
                                    Attendance.member_id == Invitation.member_id))
        .where(
            _meeting_filter(shape, kind),
            _is_recorded(),
        )
    )
    if shape.territory_id is not None:
        statement = statement.where(MembershipPeriod.territory_id == shape.territory_id)
    return statement


def _counts(row) -> AttendanceCounts:
    invited, present, partial, excused = (int(row.invited or 0), int(row.present or 0), int(row.partial or 0),
                                          int(row.excused or 0))
    return AttendanceCounts(invited=invited, present=present, partial=partial, excused=excused,
                            absent=invited - present - partial - excused)
