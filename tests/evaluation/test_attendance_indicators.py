"""Attendance, topics and training indicators on a hand-computed scenario (DESIGN.md §4)."""

from datetime import UTC, date, datetime

import pytest

from network.evaluation import indicators
from network.evaluation.enums import Breakdown
from network.evaluation.figures import AttendanceCounts, CodevFigures, Ratio, VoteTurnout
from network.periods import Period, Scope
from network.sessions.enums import MeetingKind, MeetingStatus
from tests import factories
from tests.evaluation.conftest import (
    NOW, at, create_invitation, create_meeting, invite_and_record, leave, record_attendance, scope_of,
)


@pytest.fixture
def scenario(db):
    """
    M1 2025-03-10: A present, B partial, C excused, D present, F present; E invited but joined 2025-06-01
                   (not counted); a guest invited and present (not counted)      → 4 sur 5, hors excusés 4 sur 4
    M2 2025-06-15: A present, B absent, C present, E present, D invited without a row (absent), G absent;
                   F invited but deactivated 2025-05-01 (not counted)            → 3 sur 6
    M3 2025-09-20: held, attendance not recorded                                 → shown, excluded from rates
    M4 2025-11-20: cancelled                                                     → ignored
    Training 2025-04-05: A present, B present, C absent                          → 2 sur 3
    """
    network = factories.create_network()
    t1 = factories.create_territory(network, "CC Un")
    t2 = factories.create_territory(network, "CC Deux")
    i1 = factories.create_institution(network, "Caf test")
    people = {}
    for name, territory, institution, joined in [
        ("A", t1, i1, date(2024, 1, 1)), ("B", t1, None, date(2024, 1, 1)), ("C", t2, i1, date(2024, 1, 1)),
        ("D", t2, None, date(2024, 1, 1)), ("E", t2, None, date(2025, 6, 1)), ("F", None, None, date(2024, 1, 1)),
        ("G", None, None, date(2024, 1, 1)),
    ]:
        people[name] = factories.create_member(
            network=network, last_name=name, territory_id=territory.id if territory else None,
            institution_id=institution.id if institution else None, joined_on=joined)
    leave(people["F"], datetime(2025, 5, 1, tzinfo=UTC))
    a, b, c, d, e, f, g = (people[key] for key in "ABCDEFG")
    m1 = create_meeting(network, at(2025, 3, 10), topic_id=11)
    invite_and_record(m1, {a: "present", b: "partial", c: "excused", d: "present", f: "present", e: None})
    create_invitation(m1, guest_email="intervenante@example.test")
    record_attendance(m1, guest_name="Intervenante")
    m2 = create_meeting(network, at(2025, 6, 15), topic_id=12)
    invite_and_record(m2, {a: "present", b: "absent", c: "present", e: "present", d: None, g: "absent",
                           f: "present"})
    m3 = create_meeting(network, at(2025, 9, 20))
    invite_and_record(m3, {a: None, b: None, c: None})
    m4 = create_meeting(network, at(2025, 11, 20), status=MeetingStatus.CANCELLED, topic_id=13)
    invite_and_record(m4, {a: "present"})
    training = create_meeting(network, at(2025, 4, 5), kind=MeetingKind.TRAINING)
    invite_and_record(training, {a: "present", b: "present", c: "absent"})
    return dict(network=network, t1=t1, t2=t2, i1=i1, m1=m1, m2=m2, m3=m3, **people)


def test_meeting_rates_count_active_invited_members_only(scenario):
    rows = indicators.meeting_attendance(scope_of(scenario["network"]))

    assert [(row.title, row.is_recorded) for row in rows] == [
        ("Rencontre du 10/03/2025", True), ("Rencontre du 15/06/2025", True), ("Rencontre du 20/09/2025", False)]
    m1, m2, m3 = rows
    assert m1.counts == AttendanceCounts(invited=5, present=3, partial=1, excused=1, absent=0)
    assert m1.counts.rate == Ratio(4, 5)
    assert m1.counts.rate_excused_excluded == Ratio(4, 4)
    assert m2.counts == AttendanceCounts(invited=6, present=3, partial=0, excused=0, absent=3)
    assert m2.counts.rate.value == 0.5
    assert m3.counts.invited == 0


def test_period_rate_is_pooled_with_the_mean_of_meeting_rates_beside(scenario):
    summary = indicators.attendance_summary(scope_of(scenario["network"]))

    assert summary.counts.rate == Ratio(7, 11)
    assert summary.counts.rate_excused_excluded == Ratio(7, 10)
    assert summary.mean_meeting_rate == pytest.approx(0.65)
    assert (summary.meetings_recorded, summary.meetings_unrecorded) == (2, 1)


