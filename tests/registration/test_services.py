"""The state machine of join requests: every legal move and the illegal ones."""

import pytest
from sqlalchemy import func, select

from network.errors import InvalidTransition, NotAllowed
from network.extensions import db
from network.registration import services
from network.registration.enums import JoinRequestStatus as Status
from network.registration.models import JoinRequest
from network.registration.services import JoinRequestData, SubmitOutcome
from tests import factories
from tests.registration.conftest import make_join_request


@pytest.mark.parametrize("start, target", [
    (Status.UNCONFIRMED, Status.APPROVED), (Status.UNCONFIRMED, Status.DECLINED),
    (Status.PENDING, Status.PENDING), (Status.APPROVED, Status.DECLINED), (Status.DECLINED, Status.APPROVED),
    (Status.DECLINED, Status.PENDING), (Status.APPROVED, Status.UNCONFIRMED),
])
def test_illegal_moves_are_refused(start, target, network, facilitator):
    join_request = make_join_request(network, status=start)
    with pytest.raises(InvalidTransition):
        services.change_join_request_state(join_request, target, actor=facilitator)
    assert join_request.status == start


def test_confirmation_records_the_time_and_forgets_the_link(app, network):
    join_request = make_join_request(network, status=Status.UNCONFIRMED, confirmation_digest="abc")
    with app.test_request_context():
        services.confirm_join_request(join_request)
    assert (join_request.status, join_request.confirmation_digest) == (Status.PENDING, None)
    assert join_request.confirmed_at is not None


def test_nobody_decides_without_being_a_facilitator_of_the_network(app, network, coordinator, admin):
    join_request = make_join_request(network)
    other = factories.create_member(network=factories.create_network(), role="facilitator")
    with app.test_request_context():
        for actor in (None, coordinator, admin, other):
            with pytest.raises(NotAllowed):
                services.change_join_request_state(join_request, Status.DECLINED, actor=actor)
        for actor in (coordinator, admin, other):
            with pytest.raises(NotAllowed):
                services.approve_join_request(join_request, actor=actor)
    assert join_request.status == Status.PENDING


def test_approval_requires_the_member_account(app, network, facilitator):
    join_request = make_join_request(network)
    with app.test_request_context(), pytest.raises(InvalidTransition):
        services.change_join_request_state(join_request, Status.APPROVED, actor=facilitator)


def test_concurrent_duplicate_is_absorbed_by_the_unique_index(app, network, monkeypatch, caf, epci):
    """Two submissions of one address at once: the database index decides, the second becomes a reminder."""
    make_join_request(network, email="course@example.org", status=Status.UNCONFIRMED)
    lookups = iter([None])  # the first lookup misses the row, as if it were committed a moment later
    real_lookup = services._open_request_for
    monkeypatch.setattr(services, "_open_request_for", lambda email: next(lookups, real_lookup(email)))
    data = JoinRequestData(first_name="A", last_name="B", email="course@example.org", phone="0321000000",
                           job_title="CTG", institution_id=caf.id, territory_id=epci.id)
    with app.test_request_context():
        outcome = services.submit_join_request(network=network, data=data, ip_address="192.0.2.1")
    db.session.commit()
    assert outcome == SubmitOutcome.CONFIRMATION_RESENT
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 1
