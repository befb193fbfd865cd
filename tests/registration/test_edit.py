"""The facilitators correct a pending join request before accepting it; the account takes the corrections."""

import pytest
from sqlalchemy import func, select

from network.audit import AuditEvent
from network.extensions import db
from network.members.models import Institution, Member
from network.errors import DomainError
from network.registration import services
from network.registration.enums import JoinRequestStatus
from tests import factories
from tests.registration.conftest import make_join_request


@pytest.fixture
def typed(network):
    """A request whose employer was typed ("Mairie de Lens", not in the list) and whose territory is wrong."""
    wrong, right = factories.create_territory(network, "CC Mauvaise"), factories.create_territory(network, "CA Lens")
    caf = factories.create_institution(network, "Caf du Pas-de-Calais")
    join_request = make_join_request(network, email="camille.durand@example.org", institution_name="Mairie de Lens",
                                     institution_kind="collectivity", territory_id=wrong.id)
    return dict(join_request=join_request, right=right, caf=caf)


def _answers(**changes):
    answers = {"first_name": "Camille", "last_name": "Durand-Petit", "phone": "03 21 00 00 00",
               "job_title": "Chargée de coopération CTG", "institution": "", "institution_name": "",
               "institution_kind": "", "territory": ""}
    return {**answers, **changes}


def test_a_facilitator_corrects_the_request_and_the_account_takes_it(client, login, facilitator, typed):
    join_request = typed["join_request"]
    login(facilitator)

    form = client.get(f"/adhesion/demandes/{join_request.id}/modifier").get_data(as_text=True)
    saved = client.post(f"/adhesion/demandes/{join_request.id}/modifier", data=_answers(
        institution=str(typed["caf"].id), territory=str(typed["right"].id)))
    client.post(f"/adhesion/demandes/{join_request.id}/accepter")
    member = db.session.scalar(select(Member).where(Member.email == "camille.durand@example.org"))
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "join_request.update"))

    assert 'value="Mairie de Lens"' in form and '<option selected value="autre">' in form
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"#demande-{join_request.id}")
    assert (member.last_name, member.job_title, member.institution_id, member.territory_id) == (
        "Durand-Petit", "Chargée de coopération CTG", typed["caf"].id, typed["right"].id)
    assert db.session.scalar(select(func.count(Institution.id)).where(Institution.name == "Mairie de Lens")) == 0
    assert audit.fields == "institution_id,institution_kind,institution_name,job_title,last_name,territory_id"


def test_a_wrong_answer_is_shown_again_with_what_was_typed(client, login, facilitator, typed):
    join_request = typed["join_request"]
    login(facilitator)

    response = client.post(f"/adhesion/demandes/{join_request.id}/modifier", data=_answers(
        last_name="", job_title="Coordinatrice", institution="autre", institution_name="", territory=""))
    page = response.get_data(as_text=True)
    db.session.refresh(join_request)

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page and 'value="Coordinatrice"' in page
    assert "Indiquez le nom de votre employeur." in page
    assert "Choisissez votre territoire, ou cochez « opérateur associé »." in page
    assert (join_request.last_name, join_request.job_title) == ("Durand", "Chargée de coopération")


def test_another_networks_territory_is_refused(client, login, facilitator, typed):
    elsewhere = factories.create_territory(factories.create_network(), "CC Ailleurs")
    join_request = typed["join_request"]
    login(facilitator)

    response = client.post(f"/adhesion/demandes/{join_request.id}/modifier", data=_answers(
        institution=str(typed["caf"].id), territory=str(elsewhere.id)))
    data = services.JoinRequestData(first_name="Camille", last_name="Durand", email=join_request.email,
                                    phone="03 21 00 00 00", job_title="CTG", institution_id=typed["caf"].id,
                                    territory_id=elsewhere.id)
    with pytest.raises(DomainError, match="Ce territoire n'appartient pas au réseau choisi."):
        services.update_join_request(join_request, actor=facilitator, data=data)

    assert response.status_code == 200 and "N&#39;est pas un choix valide." in response.get_data(as_text=True)
    assert join_request.territory_id != elsewhere.id


@pytest.mark.parametrize("who", ["coordinator", "other_facilitator", "admin"])
def test_only_the_networks_facilitators_edit_its_requests(client, login, typed, who, coordinator, admin):
    other_facilitator = factories.create_member(network=factories.create_network(), role="facilitator")
    login({"coordinator": coordinator, "other_facilitator": other_facilitator, "admin": admin}[who])

    url = f"/adhesion/demandes/{typed['join_request'].id}/modifier"

    status = 404 if who == "other_facilitator" else 403  # another network's request: not found (issue #14)
    assert (client.get(url).status_code, client.post(url, data=_answers()).status_code) == (status, status)


def test_a_decided_request_is_no_longer_editable(client, login, network, facilitator):
    declined = make_join_request(network, email="decidee@example.org", status=JoinRequestStatus.DECLINED)
    login(facilitator)

    response = client.post(f"/adhesion/demandes/{declined.id}/modifier", data=_answers(last_name="Autre"))
    queue = client.get("/adhesion/demandes").get_data(as_text=True)

    assert response.status_code == 302
    assert "Cette demande n&#39;est plus en attente : elle ne peut plus être modifiée." in queue
    assert declined.last_name == "Durand"