def test_assiduity_counts_members_at_75_percent_or_more(scenario):
    summary = indicators.attendance_summary(scope_of(scenario["network"]))
    per_member = {row.name.split()[-1]: (row.attended, row.invited)
                  for row in indicators.member_assiduity(scope_of(scenario["network"]))}

    assert per_member == {"A": (2, 2), "B": (1, 2), "C": (1, 2), "D": (1, 2), "E": (1, 1), "F": (1, 1),
                          "G": (0, 1)}
    assert summary.assiduity.share == Ratio(3, 7)


def test_breakdowns_by_territory_and_institution(scenario):
    scope = scope_of(scenario["network"])

    territories = {row.label: (row.counts.attended, row.counts.invited, row.counts.excused)
                   for row in indicators.attendance_breakdown(scope, Breakdown.TERRITORY)}
    institutions = {row.label: (row.counts.attended, row.counts.invited)
                    for row in indicators.attendance_breakdown(scope, Breakdown.INSTITUTION)}

    assert territories == {"CC Un": (3, 4, 0), "CC Deux": (3, 5, 1), "Sans territoire": (1, 2, 0)}
    assert institutions == {"Caf test": (3, 4), "Sans institution": (4, 7)}


def test_quarter_and_territory_filters(scenario):
    first_quarter = indicators.attendance_summary(scope_of(scenario["network"], quarter=1))
    second_territory = indicators.attendance_summary(scope_of(scenario["network"], territory_id=scenario["t2"].id))

    assert first_quarter.counts.rate == Ratio(4, 5)
    assert (first_quarter.meetings_recorded, first_quarter.meetings_unrecorded) == (1, 0)
    assert second_territory.counts.rate == Ratio(3, 5)


def test_meetings_after_now_are_not_counted(scenario):
    summary = indicators.attendance_summary(scope_of(scenario["network"], now=datetime(2025, 5, 1, tzinfo=UTC)))

    assert summary.counts.rate == Ratio(4, 5)
    assert summary.meetings_recorded == 1


def test_topics_handled_counts_held_meetings_with_a_topic(scenario):
    topics = indicators.topic_figures(scope_of(scenario["network"]))

    assert (topics.meetings_held, topics.meetings_with_topic, topics.distinct_topics) == (3, 2, 2)
    assert topics.share == Ratio(2, 3)


def test_training_attendance(scenario):
    training = indicators.training_figures(scope_of(scenario["network"]))

    assert training.summary.counts.rate == Ratio(2, 3)
    assert training.summary.meetings_recorded == 1
    assert training.participants == 2


def test_an_empty_period_has_no_rate(scenario):
    summary = indicators.attendance_summary(scope_of(scenario["network"], year=2023))

    assert summary.counts == AttendanceCounts()
    assert summary.counts.rate.value is None
    assert summary.mean_meeting_rate is None
    assert summary.assiduity.share.value is None


def test_network_summaries_give_one_line_per_network_and_the_total(scenario):
    other = factories.create_network(name="Autre réseau")
    member = factories.create_member(network=other)
    meeting = create_meeting(other, at(2025, 3, 12))
    invite_and_record(meeting, {member: "absent"})
    from network.periods import Period, Scope
    scope = Scope(period=Period(2025), now=datetime(2025, 12, 31, tzinfo=UTC))

    rows, total = indicators.network_summaries(scope)

    assert [(row.name, row.attendance.counts.rate) for row in rows] == [
        ("Autre réseau", Ratio(0, 1)), (scenario["network"].name, Ratio(7, 11))]
    assert total.attendance.counts.rate == Ratio(7, 12)
    assert total.attendance.mean_meeting_rate == pytest.approx((0.8 + 0.5 + 0) / 3)
    assert total.attendance.assiduity.share == Ratio(3, 8)
    assert total.attendance.assiduity == indicators.attendance_summary(scope).assiduity  # summed == queried
    assert total.topics.meetings_held == 4
    assert total.active_members == 7  # F is deactivated
    assert total.codev == CodevFigures() and total.votes == VoteTurnout()  # zeros, no longer "à venir"


def _meeting_tuples(rows):
    return [(row.title, bool(row.is_recorded), row.invited, row.present, row.partial, row.excused) for row in rows]


def _member_tuples(rows):
    return [(row.id, row.last_name, row.network_id, row.attended, row.invited) for row in rows]


