"""Single sign-on through the real ProConnect-like provider (node's oidc-provider), driven without a browser:
the Flask test client plays the app's side, requests the person's side at the provider."""

import html
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from network.audit import AuditEvent
from network.identity.models import NetworkSignInPolicy, SsoIdentity
from network.members.models import Member
from network.outbox import send_due
from tests import factories
from tests.identity.provider import ACR_VALUES, CLIENT_ID, USERS, ProviderBrowser

CALLBACK = "http://localhost/connexion/proconnect/retour"


def flashes(client) -> list[str]:
    with client.raw.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def start(client, next_url=None):
    response = client.get("/connexion/proconnect" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response.location


def sign_in_at_provider(client, provider, email, next_url=None):
    """GET the app's start, sign in at the provider, come back to the app's callback: the callback's response."""
    person = ProviderBrowser(provider)
    callback_url = person.sign_in(start(client, next_url), email)
    assert callback_url.startswith(CALLBACK + "?")
    return client.get(callback_url.removeprefix("http://localhost")), person


def test_sso_start_redirect_asks_code_with_pkce_state_nonce_and_acr(client, sso):
    location = start(client)

    parts = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sso.issuer}/auth"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"] == "openid email given_name usual_name phone"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 20
    assert len(query["nonce"]) >= 20
    assert query["acr_values"] == "eidas1"


def test_sso_first_sign_in_links_member_after_password(client, sso, facilitator):
    response, _person = sign_in_at_provider(client, sso, USERS["sub-claire"]["email"])
    assert response.status_code == 302
    assert response.location == "/connexion/proconnect/lier"
    page = client.get("/connexion/proconnect/lier").get_data(as_text=True)
    assert "<strong>animatrice@example.test</strong>" in page

    response = client.post("/connexion/proconnect/lier", data={"password": factories.TEST_PASSWORD})

    assert response.status_code == 302
    assert response.location == "/"
    links = list(db_links())
    assert [(link.member_id, link.issuer, link.subject, link.email_at_link) for link in links] == [
        (facilitator.id, sso.issuer, "sub-claire", "animatrice@example.test")]
    assert flashes(client) == [
        "Votre identité ProConnect est reliée à votre compte : elle suffira désormais pour vous connecter."]
    assert audit_actions() == ["sso.link"]
    assert client.get("/").status_code == 200


def db_links():
    from network.extensions import db
    return db.session.scalars(select(SsoIdentity).order_by(SsoIdentity.id))


def audit_actions() -> list[str]:
    from network.extensions import db
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def member_count() -> int:
    from network.extensions import db
    return db.session.scalar(select(func.count(Member.id)))


def link(member, subject, issuer):
    from network.extensions import db
    db.session.add(SsoIdentity(member_id=member.id, issuer=issuer, subject=subject, email_at_link=member.email))
    db.session.commit()


def test_sso_linked_member_signs_in_by_sub_whatever_email(client, sso, network):
    """The provider now says animatrice@…, another member's address: the stored sub decides, never the email."""
    former = factories.create_member(network=network, role="facilitator", email="claire.ancienne@example.test",
                                     first_name="Claire")
    factories.create_member(network=network, email="animatrice@example.test", first_name="Autre")
    link(former, "sub-claire", sso.issuer)

    response, _person = sign_in_at_provider(client, sso, USERS["sub-claire"]["email"], next_url="/membres")

    assert response.status_code == 302
    assert response.location == "/membres"
    assert flashes(client) == []
    assert [(entry.subject, entry.member_id) for entry in db_links()] == [("sub-claire", former.id)]


def test_sso_link_with_wrong_password_links_nothing(client, sso, facilitator):
    sign_in_at_provider(client, sso, USERS["sub-claire"]["email"])

    response = client.post("/connexion/proconnect/lier", data={"password": "pas le bon mot de passe"})

    assert response.status_code == 200
    assert "Mot de passe incorrect." in response.get_data(as_text=True)
    assert list(db_links()) == []
    assert client.get("/").status_code == 302  # not signed in


