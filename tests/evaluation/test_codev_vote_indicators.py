"""CODEV and vote indicators on hand-computed scenarios (DESIGN.md §4): exact counts, exact rates."""

from datetime import UTC, date, datetime

import pytest

from network.codev.enums import CaseState, Outcome, Theme
from network.evaluation import indicators
from network.evaluation.figures import CodevFigures, Ratio, VoteTurnout
from network.periods import Period, Scope, Series
from network.extensions import db as _db
from network.members.enums import Role
from network.topics.enums import VoteStatus
from network.topics.models import Ballot
from tests import factories
from tests.codev.factories import create_case
from tests.evaluation.conftest import NOW, at, create_meeting, scope_of
from tests.topics.factories import create_topic, create_vote

S, O, T = CaseState, Outcome, Theme


def worked(client, meeting, theme, state=S.FOLLOWED_UP, outcome=None):
    """A case worked at `meeting` (two hours after its start), with the outcome of its latest follow-up."""
    return create_case(client, state=state, meeting=meeting, theme=theme, worked_at=meeting.starts_at.replace(hour=11),
                       outcome=outcome)


@pytest.fixture
def codev(db):
    """
    Network N, period 2025. Clients A, B (territory T1), C, D (territory T2).
      M1 2025-03-10: 1 A early_childhood closed resolved · 3 B parenting not_resolved · 6 D housing partially
      M2 2025-06-15: 2 A parenting overcome · 4 C ctg_steering not_applicable · 5 C early_childhood worked, no
                     follow-up · 7 D parenting resolved
    Not counted: 8 B selected at M2 (not worked) · 9 B worked at a 2024 meeting (resolved) · 10 a case of
    another network worked in 2025 (resolved).
    → worked 7, clients 4, themes 4, followed up 6 (6 sur 7), resolved 2, resolved or overcome 3, with an
      outcome other than not_applicable 5: 2 sur 5 and 3 sur 5.
    """
    network = factories.create_network(name="Réseau N")
    t1, t2 = factories.create_territory(network, "CC Un"), factories.create_territory(network, "CC Deux")
    a, b = (factories.create_member(network=network, territory_id=t1.id) for _ in range(2))
    c, d = (factories.create_member(network=network, territory_id=t2.id) for _ in range(2))
    m1, m2 = create_meeting(network, at(2025, 3, 10)), create_meeting(network, at(2025, 6, 15))
    worked(a, m1, T.EARLY_CHILDHOOD, S.CLOSED, O.RESOLVED)
    worked(b, m1, T.PARENTING, outcome=O.NOT_RESOLVED)
    worked(d, m1, T.HOUSING, outcome=O.PARTIALLY_RESOLVED)
    worked(a, m2, T.PARENTING, outcome=O.OVERCOME)
    worked(c, m2, T.CTG_STEERING, outcome=O.NOT_APPLICABLE)
    worked(c, m2, T.EARLY_CHILDHOOD, S.WORKED)
    worked(d, m2, T.PARENTING, outcome=O.RESOLVED)
    create_case(b, state=S.SELECTED, meeting=m2, theme=T.HOUSING)
    worked(b, create_meeting(network, at(2024, 11, 10)), T.HOUSING, outcome=O.RESOLVED)
    other = factories.create_network(name="Autre réseau")
    worked(factories.create_member(network=other), create_meeting(other, at(2025, 5, 2)), T.HOUSING,
           outcome=O.RESOLVED)
    return dict(network=network, other=other, t1=t1, t2=t2, m2=m2)


def test_codev_figures_count_cases_worked_in_the_period(codev):
    figures = indicators.codev_figures(scope_of(codev["network"]))[None]

    assert figures == CodevFigures(
        cases_worked=7, distinct_clients=4, distinct_themes=4, followed_up=6, resolved=2, resolved_or_overcome=3,
        outcome_counts={"resolved": 2, "overcome": 1, "partially_resolved": 1, "not_resolved": 1,
                        "not_applicable": 1},
        with_outcome=5)
    assert figures.follow_up_completion == Ratio(6, 7)
    assert figures.resolved_rate == Ratio(2, 5)
    assert figures.resolved_or_overcome_rate == Ratio(3, 5)


