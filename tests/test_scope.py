"""network_in_scope: the network a page is about, for each role and each of its two options."""

import pytest
from flask_login import login_user
from werkzeug.exceptions import NotFound

from network.members.enums import Role
from network.scope import network_in_scope, scope_args
from tests import factories


@pytest.fixture
def other_network(db):
    return factories.create_network(slug="autre-reseau")


def _in_scope(app, member, query: str = "", **options):
    with app.test_request_context(f"/page{query}"):
        login_user(member)
        return network_in_scope(**options)


@pytest.mark.parametrize("options", [{}, {"admin_overview": True}, {"slug_for_every_role": True},
                                     {"admin_overview": True, "slug_for_every_role": True}])
def test_admin_with_slug_gets_that_network(app, admin, other_network, options):
    assert _in_scope(app, admin, "?reseau=autre-reseau", **options).id == other_network.id


@pytest.mark.parametrize("options", [{}, {"admin_overview": True}])
def test_admin_with_unknown_slug_is_not_found(app, admin, options):
    with pytest.raises(NotFound):
        _in_scope(app, admin, "?reseau=inconnu", **options)


def test_admin_without_slug_gets_the_overview_where_the_page_has_one(app, admin):
    assert _in_scope(app, admin, admin_overview=True) is None


@pytest.mark.parametrize("query", ["", "?reseau="])
def test_admin_without_slug_is_not_found_where_the_page_has_no_overview(app, admin, query):
    with pytest.raises(NotFound):
        _in_scope(app, admin, query)


@pytest.mark.parametrize("options", [{}, {"admin_overview": True}])
def test_member_gets_their_own_network_and_the_slug_is_ignored(app, facilitator, network, other_network, options):
    assert _in_scope(app, facilitator, "?reseau=autre-reseau", **options).id == network.id
    assert _in_scope(app, facilitator, "?reseau=inconnu", **options).id == network.id


def test_member_naming_their_own_network_gets_it_where_every_role_may_name_it(app, facilitator, network):
    assert _in_scope(app, facilitator, f"?reseau={network.slug}", slug_for_every_role=True).id == network.id
    assert _in_scope(app, facilitator, slug_for_every_role=True).id == network.id


@pytest.mark.parametrize("slug", ["autre-reseau", "inconnu"])
def test_member_naming_another_network_is_not_found_where_every_role_may_name_it(app, facilitator, other_network,
                                                                                  slug):
    with pytest.raises(NotFound):
        _in_scope(app, facilitator, f"?reseau={slug}", slug_for_every_role=True)


def test_member_without_network_is_not_found(app, db):
    member = factories.create_member(None, role=Role.FACILITATOR)
    with pytest.raises(NotFound):
        _in_scope(app, member)


def test_scope_args_keep_an_admin_on_the_network(app, admin, facilitator, network):
    with app.test_request_context("/page"):
        login_user(admin)
        assert scope_args(network) == {"reseau": network.slug}
    with app.test_request_context("/page"):
        login_user(facilitator)
        assert scope_args(network) == {}
