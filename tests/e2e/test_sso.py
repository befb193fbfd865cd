"""Issue #20 in a browser: signing in with a ProConnect-like provider (node's oidc-provider, started for these
tests) from the login page to the home page and back out at the provider; a TOTP enrolment at sign-in."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.identity.provider import PROVIDER_PASSWORD, start_provider


@pytest.fixture(scope="module")
def browser_provider(live_server):
    provider = start_provider(live_server)
    yield provider
    provider.stop()


@pytest.fixture
def sso(app, browser_provider, monkeypatch):
    for key, value in browser_provider.app_config().items():
        monkeypatch.setitem(app.config, key, value)
    return browser_provider


def test_member_signs_in_with_provider_links_account_and_signs_out_at_provider(live_server, page, sso, network):
    factories.create_member(network=network, role="facilitator", email="animatrice@example.test",
                            first_name="Claire")
    page.goto(f"{live_server}/connexion")

    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page.locator("h1")).to_have_text("Fournisseur d'identité de test")
    assert page.url.startswith(f"{sso.issuer}/interaction/")
    page.get_by_label("E-mail professionnel").fill("animatrice@example.test")
    page.get_by_label("Mot de passe du fournisseur").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Continuer").click()

    expect(page.locator("h1")).to_have_text("Relier votre identité ProConnect")
    page.get_by_label("Mot de passe de votre compte Réseau").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Relier mon compte").click()
    expect(page.locator("h1")).to_have_text("Bonjour Claire")

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("h1")).to_have_text("Connexion")
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté·e de Réseau et de ProConnect.")

    # The provider's session is over too: signing in again asks for the provider's password, then goes straight in.
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page.locator("h1")).to_have_text("Fournisseur d'identité de test")
    page.get_by_label("E-mail professionnel").fill("animatrice@example.test")
    page.get_by_label("Mot de passe du fournisseur").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("h1")).to_have_text("Bonjour Claire")


def test_facilitator_enrols_authenticator_at_first_sign_in(live_server, page, network, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_FOR_ROLES", "admin facilitator")
    factories.create_member(network=network, role="facilitator", email="animateur@example.test", first_name="Paul")
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail", exact=True).fill("animateur@example.test")
    page.get_by_label("Mot de passe", exact=True).fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.locator("h1")).to_have_text("Enregistrez votre application d'authentification")
    expect(page.locator(".qr-code svg")).to_be_visible()
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer").click()

    expect(page.locator("h1")).to_have_text("Vos codes de secours")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", code) for code in codes)
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page.locator("h1")).to_have_text("Bonjour Paul")

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Adresse e-mail", exact=True).fill("animateur@example.test")
    page.get_by_label("Mot de passe", exact=True).fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Vérification en deux étapes")
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_label("Se souvenir de cet appareil pendant 30 jours").check()
    page.get_by_role("button", name="Vérifier").click()
    expect(page.locator("h1")).to_have_text("Bonjour Paul")


def test_member_registers_passkey_then_signs_in_with_it(live_server, new_page, network, app, monkeypatch):
    """WebAuthn needs a domain as relying party (not an IP address): the browser uses http://localhost here."""
    base = live_server.replace("127.0.0.1", "localhost")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", base)
    factories.create_member(network=network, email="cora@example.test", first_name="Cora")
    page = new_page()
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]

    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail", exact=True).fill("cora@example.test")
    page.get_by_label("Mot de passe", exact=True).fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Bonjour Cora")
    page.goto(f"{base}/profil/securite/cle-d-acces")
    page.get_by_role("button", name="Enregistrer une clé d'accès").click()
    expect(page.get_by_role("status")).to_have_text(
        "Votre clé d'accès est enregistrée : elle pourra remplacer le code à la connexion.")
    assert len(devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Adresse e-mail", exact=True).fill("cora@example.test")
    page.get_by_label("Mot de passe", exact=True).fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Vérification en deux étapes")
    page.get_by_role("button", name="Utiliser ma clé d'accès").click()
    # the browser signs the challenge, then the page posts it: give a loaded machine more than the default 5 s
    expect(page.locator("h1")).to_have_text("Bonjour Cora", timeout=20_000)