def test_a_missing_follow_up_is_not_counted_as_unresolved(codev):
    figures = indicators.codev_figures(scope_of(codev["network"]))[None]

    # case 5 (worked, no follow-up) is in cases_worked but neither in the outcomes nor in the rate's denominator
    assert (figures.cases_worked, sum(figures.outcome_counts.values())) == (7, 6)
    assert figures.outcome_counts["not_resolved"] == 1
    assert figures.resolved_or_overcome_rate.denominator == 5


def test_codev_territory_filter_uses_the_clients_territory(codev):
    first = indicators.codev_figures(scope_of(codev["network"], territory_id=codev["t1"].id))[None]
    second = indicators.codev_figures(scope_of(codev["network"], territory_id=codev["t2"].id))[None]

    assert (first.cases_worked, first.distinct_clients, first.distinct_themes, first.followed_up) == (3, 2, 2, 3)
    assert (first.resolved_rate, first.resolved_or_overcome_rate) == (Ratio(1, 3), Ratio(2, 3))
    assert (second.cases_worked, second.distinct_clients, second.distinct_themes, second.followed_up) == (4, 2, 4, 3)
    assert (second.resolved_rate, second.resolved_or_overcome_rate) == (Ratio(1, 2), Ratio(1, 2))
    assert second.follow_up_completion == Ratio(3, 4)


def test_codev_quarter_and_meetings_after_now(codev):
    first_quarter = indicators.codev_figures(scope_of(codev["network"], quarter=1))[None]
    before_m2 = indicators.codev_figures(scope_of(codev["network"], now=datetime(2025, 6, 1, tzinfo=UTC)))[None]

    assert (first_quarter.cases_worked, first_quarter.resolved_or_overcome_rate) == (3, Ratio(1, 3))
    assert before_m2.cases_worked == 3


def test_codev_by_network_and_the_total(codev):
    scope = Scope(period=Period(2025), now=NOW)

    per_network = indicators.codev_figures(scope, by_network=True)
    total = indicators.codev_figures(scope)[None]

    assert {key: (f.cases_worked, f.resolved, f.with_outcome) for key, f in per_network.items()} == {
        codev["network"].id: (7, 2, 5), codev["other"].id: (1, 1, 1)}
    assert (total.cases_worked, total.distinct_clients, total.resolved_or_overcome_rate) == (8, 5, Ratio(4, 6))


def test_a_period_without_cases_has_no_codev_line(codev):
    assert indicators.codev_figures(scope_of(codev["network"], year=2023)) == {}
    summary = indicators.network_summary(scope_of(codev["network"], year=2023))
    assert summary.codev == CodevFigures()
    assert summary.codev.resolved_rate.value is None


# --- votes ----------------------------------------------------------------------------------------

def ballots(vote, *members):
    _db.session.add_all(Ballot(vote_id=vote.id, member_id=member.id) for member in members)
    _db.session.commit()


