"""The transitions table: every legal move succeeds, every other pair raises InvalidTransition."""

import itertools

import pytest

from network.audit import AuditEvent
from network.codev import services
from network.codev.enums import CASE_TRANSITIONS, CaseState, Outcome, Party
from network.codev.models import CaseFollowUp
from network.errors import DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from tests.codev import factories as codev_factories
from tests.codev.factories import reload

LEGAL = sorted(CASE_TRANSITIONS, key=lambda move: (move[0].value, move[1].value))
ILLEGAL = [(a, b) for a, b in itertools.product(CaseState, CaseState) if (a, b) not in CASE_TRANSITIONS]


def _prepare(workshop, source: CaseState, target: CaseState):
    case = workshop.case
    case.state = source
    if target == CaseState.FOLLOWED_UP:
        db.session.add(CaseFollowUp(case_id=case.id, author_id=workshop.client.id, outcome=Outcome.RESOLVED,
                                    helpfulness=3))
    db.session.commit()
    later = codev_factories.create_meeting(workshop.network, days_from_now=90)
    meeting = {CaseState.PROPOSED: later, CaseState.SELECTED: workshop.meeting, CaseState.POSTPONED: later}.get(target)
    return reload(case), meeting


def _actor(workshop, parties):
    for party, member in ((Party.CLIENT, workshop.client), (Party.FACILITATOR, workshop.facilitator),
                          (Party.ANIMATOR, workshop.animator)):
        if party in parties:
            return member
    raise AssertionError(parties)


def test_transitions_table_matches_the_design():
    chain = [("draft", "proposed"), ("proposed", "selected"), ("selected", "worked"), ("worked", "followed_up"),
             ("followed_up", "closed")]
    assert all((CaseState(a), CaseState(b)) in CASE_TRANSITIONS for a, b in chain)
    assert {b for _, b in CASE_TRANSITIONS} == set(CaseState) - {CaseState.DRAFT}
    assert not any(a in (CaseState.CLOSED, CaseState.WITHDRAWN) for a, _ in CASE_TRANSITIONS)


@pytest.mark.parametrize(("source", "target"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_legal_move_succeeds_and_is_audited(workshop, source, target):
    case, meeting = _prepare(workshop, source, target)
    actor = _actor(workshop, CASE_TRANSITIONS[(source, target)])

    services.change_case_state(case, target, actor=actor, meeting=meeting)
    db.session.commit()

    assert reload(case).state == target
    event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor_id, event.object_id) == (f"codev.case.{target.value}", actor.id, case.id)
    assert "state" in event.fields.split(",")


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_illegal_move_raises_invalid_transition(workshop, source, target):
    case, meeting = _prepare(workshop, source, target)

    with pytest.raises(InvalidTransition) as error:
        services.change_case_state(case, target, actor=workshop.facilitator, meeting=meeting)

    assert "ne peut pas passer" in str(error.value)
    assert reload(case).state == source


@pytest.mark.parametrize("who", ["consultant", "other", "admin", "facilitator"])
def test_withdrawal_by_anyone_but_the_client_is_not_allowed(workshop, who):
    actor = {"consultant": workshop.consultants[0], "other": workshop.other, "admin": workshop.admin,
             "facilitator": workshop.facilitator}[who]
    with pytest.raises(NotAllowed):
        services.change_case_state(reload(workshop.case), CaseState.WITHDRAWN, actor=actor)


def test_selection_by_the_client_is_not_allowed(workshop):
    case = codev_factories.create_case(workshop.client, state=CaseState.PROPOSED)
    with pytest.raises(NotAllowed):
        services.select_case(reload(case), actor=workshop.client, meeting=workshop.meeting)


def test_worked_without_a_subgroup_is_refused(workshop):
    case = codev_factories.create_case(workshop.other, state=CaseState.SELECTED, meeting=workshop.meeting)
    with pytest.raises(DomainError, match="Composez le sous-groupe"):
        services.change_case_state(reload(case), CaseState.WORKED, actor=workshop.facilitator)


def test_proposing_an_empty_sheet_is_refused(workshop):
    case = codev_factories.create_case(workshop.other, context="", question="")
    with pytest.raises(DomainError, match="contexte et la question"):
        services.propose_case(reload(case), actor=workshop.other, meeting=None)


def test_proposing_for_a_past_or_foreign_meeting_is_refused(workshop):
    from tests import factories
    case = codev_factories.create_case(workshop.other)
    past = codev_factories.create_meeting(workshop.network, days_from_now=-10, status="held")
    foreign = codev_factories.create_meeting(factories.create_network(), days_from_now=10)
    with pytest.raises(DomainError, match="rencontre à venir"):
        services.propose_case(reload(case), actor=workshop.other, meeting=past)
    with pytest.raises(NotAllowed, match="n'appartient pas au réseau"):
        services.propose_case(reload(case), actor=workshop.other, meeting=foreign)


def test_postponing_to_an_earlier_meeting_is_refused(workshop):
    earlier = codev_factories.create_meeting(workshop.network, days_from_now=5)
    with pytest.raises(DomainError, match="ultérieure"):
        services.postpone_case(reload(workshop.case), actor=workshop.facilitator, meeting=earlier)


def test_postponing_a_selected_case_dissolves_its_subgroup(workshop):
    later = codev_factories.create_meeting(workshop.network, days_from_now=100)
    services.postpone_case(reload(workshop.case), actor=workshop.facilitator, meeting=later)
    db.session.commit()
    case = reload(workshop.case)
    assert (case.state, case.meeting_id, case.subgroup, case.postponed_count) == ("postponed", later.id, None, 1)