def test_period_attendance_reads_every_view_of_the_period_in_two_statements(scenario, count_queries):
    scope = scope_of(scenario["network"])
    with count_queries() as counter:
        attendance = indicators.period_attendance(scope)

    assert counter.count == 2
    assert _meeting_tuples(attendance.meetings) == [
        ("Rencontre du 10/03/2025", True, 5, 3, 1, 1), ("Rencontre du 15/06/2025", True, 6, 3, 0, 0),
        ("Rencontre du 20/09/2025", False, None, None, None, None)]
    assert [(row.last_name, row.attended, row.invited) for row in attendance.member_rows] == [
        ("A", 2, 2), ("B", 1, 2), ("C", 1, 2), ("D", 1, 2), ("E", 1, 1), ("F", 1, 1), ("G", 0, 1)]
    assert [(row.id, row.attended, row.invited) for row in attendance.training_member_rows] == [  # by id
        (scenario["A"].id, 1, 1), (scenario["B"].id, 1, 1), (scenario["C"].id, 0, 1)]
    assert {row.label: (row.counts.attended, row.counts.invited, row.counts.excused)
            for row in attendance.territories} == {"CC Un": (3, 4, 0), "CC Deux": (3, 5, 1),
                                                   "Sans territoire": (1, 2, 0)}
    assert {row.label: (row.counts.attended, row.counts.invited)
            for row in attendance.institutions} == {"Caf test": (3, 4), "Sans institution": (4, 7)}


@pytest.mark.parametrize("filters", [{}, {"quarter": 1}, {"territory": "t2"}, {"year": 2023},
                                     {"now": datetime(2025, 5, 1, tzinfo=UTC)}])
def test_period_attendance_gives_the_rows_of_the_six_statements_it_replaces(scenario, filters):
    scope = scope_of(scenario["network"], quarter=filters.get("quarter"), year=filters.get("year", 2025),
                     territory_id=scenario[filters["territory"]].id if "territory" in filters else None,
                     **({"now": filters["now"]} if "now" in filters else {}))
    attendance = indicators.period_attendance(scope)

    assert _meeting_tuples(attendance.meetings) == _meeting_tuples(indicators.meeting_rows(scope))
    assert _meeting_tuples(attendance.trainings) == _meeting_tuples(
        indicators.meeting_rows(scope, MeetingKind.TRAINING))
    assert _member_tuples(attendance.member_rows) == _member_tuples(indicators.member_assiduity_rows(scope))
    assert sorted(_member_tuples(attendance.training_member_rows), key=lambda row: row[0]) == sorted(
        ((row.id, None, row.network_id, row.attended, row.invited)
         for row in indicators.member_assiduity_rows(scope, MeetingKind.TRAINING)), key=lambda row: row[0])
    assert [attendance.territories, attendance.institutions] == indicators.attendance_breakdowns(
        scope, (Breakdown.TERRITORY, Breakdown.INSTITUTION))
    with_rows = indicators.network_summary(scope, meetings=attendance.meetings, trainings=attendance.trainings,
                                           member_rows=attendance.member_rows,
                                           training_member_rows=attendance.training_member_rows)
    assert with_rows == indicators.network_summary(scope)


def test_two_networks_bound_one_by_one_give_each_network_its_line(scenario):
    other = factories.create_network(name="Autre réseau")
    member = factories.create_member(network=other)
    invite_and_record(create_meeting(other, at(2025, 3, 12)), {member: "absent"})
    both = Scope(Period(2025), NOW, (scenario["network"].id, other.id))

    rows, total = indicators.network_summaries(both)

    assert [(row.name, row.attendance.counts.rate, row.active_members) for row in rows] == [
        ("Autre réseau", Ratio(0, 1), 1), (scenario["network"].name, Ratio(7, 11), 6)]
    assert total.attendance.counts.rate == Ratio(7, 12)
    assert rows[1] == indicators.network_summary(scope_of(scenario["network"]))


def test_indicator_statements_bind_no_expanding_parameter():
    """An expanding IN parameter (`column.in_(values)`) has SQLAlchemy rewrite the statement's text at each
    execution; the statements of a network's figures, built once, bind each value on its own."""
    from network.evaluation.indicators import attendance, codev, members, resources, synthesis, topics, trainings, votes
    from network.evaluation import queries
    from network.sessions import attendance_counts

    for network_ids, territory_id in (((1,), None), ((1, 2), 3)):
        shape = Scope(Period(2025), NOW, network_ids, territory_id).shape
        statements = [
            attendance._period_counts_statement(shape), attendance._period_meetings_statement(shape),
            attendance._breakdowns_statement(shape, (Breakdown.TERRITORY, Breakdown.INSTITUTION), "quarterly"),
            attendance_counts._meeting_attendance_statement(shape, "quarterly"),
            attendance_counts._member_assiduity_statement(shape, "quarterly"),
            attendance_counts._assiduity_statement(shape, "training", True),
            codev._codev_statements(shape, True), members._active_members_statement(shape),
            resources._shared_resources_statement(shape), synthesis._networks_statement(shape),
            topics._topic_statement(shape, True), trainings._training_participants_statement(shape, True),
            votes._vote_turnout_statement(shape, True), queries._self_efficacy_statement(shape, True),
            queries._group_rubric_means_statement(shape),
        ]
        for statement in statements:
            assert [name for name, bind in statement.compile().binds.items() if bind.expanding] == []