def test_sso_link_by_emailed_link_signs_in(client, sso, facilitator, smtp_server):
    sign_in_at_provider(client, sso, USERS["sub-claire"]["email"])
    response = client.post("/connexion/proconnect/lier/email")
    assert response.status_code == 302
    assert send_due().sent == 1
    [message] = smtp_server.messages
    assert message["To"] == "animatrice@example.test"
    assert message["Subject"] == "Relier votre identité ProConnect — Réseau"
    text = message.get_body(preferencelist=("plain",)).get_content()
    url = next(line for line in text.splitlines() if line.startswith("http://localhost/connexion/proconnect/lier/"))

    page = client.get(url.removeprefix("http://localhost"))
    assert page.status_code == 200
    response = client.post(url.removeprefix("http://localhost"))

    assert response.status_code == 302
    assert response.location == "/"
    assert [(entry.member_id, entry.subject) for entry in db_links()] == [(facilitator.id, "sub-claire")]
    assert client.get("/").status_code == 200


def test_sso_emailed_link_opened_elsewhere_links_then_asks_to_sign_in_again(client, make_client, sso, facilitator,
                                                                           smtp_server):
    sign_in_at_provider(client, sso, USERS["sub-claire"]["email"])
    client.post("/connexion/proconnect/lier/email")
    send_due()
    text = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    path = next(line for line in text.splitlines() if "/connexion/proconnect/lier/" in line).removeprefix(
        "http://localhost")
    other = make_client()

    response = other.post(path)

    assert response.location == "/connexion"
    assert flashes(other) == ["Votre identité ProConnect est reliée à votre compte : connectez-vous avec ProConnect."]
    assert len(list(db_links())) == 1
    assert other.post(path).location == "/connexion"  # the second use finds the identity already linked
    assert flashes(other)[-1] == "Cette identité ProConnect est déjà reliée à un compte Réseau."


def test_sso_link_token_tampered_is_refused(client, sso):
    response = client.get("/connexion/proconnect/lier/pas-un-jeton")
    assert response.status_code == 400
    assert "Ce lien n'est plus valable" in response.get_data(as_text=True)


def test_sso_unknown_person_lands_on_prefilled_join_form(client, sso, network):
    before = member_count()

    response, _person = sign_in_at_provider(client, sso, USERS["sub-ines"]["email"])

    assert response.status_code == 302
    assert response.location == "/adhesion/"
    assert flashes(client) == ["Aucun compte Réseau ne correspond à votre identité ProConnect. Choisissez votre "
                               "réseau pour demander à le rejoindre : le formulaire est pré-rempli."]
    page = client.get(f"/adhesion/{network.slug}").get_data(as_text=True)
    assert 'name="first_name" required type="text" value="Inès"' in page
    assert 'name="last_name" required type="text" value="Durand"' in page
    assert 'value="ines.durand@example.test"' in page
    assert 'value="03 21 00 00 00"' in page
    assert member_count() == before
    assert list(db_links()) == []
    assert client.get("/").status_code == 302


def test_sso_unverified_email_is_not_linked_to_the_member(client, sso, coordinator):
    response, _person = sign_in_at_provider(client, sso, USERS["sub-unverified"]["email"])

    assert response.location == "/adhesion/"
    assert list(db_links()) == []


def test_sso_deactivated_member_is_refused(client, sso, network):
    factories.create_member(network=network, role="facilitator", email="animatrice@example.test", is_active=False)

    response, _person = sign_in_at_provider(client, sso, USERS["sub-claire"]["email"])

    assert response.location == "/connexion"
    assert flashes(client) == ["Le compte Réseau de cette adresse est désactivé : adressez-vous aux co-animateurs de "
                               "votre réseau."]


def test_sso_member_already_linked_to_another_sub_is_not_captured(client, sso, facilitator):
    link(facilitator, "sub-someone-else", sso.issuer)

    response, _person = sign_in_at_provider(client, sso, USERS["sub-claire"]["email"])

    assert response.location == "/connexion"
    assert flashes(client) == ["Le compte Réseau de cette adresse est déjà relié à une autre identité ProConnect : "
                               "connexion refusée. Adressez-vous à un administrateur."]
    assert [entry.subject for entry in db_links()] == ["sub-someone-else"]


