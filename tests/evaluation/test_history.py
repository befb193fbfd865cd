"""Membership history (DESIGN.md §4): a member who leaves and comes back, a member who moves to another territory.
Figures of a closed period never move when memberships change after it; expected values computed by hand."""

from datetime import UTC, date, datetime

import pytest

from network.database import utcnow
from network.evaluation import indicators
from network.evaluation.enums import Breakdown
from network.evaluation.figures import Assiduity, AttendanceCounts, Ratio, VoteTurnout
from network.periods import Period, Scope
from network.extensions import db
from network.members import history, services
from network.members.enums import Role
from network.topics.enums import VoteStatus
from network.topics.models import Ballot
from tests import factories
from tests.evaluation.conftest import at, create_meeting, invite_and_record
from tests.topics.factories import create_topic, create_vote


def data_of(member, **changes) -> services.MemberData:
    values = {field: getattr(member, field) for field in services.MEMBER_FIELDS}
    values.update(changes)
    return services.MemberData(**values)


@pytest.fixture
def story(db):
    """
    Network N, facilitator F; A, B, X, Y in T1 (CC Un), C, D in T2 (CC Deux); everyone joined 2024-01-01.
    Invitations to the four 2025 meetings went to everyone in advance (P present, A absent, – no row = absent):
                 A  B  C  D  X  Y
      M1 03-10   P  P  A  P  P  P     6 invited, 5 present
      M2 06-15   P  A  P  P  P  A     6 invited, 4 present
      X deactivated 2025-07-01; Y moves from T1 to T2 on 2025-09-01
      M3 09-20   P  P  P  A  –  P     5 invited (X away), 4 present
      M4 12-10   P  A  A  P  –  P     5 invited (X away), 3 present
    → 2025: 16 sur 22. T1: A 4/4, B 2/4, X 2/2, Y 1/2 (M1, M2) = 9 sur 12; T2: C 2/4, D 3/4, Y 2/2 (M3, M4) = 7 sur
    10. Assiduity ≥ 75 %: A 4/4, D 3/4, X 2/2, Y 3/4 (not B 2/4, C 2/4) = 4 members of 6.
    Vote round closed 2025-10-01, ballots A, B: entitled F A B C D Y = 6 (X away) → 2 sur 6.
    Members active on 2025-12-31: F A B C D Y = 6.
    """
    network = factories.create_network(name="Réseau N")
    t1, t2 = factories.create_territory(network, "CC Un"), factories.create_territory(network, "CC Deux")
    facilitator = factories.create_member(network=network, role=Role.FACILITATOR)
    a, b, x, y = (factories.create_member(network=network, territory_id=t1.id, last_name=name) for name in "ABXY")
    c, d = (factories.create_member(network=network, territory_id=t2.id, last_name=name) for name in "CD")
    meetings = [create_meeting(network, at(2025, month, day)) for month, day in ((3, 10), (6, 15), (9, 20), (12, 10))]
    invite_and_record(meetings[0], {a: "present", b: "present", c: "absent", d: "present", x: "present",
                                    y: "present"})
    invite_and_record(meetings[1], {a: "present", b: "absent", c: "present", d: "present", x: "present",
                                    y: "absent"})
    services.deactivate_member(actor=facilitator, member=x, now=datetime(2025, 7, 1, 10, tzinfo=UTC))
    services.update_member(actor=facilitator, member=y, data=data_of(y, territory_id=t2.id),
                           now=datetime(2025, 9, 1, 10, tzinfo=UTC))
    db.session.commit()
    invite_and_record(meetings[2], {a: "present", b: "present", c: "present", d: "absent", x: None, y: "present"})
    invite_and_record(meetings[3], {a: "present", b: "absent", c: "absent", d: "present", x: None, y: "present"})
    topics = [create_topic(network), create_topic(network)]
    vote = create_vote(meetings[2], topics, status=VoteStatus.CONFIRMED, closes_at=at(2025, 10, 1, 18),
                       closed_at=at(2025, 10, 1, 18))
    db.session.add_all(Ballot(vote_id=vote.id, member_id=member.id) for member in (a, b))
    db.session.commit()
    return dict(network=network, t1=t1, t2=t2, facilitator=facilitator, x=x, y=y, a=a, vote=vote)


