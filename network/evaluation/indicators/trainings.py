"""Shared trainings: their attendance, and the distinct members present at one at least."""

from functools import lru_cache

from sqlalchemy import distinct, func, select

from network.database import one_of
from network.evaluation.figures import TrainingFigures
from network.evaluation.indicators.attendance import attendance_summary
from network.sessions.attendance_counts import (
    ATTENDED_STATUSES, eligible_invitations, group_by_period, period_bucket, run,
)
from network.periods import Scope, ScopeShape, Series
from network.sessions.enums import MeetingKind
from network.sessions.models import Attendance, Invitation, Meeting


@lru_cache(maxsize=16)
def _training_participants_statement(shape: ScopeShape, by_network: bool):
    bucket = period_bucket(shape, Meeting.starts_at)
    statement = eligible_invitations(select(bucket, func.count(distinct(Invitation.member_id)).label("participants")), shape,
                          MeetingKind.TRAINING).where(one_of(Attendance.status, ATTENDED_STATUSES))
    statement = group_by_period(statement, shape, bucket)
    if by_network:
        statement = statement.add_columns(Meeting.network_id).group_by(Meeting.network_id)
    return statement


def _training_participants(scope: Scope | Series, by_network: bool):
    return {(int(row.bucket), row.network_id if by_network else None): int(row.participants)
            for row in run(_training_participants_statement(scope.shape, by_network), scope)}


def participants_from(member_rows, by_network: bool) -> dict[tuple[int, int | None], int]:
    """_training_participants from member_assiduity_rows of the trainings already fetched: the members who attended
    one at least, per period and network (by_network) or the whole scope (None)."""
    members: dict[tuple[int, int | None], set[int]] = {}
    for row in member_rows:
        if row.attended:
            members.setdefault((int(row.bucket), row.network_id if by_network else None), set()).add(row.id)
    return {key: len(ids) for key, ids in members.items()}


def training_figures(scope: Scope) -> TrainingFigures:
    return TrainingFigures(attendance_summary(scope, MeetingKind.TRAINING),
                           _training_participants(scope, by_network=False).get((0, None), 0))
