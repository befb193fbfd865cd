"""A CODEV journey as people do it: propose, select, compose the subgroup, fill the record, follow up."""

from tests import factories
from tests.codev import factories as codev_factories
from tests.e2e.conftest import PHONE


def _sign_in(page, live_server, member):
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_codev_journey(live_server, new_page, network):
    facilitator = factories.create_member(network=network, role="facilitator", first_name="Claire", last_name="Dubois")
    client = factories.create_member(network=network, first_name="Sophie", last_name="Martin")
    others = [factories.create_member(network=network, first_name=name, last_name="Réseau")
              for name in ("Thomas", "Inès", "Marc", "Nadia")]
    meeting = codev_factories.create_meeting(network, days_from_now=21, title="Rencontre de printemps")
    codev_factories.invite(meeting, client, facilitator, *others)

    # The client writes the case and proposes it (on a phone).
    page = new_page(viewport=PHONE)
    _sign_in(page, live_server, client)
    page.goto(f"{live_server}/codev/")
    page.get_by_role("link", name="Rédiger une fiche-cas").click()
    page.get_by_label("Titre du cas").fill("Relancer le comité de pilotage CTG")
    page.get_by_label("Préoccupation").check()
    page.get_by_label("Thème").select_option(label="Pilotage de la CTG")
    page.get_by_label("Contexte").fill("Les élus ne viennent plus au comité de pilotage.")
    page.get_by_label("Question posée au groupe").fill("Comment les faire revenir ?")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert "brouillon" in page.locator(".flashes").inner_text()
    page.locator("#meeting_id").select_option(str(meeting.id))
    page.get_by_role("button", name="Proposer le cas").click()
    assert "Le cas est proposé" in page.locator(".flashes").inner_text()

    # The facilitator sees only metadata, selects the case and composes the subgroup.
    desk = new_page()
    _sign_in(desk, live_server, facilitator)
    desk.goto(f"{live_server}/codev/rencontres/{meeting.id}")
    assert "Relancer le comité de pilotage CTG" in desk.content()
    assert "Les élus ne viennent plus" not in desk.content()
    desk.get_by_role("button", name="Retenir pour cet atelier").click()
    desk.get_by_role("link", name="Composer le sous-groupe").click()
    desk.get_by_label("Animateur·rice du sous-groupe").select_option(label="Thomas Réseau")
    for name in ("Inès Réseau", "Marc Réseau", "Nadia Réseau"):
        desk.get_by_label(name).check()
    desk.get_by_role("button", name="Enregistrer le sous-groupe").click()
    assert "Sous-groupe enregistré" in desk.locator(".flashes").inner_text()
    assert "Thomas Réseau (Animateur·rice, en attente d'accord)" in desk.locator(".codev-seats").inner_text()

    # The client approves the composition, fills the record during the workshop, adds an action and marks the
    # case worked.
    page.goto(f"{live_server}/codev/")
    page.get_by_role("link", name="Relancer le comité de pilotage CTG").click()
    page.get_by_role("button", name="J'approuve cette composition").click()
    assert "Composition approuvée" in page.locator(".flashes").inner_text()
    page.get_by_role("link", name="Remplir le compte rendu").click()
    page.get_by_label("3. Contrat : la demande reformulée").fill("Trouver un format qui donne envie aux élus.")
    page.get_by_label("4. Suggestions des consultants").fill("Un petit-déjeuner des maires.")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    page.get_by_role("link", name="Remplir le compte rendu").click()
    page.get_by_label("Action").fill("Inviter les maires à un petit-déjeuner CTG")
    page.get_by_role("button", name="Ajouter l'action").click()
    assert "Action ajoutée au plan." in page.locator(".flashes").inner_text()
    page.get_by_role("link", name="Retour au cas").click()
    page.get_by_role("button", name="Atelier tenu : cas travaillé").click()
    assert "Travaillé en atelier" in page.locator(".lead").inner_text()

    # Later, the client records the follow-up.
    page.get_by_role("link", name="Renseigner le suivi").click()
    page.get_by_label("Surmonté / en bonne voie").check()
    page.get_by_label("2 — beaucoup").check()
    page.get_by_label("Actions menées").fill("Petit-déjeuner organisé, six maires présents.")
    page.get_by_role("button", name="Enregistrer le suivi").click()
    assert "le suivi de votre cas est enregistré" in page.locator(".flashes").inner_text()
    assert "Suivi renseigné" in page.locator(".lead").inner_text()
    assert "Surmonté / en bonne voie" in page.locator(".codev-side").inner_text()
