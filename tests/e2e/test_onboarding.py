"""Issue #2 in a browser: a facilitator adds a member, who activates the account from the
invitation email (received by the real SMTP server) and signs in; the menu works on a phone."""

import re

from playwright.sync_api import expect

from network.outbox import send_due
from tests import factories
from tests.e2e.conftest import PHONE

ACTIVATION_LINK = re.compile(r"https?://\S+/mot-de-passe/activation/\S+")
NEW_PASSWORD = "la marée monte vite à Berck"


def sign_in(page, base_url, email, password, first_name):
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse e-mail", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text(f"Bonjour {first_name}")


def invitation_link(smtp_server, recipient: str) -> str:
    messages = [message for message in smtp_server.messages if message["To"] == recipient]
    assert len(messages) == 1
    text = messages[0].get_body(preferencelist=("plain",)).get_content()
    return ACTIVATION_LINK.search(text).group(0)


def test_facilitator_invites_member_who_activates_account_and_signs_in(live_server, new_page, network, smtp_server):
    facilitator = factories.create_member(network=network, role="facilitator", email="animatrice@example.test",
                                          first_name="Claire")
    page = new_page()
    sign_in(page, live_server, facilitator.email, factories.TEST_PASSWORD, "Claire")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Membres").click()
    page.get_by_role("link", name="Ajouter un membre").click()
    page.get_by_label("Prénom", exact=True).fill("Julien")
    page.get_by_label("Nom", exact=True).fill("Lefebvre")
    page.get_by_label("Adresse e-mail professionnelle").fill("julien.lefebvre@example.org")
    page.get_by_label("Rôle").select_option(label="Chargé·e de coopération")
    page.get_by_role("button", name="Ajouter et inviter").click()
    expect(page.locator("h1")).to_have_text("Julien Lefebvre")
    expect(page.get_by_role("status")).to_have_text(
        "Julien Lefebvre est ajouté·e ; un e-mail l'invite à choisir son mot de passe.")

    assert send_due().sent == 1
    link = invitation_link(smtp_server, "julien.lefebvre@example.org")
    assert link.startswith(f"{live_server}/mot-de-passe/activation/")

    newcomer = new_page()
    newcomer.goto(link)
    expect(newcomer.locator("h1")).to_have_text("Activez votre compte")
    newcomer.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    newcomer.get_by_label("Confirmez le mot de passe").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(newcomer.locator("h1")).to_have_text("Connexion")
    expect(newcomer.get_by_role("status")).to_have_text(
        "Votre mot de passe est enregistré. Vous pouvez vous connecter.")
    sign_in(newcomer, live_server, "julien.lefebvre@example.org", NEW_PASSWORD, "Julien")
    expect(newcomer.locator("h1 + .lead")).to_have_text(network.name)

    second_visit = new_page()
    response = second_visit.goto(link)
    assert response.status == 400
    expect(second_visit.locator("h1")).to_have_text("Ce lien n'est plus valable")


def _signed_in_on_phone(new_page, live_server, member, **options):
    """A phone-sized page of `member`, signed in (options: the browser context's, e.g. java_script_enabled)."""
    page = new_page(viewport=PHONE, **options)
    sign_in(page, live_server, member.email, factories.TEST_PASSWORD, member.first_name)
    return page


def _menu_closes_from(menu_button, navigation):
    menu_button.click()

    expect(navigation).to_be_hidden()
    expect(menu_button).to_have_attribute("aria-expanded", "false")


def test_menu_opens_from_menu_button_on_phone(live_server, new_page, coordinator):
    page = _signed_in_on_phone(new_page, live_server, coordinator)
    # app.js (a deferred script) wires the button on DOMContentLoaded: the heading can be there before it ran, and a
    # click then did nothing (seen once in CI on a busy machine)
    page.wait_for_load_state("load")
    navigation = page.locator("#navigation")
    menu_button = page.get_by_role("button", name="Menu")
    expect(navigation).to_be_hidden()
    expect(menu_button).to_have_attribute("aria-expanded", "false")

    menu_button.click()

    expect(navigation).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(navigation.get_by_role("link", name="Accueil")).to_be_visible()
    expect(navigation.get_by_role("button", name="Se déconnecter")).to_be_visible()
    _menu_closes_from(menu_button, navigation)


def test_menu_opens_without_javascript_on_phone(live_server, new_page, coordinator):
    """Without JavaScript « Menu » is a link to the menu, which the stylesheet shows once it is the page's target."""
    page = _signed_in_on_phone(new_page, live_server, coordinator, java_script_enabled=False)
    navigation = page.locator("#navigation")
    expect(navigation).to_be_hidden()
    expect(page.get_by_role("button", name="Menu")).to_have_count(0)

    page.get_by_role("link", name="Menu").click()

    expect(page).to_have_url(f"{live_server}/#navigation")
    expect(navigation).to_be_visible()
    expect(navigation.get_by_role("link", name="Accueil")).to_be_visible()
    navigation.get_by_role("link", name="Rencontres").click()
    expect(page.locator("h1")).to_contain_text("Rencontres")
    expect(navigation).to_be_hidden()


def test_menu_followed_before_the_script_ran_stays_open_as_a_button(live_server, new_page, coordinator):
    """A tap on the « Menu » link before app.js ran opens the menu; the button the script puts in its place says so
    and closes it."""
    page = _signed_in_on_phone(new_page, live_server, coordinator)
    page.goto(f"{live_server}/rencontres/mes-rencontres#navigation")  # another document: app.js runs anew
    page.wait_for_load_state("load")
    navigation = page.locator("#navigation")
    menu_button = page.get_by_role("button", name="Menu")
    expect(navigation).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    _menu_closes_from(menu_button, navigation)
