"""The user loader puts the signed-in member and its network in the session as the ORM would have loaded them."""

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import InvalidRequestError

from network.database import utcnow
from network.extensions import db
from network.members import services
from network.members.models import LoginSession, Member
from network.members.signed_in import load_member_for_login_token
from tests import factories


@pytest.fixture
def signed_in(app, network, coordinator):
    """(token, the coordinator's id, when the login session opened), with a session that holds nothing."""
    token = services.open_login_session(coordinator, ip_address=None)
    db.session.commit()
    network.slug, network.name  # loaded now: the tests read them after the session let go of the network
    opened_at = db.session.scalar(select(LoginSession.created_at).where(LoginSession.token == token))
    member_id = coordinator.id
    db.session.expunge_all()
    return token, member_id, opened_at


def test_member_and_network_are_loaded_persistent_and_unmodified(app, network, signed_in, count_queries):
    token, member_id, opened_at = signed_in

    with count_queries() as counter:
        member = load_member_for_login_token(token)
        names = (member.email, member.full_name, member.role, member.joined_on, member.last_login_at,
                 member.network.slug, member.network.name)

    assert counter.count == 1
    state = inspect(member)
    assert (state.persistent, state.modified, inspect(member.network).persistent) == (True, False, True)
    assert db.session.get(Member, member_id) is member  # the session's identity map holds it
    assert names == ("coordinatrice@example.test", f"{member.first_name} {member.last_name}", "coordinator",
                     date(2024, 1, 1), None, network.slug, network.name)
    assert (member.login_token, member.login_expires_at) == (token, opened_at + app.config["PERMANENT_SESSION_LIFETIME"])
    assert not db.session.dirty and not db.session.new


def test_a_change_to_the_loaded_member_is_written(network, signed_in):
    token, member_id, _opened = signed_in
    member = load_member_for_login_token(token)

    member.job_title = "Cheffe de projet CTG"
    db.session.commit()
    db.session.expunge_all()

    assert db.session.get(Member, member_id).job_title == "Cheffe de projet CTG"


def test_relationships_left_unloaded_still_raise(network, signed_in):
    member = load_member_for_login_token(signed_in[0])

    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        member.institution


def test_an_admin_has_no_network(db):
    admin = factories.create_member(network=None, role="admin", email="admin@example.test")
    token = services.open_login_session(admin, ip_address=None)
    db.session.commit()
    db.session.expunge_all()

    member = load_member_for_login_token(token)

    assert (member.email, member.network_id, member.network) == ("admin@example.test", None, None)


def test_the_instance_the_session_already_holds_is_kept(network, coordinator):
    token = services.open_login_session(coordinator, ip_address=None)
    db.session.commit()

    assert load_member_for_login_token(token) is coordinator


def test_expired_revoked_or_unknown_tokens_load_nobody(app, network, signed_in):
    token, _member_id, _opened = signed_in
    assert load_member_for_login_token("inconnu") is None
    db.session.execute(LoginSession.__table__.update().where(LoginSession.token == token)
                       .values(created_at=utcnow() - app.config["PERMANENT_SESSION_LIFETIME"]
                               - timedelta(minutes=1)))
    db.session.commit()

    assert load_member_for_login_token(token) is None
