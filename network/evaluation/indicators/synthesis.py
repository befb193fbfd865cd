"""The synthesis line of every family: one per network, plus the total, for a period or each year of a series."""

from dataclasses import fields
from functools import lru_cache

from sqlalchemy import select

from network.evaluation.figures import (
    Assiduity, AttendanceCounts, AttendanceSummary, CodevFigures, NetworkSummary, SelfEfficacyGroup, SharedResources,
    TopicFigures, TrainingFigures, VoteTurnout,
)
from network.sessions.attendance_counts import assiduity_by_period, attendance_summaries, meeting_rows, run
from network.evaluation.indicators.codev import _codev_by_period
from network.evaluation.indicators.members import _active_members
from network.evaluation.indicators.resources import shared_resources_by_period
from network.evaluation.indicators.topics import _topic_rows
from network.evaluation.indicators.trainings import _training_participants, participants_from
from network.evaluation.indicators.votes import _votes_by_period
from network.periods import Scope, ScopeShape, Series
from network.evaluation.queries import self_efficacy_by_period
from network.members.models import Network
from network.sessions.enums import MeetingKind


@lru_cache(maxsize=8)
def _networks_statement(shape: ScopeShape):
    statement = select(Network.id, Network.slug, Network.name).order_by(Network.name)
    if shape.network_ids is not None:
        statement = statement.where(Network.id.in_(shape.network_ids))
    return statement


def network_summaries(scope: Scope, *, with_total: bool = True, meetings=None, trainings=None,
                      member_rows=None, training_member_rows=None
                      ) -> tuple[list[NetworkSummary], NetworkSummary | None]:
    """One NetworkSummary per network of the scope (by name) and the total over them: a fixed number of queries.

    with_total=False skips the total (None), half of the queries, for callers that show only the networks.
    meetings / trainings (meeting_rows of the quarterly meetings / trainings) and member_rows / training_member_rows
    (member_assiduity_rows of each kind) are reused instead of queried when the caller has already fetched them
    (period_attendance reads them all at once)."""
    return _summaries_by_period(scope, with_total, meetings, trainings, member_rows, training_member_rows)[0]


def series_summaries(series: Series, *, with_total: bool = True
                     ) -> list[tuple[Scope, list[NetworkSummary], NetworkSummary | None]]:
    """network_summaries of each period of the series, in order, computed in one pass: the same statements, each
    grouped by period, so ten years cost the queries of one."""
    return [(scope, rows, total) for scope, (rows, total)
            in zip(series.scopes, _summaries_by_period(series, with_total), strict=True)]


def _summaries_by_period(scope: Scope | Series, with_total: bool, meetings=None, trainings=None, member_rows=None,
                         training_member_rows=None):
    networks = run(_networks_statement(scope.shape), scope)
    members = _active_members(scope)
    if meetings is None:
        meetings = meeting_rows(scope, MeetingKind.QUARTERLY)
    if trainings is None:
        trainings = meeting_rows(scope, MeetingKind.TRAINING)
    # Assiduity and votes add up over the networks (a member's tally is kept per network, a round is one network's):
    # their totals are summed from the networks' figures, not queried again (the costliest half of the total).
    assiduity = assiduity_by_period(scope, MeetingKind.QUARTERLY, True, member_rows)
    training_assiduity = assiduity_by_period(scope, MeetingKind.TRAINING, True, training_member_rows)
    votes = _votes_by_period(scope, by_network=True)
    figures = {}
    for by_network in (True, False) if with_total else (True,):
        of_scope = _as_given if by_network else _summed_over_networks
        figures[by_network] = (
            attendance_summaries(scope, MeetingKind.QUARTERLY, by_network, meetings, assiduity=of_scope(assiduity)),
            _topic_rows(scope, by_network),
            attendance_summaries(scope, MeetingKind.TRAINING, by_network, trainings,
                                  assiduity=of_scope(training_assiduity)),
            (_training_participants(scope, by_network) if training_member_rows is None
             else participants_from(training_member_rows, by_network)),
            self_efficacy_by_period(scope, by_network=by_network),
            _codev_by_period(scope, by_network),
            of_scope(votes),
            shared_resources_by_period(scope, by_network),
        )
    empty = _attendance_summaries_empty()

    def line(bucket, network_id, slug, name, member_count, by_network):
        attendance, topics, trainings, participants, efficacy, codev, votes, resources = figures[by_network]
        key = (bucket, network_id)
        return NetworkSummary(
            network_id=network_id, slug=slug, name=name, active_members=member_count,
            attendance=attendance.get(key, empty), topics=topics.get(key, TopicFigures()),
            training=TrainingFigures(trainings.get(key, empty), participants.get(key, 0)),
            self_efficacy=efficacy.get(key, SelfEfficacyGroup()),
            codev=codev.get(key, CodevFigures()), votes=votes.get(key, VoteTurnout()),
            resources=resources.get(key, SharedResources()),
        )

    def members_of(bucket, network_id=None):
        if network_id is not None:
            return members.get((bucket, network_id), 0)
        return sum(count for (of_bucket, _network), count in members.items() if of_bucket == bucket)

    return [([line(bucket, row.id, row.slug, row.name, members_of(bucket, row.id), True) for row in networks],
             line(bucket, None, "total", "Total", members_of(bucket), False) if with_total else None)
            for bucket in range(len(scope.periods))]


def _as_given(by_network: dict) -> dict:
    return by_network


def _summed_over_networks(by_network: dict[tuple[int, int], Assiduity | VoteTurnout]
                          ) -> dict[tuple[int, None], Assiduity | VoteTurnout]:
    """Figures keyed by (bucket, network id) added up field by field into one per bucket, keyed (bucket, None)."""
    totals = {}
    for (bucket, _network_id), figures in by_network.items():
        total = totals.get((bucket, None))
        totals[bucket, None] = figures if total is None else type(figures)(
            *(getattr(total, field.name) + getattr(figures, field.name) for field in fields(figures)))
    return totals


def _attendance_summaries_empty() -> AttendanceSummary:
    return AttendanceSummary(AttendanceCounts(), 0, 0, None, Assiduity())


def network_summary(scope: Scope, **prefetched) -> NetworkSummary:
    """The synthesis of a single network scope (the dashboard's headline); prefetched: see network_summaries."""
    rows, _total = network_summaries(scope, with_total=False, **prefetched)
    return rows[0]
