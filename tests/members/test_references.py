"""Institutions and territories: renamed by the network's facilitators, deleted only while no member uses them."""

import html

import pytest
from sqlalchemy import select

from network.audit import AuditEvent
from network.extensions import db
from network.members.models import Institution, Territory
from tests import factories


@pytest.fixture
def network(db):
    return factories.create_network(slug="pas-de-calais", name="Réseau Pas-de-Calais")


@pytest.fixture
def facilitator(network):
    return factories.create_member(network=network, role="facilitator", email="claire@example.org")


@pytest.fixture
def caf(network):
    return factories.create_institution(network, name="Caf du Pas-de-Calais")


@pytest.fixture
def epci(network):
    return factories.create_territory(network, name="CC des Campagnes de l'Artois", siren="246200364")


def test_facilitator_renames_an_institution(client, login, facilitator, network, caf):
    login(facilitator)

    form = client.get(f"/reseaux/pas-de-calais/institutions/{caf.id}/modifier")
    response = client.post(f"/reseaux/pas-de-calais/institutions/{caf.id}/modifier",
                           {"name": "Caf du Pas-de-Calais (Arras)", "kind": "msa"})

    assert 'value="Caf du Pas-de-Calais"' in form.get_data(as_text=True)
    assert response.status_code == 302
    assert (caf.name, caf.kind) == ("Caf du Pas-de-Calais (Arras)", "msa")
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "institution.update")).one()
    assert (audit.object_id, audit.fields) == (caf.id, "kind,name")
    assert "L'institution est modifiée." in html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def test_a_name_taken_in_the_network_is_refused_with_the_input_kept(client, login, facilitator, network, caf, epci):
    factories.create_territory(network, name="CU d'Arras")
    login(facilitator)

    response = client.post(f"/reseaux/pas-de-calais/territoires/{epci.id}/modifier",
                           {"name": "cu d'arras", "siren": "246200299"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Un autre territoire du réseau porte déjà ce nom." in page
    assert 'value="246200299"' in page and "cu d&#39;arras" in page
    assert (epci.name, epci.siren) == ("CC des Campagnes de l'Artois", "246200364")


def test_invalid_siren_gets_a_french_message(client, login, facilitator, epci):
    login(facilitator)

    response = client.post(f"/reseaux/pas-de-calais/territoires/{epci.id}/modifier",
                           {"name": "CC des Campagnes de l'Artois", "siren": "12345"})

    assert response.status_code == 200
    assert "Le SIREN compte exactement 9 chiffres." in response.get_data(as_text=True)
    assert epci.siren == "246200364"


def test_unused_territory_is_deleted(client, login, facilitator, epci):
    login(facilitator)
    territory_id = epci.id

    response = client.post(f"/reseaux/pas-de-calais/territoires/{territory_id}/supprimer")

    assert response.status_code == 302
    assert db.session.get(Territory, territory_id) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Le territoire « CC des Campagnes de l&#39;Artois » est supprimé." in page


def test_institution_of_a_former_member_is_kept(client, login, facilitator, network, caf):
    factories.create_member(network=network, institution=caf, is_active=False, email="ancienne@example.org")
    login(facilitator)

    response = client.post(f"/reseaux/pas-de-calais/institutions/{caf.id}/supprimer")

    assert response.status_code == 302
    assert db.session.get(Institution, caf.id) is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cette institution est celle de 1 membre, ancien·nes compris" in page


@pytest.mark.parametrize("actor", ["coordinator", "other_facilitator"])
@pytest.mark.parametrize("action", ["modifier", "supprimer"])
def test_others_get_403_or_404_and_nothing_changes(client, login, network, caf, actor, action):
    other_network = factories.create_network(slug="tarn")
    member = (factories.create_member(network=network) if actor == "coordinator"
              else factories.create_member(network=other_network, role="facilitator"))
    login(member)

    response = client.post(f"/reseaux/pas-de-calais/institutions/{caf.id}/{action}", {"name": "Piraté", "kind": "caf"})

    # another network's facilitator gets the 404 of a missing page (issue #14: no discovery)
    assert response.status_code == (403 if actor == "coordinator" else 404)
    assert db.session.get(Institution, caf.id).name == "Caf du Pas-de-Calais"


def test_an_institution_of_another_network_is_not_found(client, login, facilitator):
    elsewhere = factories.create_institution(factories.create_network(slug="tarn"), name="Caf du Tarn")
    login(facilitator)

    assert client.get(f"/reseaux/pas-de-calais/institutions/{elsewhere.id}/modifier").status_code == 404
    assert client.post(f"/reseaux/pas-de-calais/institutions/{elsewhere.id}/supprimer").status_code == 404
    assert db.session.get(Institution, elsewhere.id) is not None
