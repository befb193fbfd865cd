"""The self-assessment grid: default grid, editing, rubric percentages (NC neutralised), group means (n ≥ 5)."""

from datetime import UTC, date, datetime

import pytest

from network.errors import NotAllowed
from network.evaluation import queries, services
from network.evaluation.default_grid import DEFAULT_GRID
from network.periods import Period, Scope
from network.extensions import db
from tests import factories


@pytest.fixture
def small_grid(network, facilitator):
    """Two rubrics: R1 with activities a, b; R2 with c."""
    first = services.add_rubric(network, title="Rubrique un", short_title="Un", actor=facilitator)
    second = services.add_rubric(network, title="Rubrique deux", short_title="Deux", actor=facilitator)
    services.add_rubric(network, title="Rubrique trois", short_title="Trois", actor=facilitator)
    a = services.add_activity(first, network, label="a", actor=facilitator)
    b = services.add_activity(first, network, label="b", actor=facilitator)
    c = services.add_activity(second, network, label="c", actor=facilitator)
    db.session.commit()
    return a, b, c


def test_default_grid_follows_the_caf_grid(network, facilitator):
    services.create_default_grid(network, actor=facilitator)
    db.session.commit()

    grid = queries.network_grid(network.id)

    assert [entry.rubric.short_title for entry in grid] == [short for _t, short, _a in DEFAULT_GRID]
    assert len(grid[0].activities) == 14
    assert grid[0].activities[1].label == "Développe et suit le plan d'action annuel de la CTG (sur 4 ans)"
    with pytest.raises(NotAllowed):
        services.create_default_grid(network, actor=facilitator)


def test_only_the_network_facilitators_edit_the_grid(network, coordinator):
    other_facilitator = factories.create_member(network=factories.create_network(), role="facilitator")

    for actor in (coordinator, other_facilitator):
        with pytest.raises(NotAllowed):
            services.add_rubric(network, title="X", short_title="X", actor=actor)


def test_rubric_share_neutralises_nc_and_an_all_nc_rubric_is_nc(network, coordinator, small_grid):
    a, b, c = small_grid
    services.record_self_assessment(coordinator, {a.id: 2, b.id: None, c.id: None}, actor=coordinator,
                                    today=date(2025, 1, 10))
    services.record_self_assessment(coordinator, {a.id: 3, b.id: 1, c.id: 0}, actor=coordinator,
                                    today=date(2025, 11, 10))
    db.session.commit()

    scores = queries.member_rubric_scores(coordinator)

    assert [(s.short_title, s.total, s.scored, s.share) for s in scores[0]] == [("Un", 2, 1, 2 / 3),
                                                                             ("Deux", 0, 0, None)]
    assert [(s.short_title, s.share) for s in scores[1]] == [("Un", 4 / 6), ("Deux", 0.0)]


def test_self_assessment_must_score_every_active_activity(network, coordinator, small_grid):
    a, b, c = small_grid
    with pytest.raises(NotAllowed):
        services.record_self_assessment(coordinator, {a.id: 2, b.id: 1}, actor=coordinator, today=date(2025, 1, 1))
    with pytest.raises(NotAllowed):
        services.record_self_assessment(coordinator, {a.id: 4, b.id: 1, c.id: 1}, actor=coordinator,
                                        today=date(2025, 1, 1))


def test_archived_activity_leaves_the_form(network, facilitator, coordinator, small_grid):
    a, b, c = small_grid
    services.update_activity(b, network, label="b", is_active=False, actor=facilitator)

    assessment = services.record_self_assessment(coordinator, {a.id: 1, c.id: 2}, actor=coordinator,
                                                 today=date(2025, 1, 1))

    assert assessment.wave == 0


def test_group_means_need_five_respondents(network, small_grid):
    a, b, c = small_grid
    scope = Scope(period=Period(2025), now=datetime(2025, 12, 31, tzinfo=UTC), network_ids=(network.id,))
    members = [factories.create_member(network=network) for _ in range(5)]
    for index, member in enumerate(members):
        # T0: R1 = (index + 1) / 6 … ; R2 all NC for the first member.
        services.record_self_assessment(member, {a.id: index % 4, b.id: 1, c.id: None if index == 0 else 3},
                                        actor=member, today=date(2025, 1, 5))
    for member in members[:4]:
        services.record_self_assessment(member, {a.id: 3, b.id: 3, c.id: 3}, actor=member, today=date(2025, 9, 5))
    db.session.commit()

    means = {m.short_title: m for m in queries.group_rubric_means(scope)}

    # R1 at T0: (0+1)/6, (1+1)/6, (2+1)/6, (3+1)/6, (0+1)/6 → mean 11/30
    assert means["Un"].respondents_t0 == 5 and means["Un"].mean_t0 == pytest.approx(11 / 30)
    # R2 at T0: the all-NC member is not counted → 4 respondents, below the threshold
    assert (means["Deux"].respondents_t0, means["Deux"].mean_t0) == (4, None)
    assert (means["Un"].respondents_t1, means["Un"].mean_t1) == (4, None)
    assert (means["Trois"].respondents_t0, means["Trois"].mean_t0) == (0, None)
