"""Journey of issue #8: a person asks to join, confirms from the email, a facilitator approves,
the person chooses a password and signs in."""

import re


from network.members.enums import InstitutionKind
from network.outbox import send_due
from tests import factories
from tests.e2e.conftest import PHONE

PASSWORD = "les rencontres du jeudi matin"


def _link(message, live_server) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(re.escape(live_server) + r"/\S+", text).group(0)


def _mail_to(smtp_server, address):
    return [message for message in smtp_server.messages if message["To"] == address][-1]


def test_person_joins_and_facilitator_approves(live_server, new_page, network, smtp_server):
    factories.create_institution(network, name="Caf du Pas-de-Calais", kind=InstitutionKind.CAF)
    factories.create_territory(network, name="CC des 7 Vallées")
    facilitator = factories.create_member(network=network, role="facilitator", email="claire@example.test",
                                          first_name="Claire")

    person = new_page(PHONE)
    person.goto(f"{live_server}/connexion")
    person.get_by_role("link", name="Rejoindre le réseau").click()
    person.get_by_role("link", name=re.compile(network.name)).click()
    assert person.locator("h1").inner_text() == "Demande d'adhésion"
    person.get_by_label("Prénom").fill("Aurélie")
    person.get_by_label("Nom", exact=True).fill("Dumont")
    person.get_by_label("Adresse e-mail professionnelle").fill("aurelie.dumont@example.org")
    person.get_by_label("Téléphone professionnel").fill("03 21 45 67 89")
    person.get_by_label("Fonction").fill("Chargée de coopération CTG")
    person.get_by_label("Institution employeuse").select_option(label="Caf du Pas-de-Calais")
    person.get_by_label("Territoire (EPCI)").select_option(label="CC des 7 Vallées")
    person.get_by_label("J'ai lu la notice").check()
    person.get_by_role("button", name="Envoyer ma demande").click()
    assert person.locator("h1").inner_text() == "Vérifiez votre messagerie"

    send_due()
    person.goto(_link(_mail_to(smtp_server, "aurelie.dumont@example.org"), live_server))
    person.get_by_role("button", name="Confirmer mon adresse").click()
    assert person.locator("h1").inner_text() == "Adresse confirmée"

    send_due()
    staff = new_page()
    staff.goto(_link(_mail_to(smtp_server, facilitator.email), live_server))  # → login, then back to the queue
    staff.get_by_label("Adresse e-mail").fill(facilitator.email)
    staff.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    staff.get_by_role("button", name="Se connecter").click()
    assert staff.locator("h1").inner_text() == "Demandes d'adhésion"
    staff.get_by_role("button", name="Accepter Aurélie Dumont").click()
    assert "Aurélie Dumont rejoint le réseau" in staff.locator(".flashes").inner_text()

    send_due()
    person.goto(_link(_mail_to(smtp_server, "aurelie.dumont@example.org"), live_server))
    person.get_by_label("Nouveau mot de passe").fill(PASSWORD)
    person.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    person.get_by_role("button", name="Enregistrer le mot de passe").click()
    person.get_by_label("Adresse e-mail").fill("aurelie.dumont@example.org")
    person.get_by_label("Mot de passe").fill(PASSWORD)
    person.get_by_role("button", name="Se connecter").click()
    assert person.locator("h1").inner_text() == "Bonjour Aurélie"
