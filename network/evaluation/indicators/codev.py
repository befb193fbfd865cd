"""CODEV: cases worked in workshops, their clients and themes, and the outcomes of their follow-ups."""

from functools import lru_cache

from sqlalchemy import and_, distinct, func, literal, select

from network.codev.enums import AFTER_WORKSHOP_STATES, Outcome
from network.codev.models import Case
from network.database import constant, count_where, one_of, or_zero
from network.evaluation.figures import CodevFigures
from network.sessions.attendance_counts import group_by_period, period_bucket, run
from network.periods import Scope, ScopeShape, Series
from network.members.history import active_at
from network.members.models import MembershipPeriod
from network.sessions.models import Meeting


@lru_cache(maxsize=16)
def _codev_statements(shape: ScopeShape, by_network: bool):
    key = Case.network_id if by_network else literal(None)
    statement = (
        # a case's meeting is one of its network's (codev.services._check_meeting): saying so lets PostgreSQL reach
        # the period's meetings by the (network, starts_at) index instead of scanning all meetings
        select(Case).join(Meeting, and_(Meeting.id == Case.meeting_id, Meeting.network_id == Case.network_id))
        .where(Case.worked_at.is_not(None), one_of(Case.state, AFTER_WORKSHOP_STATES),
               Meeting.starts_at >= shape.start_at, Meeting.starts_at < shape.until)
    )
    if shape.network_ids is not None:
        statement = statement.where(Case.network_id.in_(shape.network_ids))
    if shape.territory_id is not None:  # the client's territory at the workshop's date
        statement = statement.join(MembershipPeriod, active_at(Case.client_id, Meeting.starts_at)).where(
            MembershipPeriod.territory_id == shape.territory_id)
    applicable = and_(Case.outcome.is_not(None), Case.outcome != constant(Outcome.NOT_APPLICABLE))
    bucket = period_bucket(shape, Meeting.starts_at)
    totals = statement.with_only_columns(
        bucket, key, func.count(Case.id), func.count(distinct(Case.client_id)), func.count(distinct(Case.theme)),
        func.count(Case.outcome),
        count_where(Case.outcome == constant(Outcome.RESOLVED)),
        count_where(one_of(Case.outcome, (Outcome.RESOLVED, Outcome.OVERCOME))),
        count_where(applicable),
        *(or_zero(count_where(Case.outcome == constant(code))) for code in Outcome),
    ).group_by(key)
    return group_by_period(totals, shape, bucket)


def codev_figures(scope: Scope, *, by_network: bool = False) -> dict[int | None, CodevFigures]:
    """CODEV cases worked at meetings of the period (one grouped query, the count of each outcome as a
    conditional sum). Key: network id, or None for all.

    Outcome = the case's latest follow-up; a case without follow-up is not counted as unresolved."""
    return {key: figures for (_bucket, key), figures in _codev_by_period(scope, by_network).items()}


def _codev_by_period(scope: Scope | Series, by_network: bool) -> dict[tuple[int, int | None], CodevFigures]:
    totals = run(_codev_statements(scope.shape, by_network), scope)
    return {
        (int(bucket), group): CodevFigures(cases_worked=worked, distinct_clients=clients, distinct_themes=themes,
                            followed_up=followed, resolved=int(resolved or 0),
                            resolved_or_overcome=int(resolved_or_overcome or 0),
                            outcome_counts={code.value: int(count)
                                            for code, count in zip(Outcome, outcomes, strict=True)},
                            with_outcome=int(with_outcome or 0))
        for bucket, group, worked, clients, themes, followed, resolved, resolved_or_overcome, with_outcome, *outcomes
        in totals
    }