def test_sso_insufficient_acr_is_refused_through_the_callback(client, sso, network):
    factories.create_member(network=network, email="faible@example.test")

    response, _person = sign_in_at_provider(client, sso, USERS["sub-weak"]["email"])

    assert response.status_code == 302
    assert response.location == "/connexion"
    assert flashes(client) == ["Le niveau d'authentification obtenu auprès du fournisseur d'identité est insuffisant "
                               "pour ce service."]
    assert client.get("/").status_code == 302


def test_sso_token_signed_with_another_key_is_refused_through_the_callback(client, sso, facilitator, app):
    """The provider's JWKS as the app holds it is replaced by another key under the same kid: the real ID token no
    longer verifies."""
    from joserfc.jwk import RSAKey

    from network.identity import oidc

    person = ProviderBrowser(sso)
    authorize_url = start(client)
    callback_url = person.sign_in(authorize_url, USERS["sub-claire"]["email"])
    with app.test_request_context():
        client_for_app = oidc.client()
        metadata = client_for_app.load_server_metadata()
        real_kid = client_for_app.fetch_jwk_set()["keys"][0]["kid"]
        impostor = RSAKey.generate_key(2048, parameters={"kid": real_kid, "use": "sig", "alg": "RS256"})
        metadata["jwks"] = {"keys": [impostor.as_dict(private=False)]}
    try:
        response = client.get(callback_url.removeprefix("http://localhost"))
    finally:
        metadata.pop("jwks")

    assert response.location == "/connexion"
    assert flashes(client) == ["La signature de la réponse du fournisseur d'identité n'est pas valable : connexion "
                               "refusée."]
    assert list(db_links()) == []


def test_sso_callback_with_unknown_state_is_refused(client, sso):
    start(client)

    response = client.get("/connexion/proconnect/retour?code=abc&state=not-the-state")

    assert response.location == "/connexion"
    assert flashes(client) == ["Cette demande de connexion a expiré ou a déjà servi : recommencez."]


def test_sso_callback_with_provider_error_is_refused(client, sso):
    start(client)
    response = client.get("/connexion/proconnect/retour?error=access_denied&state=x")
    assert response.location == "/connexion"
    assert flashes(client) == ["La connexion a été annulée auprès du fournisseur d'identité."]


def test_sso_provider_down_gives_french_message(client, sso, app, monkeypatch):
    from tests.conftest import free_port
    monkeypatch.setitem(app.config, "OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")

    response = client.get("/connexion/proconnect")

    assert response.location == "/connexion"
    assert flashes(client) == ["Le fournisseur d'identité ne répond pas. Réessayez dans un moment, ou utilisez votre "
                               "mot de passe."]


def test_sso_routes_are_404_when_not_configured(client):
    assert client.get("/connexion/proconnect").status_code == 404
    assert client.get("/connexion/proconnect/retour?code=a&state=b").status_code == 404


def test_login_page_shows_configured_label_above_password_form(client, sso, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_LABEL", "Se connecter avec AgentConnect")
    page = client.get("/connexion?next=/membres").get_data(as_text=True)
    button = ('<a class="button button--sso" href="/connexion/proconnect?next=/membres">'
              'Se connecter avec AgentConnect</a>')
    assert button in page
    assert page.index("button--sso") < page.index('name="password"')


def test_login_page_has_no_sso_button_when_not_configured(client):
    assert "button--sso" not in client.get("/connexion").get_data(as_text=True)


def test_logout_after_sso_ends_the_provider_session(client, sso, facilitator):
    link(facilitator, "sub-claire", sso.issuer)
    response, person = sign_in_at_provider(client, sso, USERS["sub-claire"]["email"])
    assert response.location == "/"

    response = client.logout()

    parts = urlsplit(response.location)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sso.issuer}/session/end"
    assert query["post_logout_redirect_uri"] == "http://localhost/connexion/proconnect/deconnecte"
    assert query["id_token_hint"].count(".") == 2
    back = person.follow(response.location)
    assert back.startswith("http://localhost/connexion/proconnect/deconnecte?state=" + query["state"])
    response = client.get(back.removeprefix("http://localhost"))
    assert response.location == "/connexion"
    assert flashes(client) == ["Vous êtes déconnecté·e de Réseau et de ProConnect."]
    assert client.get("/").status_code == 302