def figures_2025(story):
    """Every 2025 figure the scenario pins down, as a plain tuple (compared before and after the changes)."""
    scope = Scope(Period(2025), now=utcnow(), network_ids=(story["network"].id,))
    summary = indicators.network_summary(scope)
    territories = indicators.attendance_breakdown(scope, Breakdown.TERRITORY)
    t1_scope = Scope(Period(2025), now=utcnow(), network_ids=(story["network"].id,), territory_id=story["t1"].id)
    return (summary.attendance.counts, summary.attendance.assiduity, summary.votes, summary.active_members,
            [(row.label, row.counts.attended, row.counts.invited) for row in territories],
            indicators.attendance_totals(t1_scope), [(row.title[-10:], row.counts.invited)
                                                      for row in indicators.meeting_attendance(scope)])


EXPECTED_2025 = (
    AttendanceCounts(invited=22, present=16, partial=0, excused=0, absent=6),
    Assiduity(members=6, at_threshold=4),
    VoteTurnout(rounds=1, ballots=2, eligible=6),
    6,
    [("CC Deux", 7, 10), ("CC Un", 9, 12)],
    AttendanceCounts(invited=12, present=9, partial=0, excused=0, absent=3),
    [("10/03/2025", 6), ("15/06/2025", 6), ("20/09/2025", 5), ("10/12/2025", 5)],
)


def test_history_scenario_figures_by_hand(story):
    assert figures_2025(story) == EXPECTED_2025
    assert figures_2025(story)[0].rate == Ratio(16, 22)


def test_history_reactivation_and_a_later_move_leave_2025_unchanged(story):
    services.reactivate_member(actor=story["facilitator"], member=story["x"], now=datetime(2026, 2, 1, tzinfo=UTC))
    services.update_member(actor=story["facilitator"], member=story["y"],
                           data=data_of(story["y"], territory_id=story["t1"].id), now=datetime(2026, 2, 2, tzinfo=UTC))
    db.session.commit()

    assert figures_2025(story) == EXPECTED_2025


def test_history_reactivated_member_counts_again_after_return(story):
    services.reactivate_member(actor=story["facilitator"], member=story["x"], now=datetime(2026, 2, 1, tzinfo=UTC))
    db.session.commit()
    meeting = create_meeting(story["network"], at(2026, 3, 10))
    invite_and_record(meeting, {story["x"]: "present", story["a"]: "absent"})

    scope = Scope(Period(2026), now=utcnow(), network_ids=(story["network"].id,))
    assert indicators.attendance_totals(scope) == AttendanceCounts(invited=2, present=1, partial=0, excused=0,
                                                                   absent=1)


def test_history_closed_vote_page_turnout_counts_members_active_at_the_close(story):
    from network.topics import queries as topic_queries

    before = topic_queries.turnout(story["vote"])
    services.reactivate_member(actor=story["facilitator"], member=story["x"])
    db.session.commit()

    assert (before.voters, before.eligible) == (2, 6)  # F A B C D Y; X away at the close
    assert (topic_queries.turnout(story["vote"]).voters, topic_queries.turnout(story["vote"]).eligible) == (2, 6)
    assert topic_queries.eligible_voter_count(story["network"].id) == 7  # who may vote today: X is back


def test_history_periods_rows_of_the_story(story):
    x_periods = [(p.started_at, p.ended_at) for p in history.periods_of(story["x"])]
    y_periods = [(p.started_at, p.ended_at, p.territory_id) for p in history.periods_of(story["y"])]

    assert x_periods == [(datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 7, 1, 10, tzinfo=UTC))]
    assert y_periods == [
        (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 9, 1, 10, tzinfo=UTC), story["t1"].id),
        (datetime(2025, 9, 1, 10, tzinfo=UTC), None, story["t2"].id),
    ]
    services.reactivate_member(actor=story["facilitator"], member=story["x"], now=datetime(2026, 2, 1, tzinfo=UTC))
    db.session.commit()
    assert [(p.started_at, p.ended_at) for p in history.periods_of(story["x"])] == [
        (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 7, 1, 10, tzinfo=UTC)),
        (datetime(2026, 2, 1, tzinfo=UTC), None),
    ]


def test_history_corrected_entry_date_moves_the_first_period(story):
    services.update_member(actor=story["facilitator"], member=story["a"],
                           data=data_of(story["a"], joined_on=date(2025, 5, 1)))
    db.session.commit()

    assert [p.started_at for p in history.periods_of(story["a"])] == [datetime(2025, 5, 1, tzinfo=UTC)]
    scope = Scope(Period(2025), now=utcnow(), network_ids=(story["network"].id,))
    assert indicators.attendance_totals(scope).invited == 21  # A no longer counted at M1 (10 March)


