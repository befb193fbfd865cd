"""Who sees and decides join requests; the queue page stays at a fixed number of queries."""

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.members.models import Member
from network.registration.enums import JoinRequestStatus
from tests import factories
from tests.registration.conftest import make_join_request


@pytest.fixture
def join_request(network):
    return make_join_request(network, email="candidate@example.org", first_name="Camille", last_name="Durand")


@pytest.fixture
def other_facilitator(db):
    return factories.create_member(network=factories.create_network(), role="facilitator",
                                   email="animatrice.tarn@example.test")


def test_facilitator_sees_pending_requests_of_own_network_only(client, login, network, facilitator, join_request):
    make_join_request(network, email="pas-confirmee@example.org", first_name="Zoé",
                      status=JoinRequestStatus.UNCONFIRMED)
    make_join_request(network, email="refusee@example.org", first_name="Yves", status=JoinRequestStatus.DECLINED)
    login(facilitator)
    page = client.get("/adhesion/demandes").get_data(as_text=True)
    assert "Camille Durand" in page
    assert "Zoé" not in page and "Yves" not in page
    assert "1 autre demande attend que la personne confirme son adresse e-mail" in page
    assert f'action="/adhesion/demandes/{join_request.id}/accepter"' in page


def test_facilitator_of_another_network_sees_nothing_of_it(client, login, other_facilitator, join_request):
    login(other_facilitator)
    response = client.get("/adhesion/demandes")
    assert response.status_code == 200
    assert "Durand" not in response.get_data(as_text=True)
    assert "Aucune demande en attente." in response.get_data(as_text=True)


def test_admin_views_any_queue_read_only(client, login, admin, network, join_request):
    login(admin)
    overview = client.get("/adhesion/demandes").get_data(as_text=True)
    assert f'href="/adhesion/demandes?reseau={network.slug}"' in overview
    page = client.get(f"/adhesion/demandes?reseau={network.slug}").get_data(as_text=True)
    assert "Camille Durand" in page
    assert "Vue en lecture seule" in page
    assert "/accepter" not in page and "/refuser" not in page


def test_coordinator_cannot_see_the_queue(client, login, coordinator, join_request):
    login(coordinator)
    assert client.get("/adhesion/demandes").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, join_request):
    response = client.get("/adhesion/demandes")
    assert (response.status_code, response.location) == (302, "/connexion?next=/adhesion/demandes")


@pytest.mark.parametrize("who", ["other_facilitator", "coordinator", "admin"])
@pytest.mark.parametrize("decision", ["accepter", "refuser"])
def test_only_the_networks_facilitators_decide(who, decision, request, client, login, join_request):
    login(request.getfixturevalue(who))
    response = client.post(f"/adhesion/demandes/{join_request.id}/{decision}")
    assert response.status_code == (404 if who == "other_facilitator" else 403)  # no discovery (issue #14)
    db.session.refresh(join_request)
    assert join_request.status == JoinRequestStatus.PENDING
    assert db.session.scalar(select(func.count(Member.id)).where(Member.email == "candidate@example.org")) == 0


def test_unknown_request_is_404(client, login, facilitator):
    login(facilitator)
    assert client.post("/adhesion/demandes/999/accepter").status_code == 404


def test_queue_query_count_is_the_same_for_one_and_three_requests(client, login, network, facilitator,
                                                                  count_queries):
    caf = factories.create_institution(network, name="Caf")
    epci = factories.create_territory(network, name="CC A")
    login(facilitator)

    def queue_queries():
        with count_queries() as counter:
            assert client.get("/adhesion/demandes").status_code == 200
        return counter.count

    make_join_request(network, email="a@example.org", institution_id=caf.id, territory_id=epci.id)
    one = queue_queries()
    make_join_request(network, email="b@example.org", institution_id=caf.id, territory_id=epci.id)
    make_join_request(network, email="c@example.org", institution_name="Centre social", institution_kind="partner",
                      is_associated_operator=True)
    three = queue_queries()
    assert one == three
    assert "b@example.org" in client.get("/adhesion/demandes").get_data(as_text=True)