def test_logout_after_password_stays_local(client, sso, facilitator, login):
    login(facilitator)
    response = client.logout()
    assert response.location == "/connexion"


# --- requiring SSO -----------------------------------------------------------------------------------------------

def test_network_requiring_sso_refuses_facilitator_password(client, sso, facilitator, db):
    db.session.add(NetworkSignInPolicy(network_id=facilitator.network_id, requires_sso_for_facilitators=True))
    db.session.commit()

    response = client.post("/connexion", data={"email": facilitator.email, "password": factories.TEST_PASSWORD})

    assert response.location == "/connexion"
    assert flashes(client) == ["Votre compte se connecte avec ProConnect : utilisez le bouton « Se connecter avec "
                               "ProConnect »."]
    assert client.get("/").status_code == 302


def test_network_requiring_sso_lets_coordinators_use_password(client, sso, coordinator, db, login):
    db.session.add(NetworkSignInPolicy(network_id=coordinator.network_id, requires_sso_for_facilitators=True))
    db.session.commit()
    login(coordinator)
    assert client.get("/").status_code == 200


def test_deployment_requiring_sso_for_admins_refuses_their_password(client, sso, admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "SSO_REQUIRED_FOR_ROLES", "admin facilitator")
    response = client.post("/connexion", data={"email": admin.email, "password": factories.TEST_PASSWORD})
    assert response.location == "/connexion"


def test_sso_requirement_ignored_while_no_provider_is_configured(client, facilitator, app, monkeypatch, login):
    monkeypatch.setitem(app.config, "SSO_REQUIRED_FOR_ROLES", "facilitator")
    login(facilitator)
    assert client.get("/").status_code == 200


def test_sign_in_policy_page_saves_requirement(client, sso, network, facilitator, login, db):
    login(facilitator)

    response = client.post(f"/reseaux/{network.slug}/connexion", data={"requires_sso_for_facilitators": "y"})

    assert response.status_code == 302
    assert db.session.get(NetworkSignInPolicy, network.id).requires_sso_for_facilitators is True
    assert audit_actions()[-1] == "network.sign_in_policy"


def test_sign_in_policy_refused_without_provider(client, network, facilitator, login, db):
    login(facilitator)
    slug = network.slug
    response = client.post(f"/reseaux/{slug}/connexion", data={"requires_sso_for_facilitators": "y"})
    assert response.status_code == 200
    assert ("Aucun fournisseur d'identité n'est configuré sur cette plateforme : la connexion avec ProConnect ne peut "
            "pas être exigée.") in html.unescape(response.get_data(as_text=True))
    assert db.session.get(NetworkSignInPolicy, facilitator.network_id) is None


@pytest.mark.parametrize("who", ["coordinator", "other_facilitator"])
def test_sign_in_policy_page_is_403_for(client, sso, network, login, who):
    other = factories.create_network()
    member = factories.create_member(network=network if who == "coordinator" else other,
                                     role="coordinator" if who == "coordinator" else "facilitator")
    login(member)
    assert client.get(f"/reseaux/{network.slug}/connexion").status_code == 403


def test_acr_values_of_the_provider_are_those_of_the_test_configuration(sso):
    import requests
    assert requests.get(f"{sso.issuer}/.well-known/openid-configuration", timeout=5).json()[
        "acr_values_supported"] == ACR_VALUES


def test_pages_let_forms_reach_the_provider_for_logout(client, sso):
    policy = client.get("/connexion").headers["Content-Security-Policy"]
    assert f"form-action 'self' {sso.issuer};" in policy


def test_pages_keep_form_action_self_without_provider(client):
    assert "form-action 'self';" in client.get("/connexion").headers["Content-Security-Policy"]


def test_sso_link_emails_are_limited_to_three_an_hour(client, sso, facilitator, smtp_server):
    sign_in_at_provider(client, sso, USERS["sub-claire"]["email"])
    for _ in range(4):
        client.post("/connexion/proconnect/lier/email")

    assert send_due().sent == 3
    assert flashes(client)[-1] == ("Plusieurs liens ont déjà été envoyés à cette adresse : utilisez le dernier reçu, "
                                   "ou patientez une heure.")
