"""Passkeys' server side without a browser: refusals are French JSON, never a 500 (the browser journey, with a
virtual authenticator, is in tests/e2e/test_sso.py)."""

import json

import pytest
from sqlalchemy import select

from network.extensions import db
from network.identity.models import PasskeyCredential
from tests import factories


@pytest.fixture(autouse=True)
def relying_party_localhost(app, monkeypatch):
    """The Flask test client's host (the browser tests' live server, if it ran, changed PUBLIC_BASE_URL)."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://localhost")


def add_passkey(member, credential_id="Y3JlZC0x"):
    passkey = PasskeyCredential(member_id=member.id, credential_id=credential_id, public_key=b"not-a-key",
                                sign_count=0, label="Chrome — Linux")
    db.session.add(passkey)
    db.session.commit()
    return passkey


def post_json(client, url, body):
    """A JSON POST as static/js/passkeys.js sends it (CSRF token in the X-CSRFToken header)."""
    return client._call("post", url, data=json.dumps(body), content_type="application/json",
                        headers={"X-CSRFToken": client.csrf_token()})


def test_registration_options_name_the_relying_party_and_exclude_known_keys(client, coordinator, login):
    login(coordinator)
    add_passkey(coordinator, "Y3JlZC0x")

    response = post_json(client, "/profil/securite/cle-d-acces/options", {})

    assert response.status_code == 200, (response.status_code, response.location)
    options = response.get_json()
    assert options["rp"] == {"name": "Réseau", "id": "localhost"}
    assert options["user"]["name"] == coordinator.email
    assert [entry["id"] for entry in options["excludeCredentials"]] == ["Y3JlZC0x"]
    assert len(options["challenge"]) >= 43


def test_registration_with_forged_answer_is_refused_in_french(client, coordinator, login):
    login(coordinator)
    post_json(client, "/profil/securite/cle-d-acces/options", {})

    response = post_json(client, "/profil/securite/cle-d-acces/enregistrer", {"id": "x", "response": {}})

    assert response.status_code == 400
    assert response.get_json() == {"error": "Cette clé d'accès n'a pas pu être vérifiée : recommencez."}
    assert db.session.scalar(select(PasskeyCredential)) is None


def test_registration_without_options_first_is_refused(client, coordinator, login):
    login(coordinator)
    response = post_json(client, "/profil/securite/cle-d-acces/enregistrer", {"id": "x"})
    assert response.get_json() == {"error": "La demande d'enregistrement a expiré : recommencez."}


def test_member_with_passkey_is_asked_for_it_after_password(client, coordinator):
    add_passkey(coordinator)
    response = client.post("/connexion", data={"email": coordinator.email, "password": factories.TEST_PASSWORD})
    assert response.location == "/connexion/second-facteur"
    page = client.get("/connexion/second-facteur").get_data(as_text=True)
    assert "Utiliser ma clé d'accès" in page
    assert 'name="code"' not in page  # no authenticator app enrolled


def test_forged_passkey_answer_at_sign_in_is_refused_and_counted(client, coordinator):
    add_passkey(coordinator)
    client.post("/connexion", data={"email": coordinator.email, "password": factories.TEST_PASSWORD})
    options = post_json(client, "/connexion/second-facteur/cle/options", {}).get_json()
    assert [entry["id"] for entry in options["allowCredentials"]] == ["Y3JlZC0x"]

    response = post_json(client, "/connexion/second-facteur/cle", {"id": "Y3JlZC0x", "response": {"signature": "AA"}})

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "Cette clé d'accès n'a pas pu être vérifiée : réessayez ou saisissez un code."}
    assert client.get("/").status_code == 302


def test_passkey_sign_in_without_pending_step_is_refused(client):
    assert post_json(client, "/connexion/second-facteur/cle/options", {}).status_code == 404
    response = post_json(client, "/connexion/second-facteur/cle", {})
    assert response.get_json() == {"error": "Votre connexion a expiré : recommencez."}


def test_removing_another_members_passkey_is_404(client, facilitator, coordinator, login):
    passkey = add_passkey(facilitator)
    login(coordinator)
    assert client.post(f"/profil/securite/cle-d-acces/{passkey.id}/retirer").status_code == 404
    assert db.session.get(PasskeyCredential, passkey.id) is not None


def test_member_removes_own_passkey(client, coordinator, login):
    login(coordinator)  # signed in before the passkey exists, so the password is enough
    passkey = add_passkey(coordinator)

    response = client.post(f"/profil/securite/cle-d-acces/{passkey.id}/retirer")

    assert response.location == "/profil/securite/cle-d-acces"
    assert db.session.scalar(select(PasskeyCredential)) is None


def test_admin_reset_removes_passkeys(client, admin, coordinator, login):
    add_passkey(coordinator)
    login(admin)
    client.post(f"/membres/{coordinator.id}/second-facteur/reinitialiser")
    assert db.session.scalar(select(PasskeyCredential)) is None
