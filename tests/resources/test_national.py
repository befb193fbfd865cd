"""Across networks: a facilitator shares a resource with every network; the national library lists it by theme with
its origin network, searchable the same way; the admin sees which resources travel."""

import pytest
from sqlalchemy import select

from network.audit import AuditEvent
from network.extensions import db
from network.resources import services
from network.resources.models import Resource
from tests import factories
from tests.resources import samples
from tests.sessions.factories import create_meeting, page_text


@pytest.fixture
def shared(facilitator, meeting):
    resource = services.attach_file(actor=facilitator, meeting=meeting, title="Guide des haltes-garderies",
                                    description=None, upload=services.Upload(samples.pdf("Les élus et la crèche"),
                                                                             "guide.pdf"))
    db.session.commit()
    return resource


@pytest.mark.usefixtures("mid_year")  # figures of this year: meetings already held
def test_share_puts_the_resource_on_a_theme_shelf_for_every_network(login, client, make_client, facilitator,
                                                                    outsider, admin, shared, network):
    login(facilitator)
    response = client.post(f"/ressources/{shared.id}/partager", data={"theme": "early_childhood"})
    assert response.status_code == 302
    assert (shared.shared_theme, shared.shared_at is not None) == ("early_childhood", True)
    reader = login(outsider, on=make_client())
    page = page_text(reader.get("/ressources/national", query_string={"q": "élu"}))
    assert "1 ressource partagée pour « élu »." in page
    assert "<h2>Petite enfance</h2>" in page and f"{network.name}, partagé le" in page
    assert reader.get(f"/ressources/{shared.id}/telecharger").status_code == 200
    # Not the rest of the origin network's library.
    assert reader.get(f"/ressources/rencontre/{shared.meeting_id}").status_code == 404
    assert page_text(reader.get("/ressources/national", query_string={"theme": "housing"})).count(
        "Guide des haltes-garderies") == 0
    head = login(admin, on=make_client())
    admin_page = page_text(head.get("/ressources/national", query_string={"annee": shared.year}))
    assert f"<tr><td>{network.name}</td><td>1</td></tr>" in admin_page
    # « Ressources partagées » of the year: materials, minutes, shared nationally, downloads (the outsider's one).
    assert f"<tr><td>{network.name}</td><td>1</td><td>0</td><td>1</td><td>1</td></tr>" in admin_page
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
        "resource.upload", "resource.share"]


def test_unshare_takes_it_back(login, client, make_client, facilitator, outsider, shared):
    login(facilitator)
    client.post(f"/ressources/{shared.id}/partager", data={"theme": "housing"})
    client.post(f"/ressources/{shared.id}/ne-plus-partager")
    assert db.session.get(Resource, shared.id).shared_at is None
    reader = login(outsider, on=make_client())
    assert reader.get(f"/ressources/{shared.id}/telecharger").status_code == 404
    assert "Aucune ressource partagée." in page_text(reader.get("/ressources/national"))


def test_share_needs_a_theme(login, client, facilitator, shared):
    login(facilitator)
    response = client.post(f"/ressources/{shared.id}/partager", data={"theme": "pas-un-theme"})
    assert "N'est pas un choix valide." in page_text(response)
    assert db.session.get(Resource, shared.id).shared_at is None


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("outsider", 404), ("admin", 403)])
def test_share_refused(request, login, client, shared, who, status):
    login(request.getfixturevalue(who))
    assert client.post(f"/ressources/{shared.id}/partager", data={"theme": "housing"}).status_code == status
    assert db.session.get(Resource, shared.id).shared_at is None


def test_national_query_count_is_the_same_for_1_and_3_items(login, client, admin, count_queries):
    counts = []
    for n in range(3):
        network = factories.create_network()
        facilitator = factories.create_member(network=network, role="facilitator")
        resource = services.attach_file(actor=facilitator, meeting=create_meeting(network), title=f"Doc {n}",
                                        description=None, upload=services.Upload(samples.pdf(f"doc {n}"), "d.pdf"))
        services.share_resource(resource, actor=facilitator, theme="housing")
        db.session.commit()
        if n == 0:
            login(admin)
        if n in (0, 2):
            year = resource.year
            with count_queries() as counter:
                assert client.get("/ressources/national", query_string={"annee": year}).status_code == 200
            counts.append(counter.count)
    # the login loader, the shared items, the shared CODEV sheets, the count per network, the year's figures
    assert counts == [5, 5]


# --- CODEV capitalisation sheets ------------------------------------------------------------------------

def _sheet_case(coordinator, meeting, *, consent=True):
    from network.codev.enums import CaseState, Theme
    from network.codev.models import CaseAction, CaseRecord
    from tests.codev.factories import create_case
    case = create_case(coordinator, state=CaseState.WORKED, meeting=meeting, theme=Theme.HOUSING,
                       title="Loger les apprentis", has_capitalisation_consent=consent)
    db.session.add_all([CaseRecord(case_id=case.id, client_learnings="Associer le bailleur dès le début."),
                        CaseAction(case_id=case.id, description="Réunir la mission locale")])
    db.session.commit()
    return case


def test_case_sheet_shared_with_every_network_while_its_client_consents(login, client, make_client, facilitator,
                                                                       coordinator, outsider, meeting, network):
    from tests.codev.factories import CONTEXT
    case = _sheet_case(coordinator, meeting)
    login(facilitator)
    assert "Loger les apprentis" in page_text(client.get("/ressources/fiches-codev"))
    assert client.post(f"/ressources/fiches-codev/{case.id}/partager").status_code == 302
    reader = login(outsider, on=make_client())
    page = page_text(reader.get("/ressources/national"))
    assert "<h3>Logement</h3>" in page and "Loger les apprentis" in page and network.name in page
    assert "Associer le bailleur dès le début." in page and "Réunir la mission locale" in page
    assert CONTEXT not in page and coordinator.last_name not in page
    # The client withdraws consent: the sheet leaves the national library at once.
    case.has_capitalisation_consent = False
    db.session.commit()
    assert "Loger les apprentis" not in page_text(reader.get("/ressources/national"))


def test_case_sheet_without_consent_cannot_be_shared(login, client, facilitator, coordinator, meeting):
    case = _sheet_case(coordinator, meeting, consent=False)
    login(facilitator)
    response = client.post(f"/ressources/fiches-codev/{case.id}/partager", follow_redirects=True)
    assert "Son porteur n'a pas partagé cette fiche de capitalisation avec le réseau." in page_text(response)


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("outsider", 404)])
def test_case_sheet_share_refused(request, login, client, coordinator, meeting, who, status):
    case = _sheet_case(coordinator, meeting)
    login(request.getfixturevalue(who))
    assert client.post(f"/ressources/fiches-codev/{case.id}/partager").status_code == status