def test_history_territory_used_only_in_history_cannot_be_deleted(story):
    services.update_member(actor=story["facilitator"], member=story["y"],
                           data=data_of(story["y"], territory_id=story["t1"].id))
    db.session.commit()
    empty = factories.create_territory(story["network"], "CC Vide")
    services.update_member(actor=story["facilitator"], member=story["a"], data=data_of(story["a"],
                                                                                       territory_id=empty.id))
    services.update_member(actor=story["facilitator"], member=story["a"], data=data_of(story["a"],
                                                                                       territory_id=story["t1"].id))
    db.session.commit()

    with pytest.raises(services.Conflict, match="Ce territoire est celui de 1 membre"):
        services.delete_territory(empty, actor=story["facilitator"], network=story["network"])


# --- the property: changes after a period's end never move its figures ------------------------------------------

from datetime import timedelta  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# (what, who: 0 = A, 1 = X (away since July 2025), 2 = Y (moved in September 2025), 3–5 = B C D, then newcomers,
#  days after 1 January 2026)
CHANGE = st.tuples(st.sampled_from(["deactivate", "reactivate", "territory", "institution", "join"]),
                   st.one_of(st.just(1), st.just(2), st.integers(min_value=0, max_value=7)),
                   st.integers(min_value=0, max_value=720))


def _apply_changes(story, changes) -> None:
    network, facilitator = story["network"], story["facilitator"]
    people = sorted((story[key] for key in ("a", "x", "y")), key=lambda member: member.id) + [
        member for member in db.session.scalars(db.select(services.Member).where(
            services.Member.network_id == network.id, services.Member.role == Role.COORDINATOR,
            services.Member.id.not_in([story[key].id for key in ("a", "x", "y")])).order_by(services.Member.id))]
    institutions = [factories.Institution(network_id=network.id, name=f"Institution {n}", kind="caf")
                    for n in range(2)]
    db.session.add_all(institutions)
    db.session.flush()
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    for number, (kind, who, days) in enumerate(sorted(changes, key=lambda change: change[2])):
        member, when = people[who % len(people)], start + timedelta(days=days, minutes=number)
        if kind == "deactivate":
            services.deactivate_member(actor=facilitator, member=member, now=when)
        elif kind == "reactivate":
            services.reactivate_member(actor=facilitator, member=member, now=when)
        elif kind == "territory":
            other = story["t2"] if member.territory_id == story["t1"].id else story["t1"]
            services.update_member(actor=facilitator, member=member, data=data_of(member, territory_id=other.id),
                                   now=when)
        elif kind == "institution":
            services.update_member(actor=facilitator, member=member,
                                   data=data_of(member, institution_id=institutions[days % 2].id), now=when)
        else:
            people.append(services.create_member(
                actor=facilitator, network=network, send_invitation=False,
                data=services.MemberData(first_name="Nouvelle", last_name=f"Arrivée {number}",
                                         email=f"arrivee{number}@example.test", territory_id=story["t1"].id,
                                         joined_on=when.date())))
    db.session.flush()


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(CHANGE, max_size=12))
def test_history_closed_period_unchanged_by_any_later_changes(story, changes):
    savepoint = db.session.begin_nested()
    try:
        _apply_changes(story, changes)
        assert figures_2025(story) == EXPECTED_2025
        institutions = indicators.attendance_breakdown(
            Scope(Period(2025), now=utcnow(), network_ids=(story["network"].id,)), Breakdown.INSTITUTION)
        assert [(row.label, row.counts.invited) for row in institutions] == [("Sans institution", 22)]
    finally:
        savepoint.rollback()


def test_demo_has_a_member_away_for_a_while_and_a_member_who_moved(db):
    from network.demo import seed_demo
    from network.periods import PARIS

    seed_demo()
    db.session.commit()
    last_year = utcnow().astimezone(PARIS).year - 1
    kevin, julie = (db.session.scalars(db.select(services.Member).where(services.Member.email == email)).one()
                    for email in ("kevin.morel@example.org", "julie.bernard@example.org"))
    territories = dict(db.session.execute(db.select(factories.Territory.id, factories.Territory.name)).all())

    assert [(p.started_at.astimezone(PARIS).date(), p.ended_at and p.ended_at.astimezone(PARIS).date())
            for p in history.periods_of(kevin)][1:] == [(date(last_year, 11, 15), None)]
    assert history.periods_of(kevin)[0].ended_at.astimezone(PARIS).date() == date(last_year, 7, 1)
    assert [(territories[p.territory_id], p.ended_at is None) for p in history.periods_of(julie)] == [
        ("CC des 7 Vallées", False), ("CA des 2 Baies en Montreuillois", True)]
    assert (kevin.is_active, julie.territory_id) == (True, history.periods_of(julie)[-1].territory_id)