@pytest.fixture
def votes(db):
    """
    Network N, period 2025. A, B (T1), C, D (T2), F (facilitator) joined 2024; E joined 2025-08-01;
    G deactivated 2025-05-01; an admin (never entitled).
      R1 confirmed, deadline 2025-03-17: entitled A B C D F G = 6, ballots A B G = 3
      R2 closed early on 2025-06-20 (deadline 2025-06-29): entitled A B C D F = 5, ballots A C D F = 4
    Not counted: a draft round, a round still open until 2026-01-05 (after now), a round closed in 2024.
    → 2 rounds, 7 sur 11; territory T1: 3 sur 4. Another network's round: 1 sur 2.
    """
    network = factories.create_network(name="Réseau N")
    t1, t2 = factories.create_territory(network, "CC Un"), factories.create_territory(network, "CC Deux")
    a, b = (factories.create_member(network=network, territory_id=t1.id) for _ in range(2))
    c, d = (factories.create_member(network=network, territory_id=t2.id) for _ in range(2))
    f = factories.create_member(network=network, role=Role.FACILITATOR)
    e = factories.create_member(network=network, joined_on=date(2025, 8, 1))
    g = factories.create_member(network=network, is_active=False, deactivated_at=datetime(2025, 5, 1, tzinfo=UTC))
    factories.create_member(network=None, role=Role.ADMIN)
    topics = [create_topic(network), create_topic(network)]
    m1, m2 = create_meeting(network, at(2025, 3, 10)), create_meeting(network, at(2025, 6, 15))
    r1 = create_vote(m1, topics, status=VoteStatus.CONFIRMED, closes_at=at(2025, 3, 17, 18),
                     closed_at=at(2025, 3, 17, 18))
    ballots(r1, a, b, g)
    r2 = create_vote(m2, topics, status=VoteStatus.CLOSED, closes_at=at(2025, 6, 29, 18), closed_at=at(2025, 6, 20))
    ballots(r2, a, c, d, f)
    create_vote(m2, topics, status=VoteStatus.DRAFT, closes_at=at(2025, 7, 1))
    ballots(create_vote(m2, topics, status=VoteStatus.OPEN, closes_at=at(2026, 1, 5)), a, b, c, d, e)
    ballots(create_vote(create_meeting(network, at(2024, 12, 1)), topics, status=VoteStatus.CONFIRMED,
                        closes_at=at(2024, 12, 8)), a)
    other = factories.create_network(name="Autre réseau")
    voter, _abstainer = (factories.create_member(network=other) for _ in range(2))
    ballots(create_vote(create_meeting(other, at(2025, 9, 1)), [create_topic(other)], status=VoteStatus.OPEN,
                        closes_at=at(2025, 9, 8)), voter)
    return dict(network=network, other=other, t1=t1)


def test_vote_turnout_over_two_rounds(votes):
    turnout = indicators.vote_turnout(scope_of(votes["network"]))[None]

    assert turnout == VoteTurnout(rounds=2, ballots=7, eligible=11)
    assert turnout.turnout == Ratio(7, 11)


def test_vote_turnout_territory_filter(votes):
    turnout = indicators.vote_turnout(scope_of(votes["network"], territory_id=votes["t1"].id))[None]

    assert turnout == VoteTurnout(rounds=2, ballots=3, eligible=4)


def test_vote_turnout_by_network_and_the_total(votes):
    scope = Scope(period=Period(2025), now=NOW)

    per_network = indicators.vote_turnout(scope, by_network=True)
    total = indicators.vote_turnout(scope)[None]

    assert per_network == {votes["network"].id: VoteTurnout(2, 7, 11), votes["other"].id: VoteTurnout(1, 1, 2)}
    assert total == VoteTurnout(3, 8, 13)


def test_the_synthesis_total_sums_the_networks_vote_turnout(votes):
    scope = Scope(period=Period(2025), now=NOW)

    rows, total = indicators.network_summaries(scope)

    assert [(row.name, row.votes) for row in rows] == [("Autre réseau", VoteTurnout(1, 1, 2)),
                                                       ("Réseau N", VoteTurnout(2, 7, 11))]
    assert total.votes == VoteTurnout(3, 8, 13) == indicators.vote_turnout(scope)[None]


def test_the_synthesis_total_of_each_year_sums_that_years_turnout(votes):
    years = indicators.series_summaries(Series.of_years(2024, 2025, NOW))

    assert [(scope.period.year, total.votes) for scope, _rows, total in years] == [
        (2024, VoteTurnout(1, 1, 6)), (2025, VoteTurnout(3, 8, 13))]


def test_vote_turnout_counts_only_rounds_closed_before_now(votes):
    first_half = indicators.vote_turnout(scope_of(votes["network"], now=datetime(2025, 6, 25, tzinfo=UTC)))
    before_any = indicators.vote_turnout(scope_of(votes["network"], now=datetime(2025, 3, 1, tzinfo=UTC)))

    assert first_half[None] == VoteTurnout(2, 7, 11)  # R2 was closed early, on 20 June
    assert before_any == {}


def test_network_summaries_carry_codev_and_votes(codev):
    scope = Scope(period=Period(2025), now=NOW)

    rows, total = indicators.network_summaries(scope)

    assert [(row.name, row.codev.cases_worked, row.votes) for row in rows] == [
        ("Autre réseau", 1, VoteTurnout()), ("Réseau N", 7, VoteTurnout())]
    assert (total.codev.cases_worked, total.codev.resolved_or_overcome_rate) == (8, Ratio(4, 6))
