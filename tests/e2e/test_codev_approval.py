"""The client approves their subgroup before anyone reads the case: the facilitator composes with a live count,
the client approves on a phone, then a consultant reads the case. Screenshots at 1280 and 390 px are kept under
test-artifacts/codev-approval/ for a human to look at."""

from tests import factories
from tests.codev import factories as codev_factories
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE

SHOTS = ARTIFACTS / "codev-approval"
NB = "\u00a0"


def _sign_in(page, live_server, member):
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _shoot(page, name):
    """The page at 1280 then 390 px wide (full height), back to the viewport it had."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(viewport)


def test_compose_count_approve_then_a_consultant_reads(live_server, new_page, network):
    facilitator = factories.create_member(network=network, role="facilitator", first_name="Claire", last_name="Dubois")
    client = factories.create_member(network=network, first_name="Sophie", last_name="Martin")
    thomas, ines, marc, nadia, lea = [factories.create_member(network=network, first_name=name, last_name="Réseau")
                                      for name in ("Thomas", "Inès", "Marc", "Nadia", "Léa")]
    meeting = codev_factories.create_meeting(network, days_from_now=21, title="Rencontre de printemps")
    codev_factories.invite(meeting, client, facilitator, thomas, ines, marc, nadia, lea)
    case = codev_factories.create_case(client, state="selected", meeting=meeting,
                                       title="Relancer le comité de pilotage CTG",
                                       context="Les élus ne viennent plus au comité de pilotage.")
    codev_factories.create_case(lea, state="selected", meeting=meeting, title="Un autre cas")

    # The facilitator composes: the count follows each choice; Léa brings another case, Sophie is not offered.
    desk = new_page()
    _sign_in(desk, live_server, facilitator)
    desk.goto(f"{live_server}/codev/rencontres/{meeting.id}/cas/{case.id}/sous-groupe")
    count = desk.locator("[data-count]")
    assert count.inner_text() == (f"1 personne sur 5 à 8, client compris{NB}: encore 4 personnes à choisir. "
                                  "Choisissez aussi l'animateur·rice.")
    assert desk.get_by_label("Léa Réseau").is_disabled()
    assert "porte un autre cas à cette rencontre" in desk.locator(".codev-choice--unavailable").inner_text()
    assert desk.get_by_label("Sophie Martin").count() == 0
    desk.get_by_label("Animateur·rice du sous-groupe").select_option(label="Thomas Réseau")
    assert count.inner_text() == f"2 personnes sur 5 à 8, client compris{NB}: encore 3 personnes à choisir."
    desk.get_by_label("Inès Réseau").check()
    desk.get_by_label("Marc Réseau").check()
    assert count.inner_text() == f"4 personnes sur 5 à 8, client compris{NB}: encore 1 personne à choisir."
    # The animator is not offered a second seat as consultant.
    assert desk.get_by_label("Thomas Réseau").is_disabled()
    assert desk.locator("#reason-" + str(thomas.id)).inner_text() == "— choisi·e comme animateur·rice"
    desk.get_by_label("Nadia Réseau").check()
    assert count.inner_text() == f"5 personnes, client compris{NB}: la taille convient (de 5 à 8)."
    _shoot(desk, "compose-form")
    desk.get_by_role("button", name="Enregistrer le sous-groupe").click()
    assert "Sous-groupe enregistré" in desk.locator(".flashes").inner_text()
    assert "4 personnes attendent l'accord de Sophie Martin" in desk.locator(".codev-card").first.inner_text()
    _shoot(desk, "workshop-pending")

    # Before the client's approval, a consultant finds nothing.
    reader = new_page(viewport=PHONE)
    _sign_in(reader, live_server, ines)
    assert reader.goto(f"{live_server}/codev/cas/{case.id}").status == 404

    # The client approves on a phone, after reading who is proposed.
    phone = new_page(viewport=PHONE)
    _sign_in(phone, live_server, client)
    phone.goto(f"{live_server}/codev/cas/{case.id}")
    panel = phone.locator("#composition")
    assert "4 personnes attendent votre accord." in panel.inner_text()
    _shoot(phone, "client-approval")
    phone.get_by_role("button", name="J'approuve cette composition").click()
    assert "Composition approuvée" in phone.locator(".flashes").inner_text()
    assert "Accord" in phone.locator(".codev-history").inner_text()
    _shoot(phone, "client-approved")

    # Now the consultant reads the case.
    reader.goto(f"{live_server}/codev/")
    reader.get_by_role("link", name="Relancer le comité de pilotage CTG").click()
    assert "Les élus ne viennent plus au comité de pilotage." in reader.locator(".codev-main").inner_text()
    _shoot(reader, "consultant-reads")
