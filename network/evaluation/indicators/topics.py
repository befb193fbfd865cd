"""Topics dealt with: held quarterly meetings whose thematic item is on a chosen topic."""

from functools import lru_cache

from sqlalchemy import and_, case, distinct, func, select

from network.database import constant, one_of
from network.evaluation.figures import TopicFigures
from network.sessions.attendance_counts import group_by_period, meeting_filter, period_bucket, run
from network.periods import Scope, ScopeShape, Series
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem, Meeting

HELD_STATUSES = (MeetingStatus.HELD, MeetingStatus.CLOSED)


@lru_cache(maxsize=16)
def _topic_statement(shape: ScopeShape, by_network: bool):
    with_topic = case((AgendaItem.id.is_not(None), Meeting.id))
    bucket = period_bucket(shape, Meeting.starts_at)
    statement = (
        select(bucket, func.count(distinct(Meeting.id)).label("held"),
               func.count(distinct(with_topic)).label("with_topic"),
               func.count(distinct(AgendaItem.topic_id)).label("topics"))
        .select_from(Meeting)
        .outerjoin(AgendaItem, and_(AgendaItem.meeting_id == Meeting.id,
                                    AgendaItem.kind == constant(AgendaItemKind.THEMATIC),
                                    AgendaItem.topic_id.is_not(None)))
        .where(meeting_filter(shape, MeetingKind.QUARTERLY), one_of(Meeting.status, HELD_STATUSES))
    )
    statement = group_by_period(statement, shape, bucket)
    if by_network:
        statement = statement.add_columns(Meeting.network_id).group_by(Meeting.network_id)
    return statement


def _topic_rows(scope: Scope | Series, by_network: bool):
    return {(int(row.bucket), row.network_id if by_network else None): TopicFigures(int(row.held),
                                                                                    int(row.with_topic),
                                                                                    int(row.topics))
            for row in run(_topic_statement(scope.shape, by_network), scope)}


def topic_figures(scope: Scope) -> TopicFigures:
    return _topic_rows(scope, by_network=False).get((0, None), TopicFigures())
