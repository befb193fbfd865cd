"""The public pages and the join form's validation."""

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.members.models import Network
from network.registration import services
from network.registration.models import JoinRequest
from tests import factories


def test_login_page_links_to_the_join_page(client):
    assert 'href="/adhesion/">Rejoindre le réseau</a>' in client.get("/connexion").get_data(as_text=True)


def test_network_choice_lists_active_networks(client, network):
    factories.create_network(name="Réseau fermé", is_active=False)
    page = client.get("/adhesion/").get_data(as_text=True)
    assert f'href="/adhesion/{network.slug}"' in page
    assert "Réseau fermé" not in page


def test_form_of_unknown_or_closed_network_is_404(client):
    closed = factories.create_network(is_active=False)
    assert client.get("/adhesion/inconnu").status_code == 404
    assert client.get(f"/adhesion/{closed.slug}").status_code == 404


def test_form_shows_the_networks_choices_and_the_privacy_notice(client, network, caf, epci):
    elsewhere = factories.create_institution(factories.create_network(), name="Caf du Tarn")
    page = client.get(f"/adhesion/{network.slug}").get_data(as_text=True)
    assert f'<option value="{caf.id}">Caf du Pas-de-Calais</option>' in page
    assert f'<option value="{epci.id}">CC des 7 Vallées</option>' in page
    assert "Caf du Tarn" not in page and str(elsewhere.id) not in page.split('name="institution"')[1].split("</select>")[0]
    for heading in ("Ce que nous enregistrons", "Pourquoi", "Combien de temps", "Qui les voit", "Vos droits"):
        assert f"<dt>{heading}</dt>" in page
    assert network.mailbox_email in page


def _errors(page: str) -> list[str]:
    import re
    return re.findall(r'<p class="error" id="([a-z_]+)-error" role="alert">([^<]*)</p>', page)


@pytest.mark.parametrize("changes, expected", [
    ({"first_name": "", "email": "pas-une-adresse"},
     [("first_name", "Ce champ est obligatoire."), ("email", "Adresse e-mail invalide.")]),
    ({"privacy_accepted": ""}, [("privacy_accepted", "Vous devez accepter la notice pour envoyer votre demande.")]),
    ({"institution": "autre"}, [("institution_name", "Indiquez le nom de votre employeur."),
                                ("institution_kind", "Indiquez le type de votre employeur.")]),
    ({"territory": ""}, [("territory", "Choisissez votre territoire, ou cochez « opérateur associé ».")]),
    ({"phone": "appelez-moi"}, [("phone", "Numéro de téléphone invalide (chiffres, espaces, + . - acceptés).")]),
])
def test_invalid_form_is_redisplayed_with_french_errors_and_input_kept(changes, expected, client, network, form_data):
    response = client.post(f"/adhesion/{network.slug}", data={**form_data, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _errors(page) == [(name, message.replace("'", "&#39;")) for name, message in expected]
    assert "Le formulaire contient des erreurs." in page
    assert 'value="Dumont"' in page and 'value="Chargée de coopération CTG"' in page
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 0


def test_associated_operator_may_leave_the_territory_empty(client, network, form_data):
    response = client.post(f"/adhesion/{network.slug}", data={**form_data, "territory": "",
                                                              "is_associated_operator": "y"})
    assert response.status_code == 302
    join_request = db.session.scalar(select(JoinRequest))
    assert (join_request.territory_id, join_request.is_associated_operator) == (None, True)


def test_typed_employer_is_kept_with_its_kind(client, network, form_data):
    client.post(f"/adhesion/{network.slug}", data={**form_data, "institution": "autre",
                                                   "institution_name": "Centre social Les Tilleuls",
                                                   "institution_kind": "partner"})
    join_request = db.session.scalar(select(JoinRequest))
    assert (join_request.institution_id, join_request.institution_name, join_request.institution_kind) == (
        None, "Centre social Les Tilleuls", "partner")


def test_institution_of_another_network_is_refused(client, network, form_data, epci):
    foreign = factories.create_institution(factories.create_network(), name="Caf du Tarn")
    response = client.post(f"/adhesion/{network.slug}", data={**form_data, "institution": str(foreign.id)})
    assert response.status_code == 200
    assert _errors(response.get_data(as_text=True)) == [("institution", "N&#39;est pas un choix valide.")]
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 0


@pytest.mark.parametrize("message, field", [
    ("Ce territoire n'est pas dans la liste du réseau.", "territory"),
    ("Cet employeur n'est pas dans la liste du réseau.", "institution"),
])
def test_refused_reference_shows_under_its_field_with_the_input_kept(client, network, form_data, monkeypatch,
                                                                     message, field):
    monkeypatch.setattr(services, "submit_join_request", factories.refusing_service(message))

    response = client.post(f"/adhesion/{network.slug}", data=form_data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Aurelie.Dumont@Example.org"' in page  # the input is kept
    assert page.count(message.replace("'", "&#39;")) == 1
    assert f'id="{field}-error"' in page
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 0
    assert db.session.scalar(select(func.count(Network.id))) == 1  # the refused write is rolled back
