"""Invitation and password emails through a real SMTP server; set-password links; login/logout."""

import re
import time
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from network.members import tokens
from network.members.models import Member
from network.outbox import send_due
from tests import factories

NEW_PASSWORD = "les chargés de coopération"
LINK = re.compile(r"https?://[^/\s]+(/mot-de-passe/[a-z]+/[\w.\-]+)")


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_path(message) -> str:
    return LINK.search(text_part(message)).group(1)


@pytest.fixture
def invited(client, login, network, facilitator, smtp_server, db):
    """A member added by a facilitator through the form; the invitation email was delivered for real."""
    login(facilitator)
    client.post("/membres/nouveau", {"first_name": "Hélène", "last_name": "Lefèvre", "email": "helene@example.org",
                                     "role": "coordinator"})
    client.logout()
    assert send_due().sent == 1
    [received] = smtp_server.received
    return db.session.scalar(select(Member).where(Member.email == "helene@example.org")), received


def test_invitation_email_is_received_with_recipient_subject_and_link(invited, network):
    member, received = invited
    message = received.message
    assert received.rcpt_tos == ["helene@example.org"]
    assert received.mail_from == "no-reply@reseau.test"
    assert message["To"] == "helene@example.org"
    assert message["Subject"] == f"Votre compte sur Réseau — {network.name}"
    assert message["Reply-To"] == network.mailbox_email
    assert "Bonjour Hélène," in text_part(message)
    assert link_path(message).startswith("/mot-de-passe/activation/")
    assert "Choisir mon mot de passe" in message.get_body(preferencelist=("html",)).get_content()


def test_invitation_link_sets_password_exactly_once(client, make_client, login, invited, db):
    member, received = invited
    path = link_path(received.message)
    form_page = client.get(path)
    assert form_page.status_code == 200
    assert "Activez votre compte" in form_page.get_data(as_text=True)
    response = client.post(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/connexion"
    db.session.refresh(member)
    assert member.password_hash.startswith("scrypt:")
    login(member, on=make_client(), password=NEW_PASSWORD)

    again = client.get(path)
    assert again.status_code == 400
    assert "Ce lien n'est plus valable" in again.get_data(as_text=True)
    assert client.post(path, {"password": "encore un autre mot de passe", "confirm": "encore un autre mot de passe"}
                       ).status_code == 400


def test_invitation_link_expires(app, client, network, db):
    member = factories.create_member(network=network, with_password=False)
    max_age = app.config["PASSWORD_SETUP_MAX_AGE"].total_seconds()

    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - max_age - 60)

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="reseau.password-setup", signer=EightDaysAgo)
    stale = serializer.dumps({"m": member.id, "f": tokens.password_fingerprint(member)})
    fresh = tokens.make_password_token(member, tokens.PASSWORD_SETUP)
    assert client.get(f"/mot-de-passe/activation/{stale}").status_code == 400
    assert client.get(f"/mot-de-passe/activation/{fresh}").status_code == 200


def test_set_password_link_refuses_tampered_wrong_purpose_and_deactivated(client, network, db):
    member = factories.create_member(network=network, with_password=False)
    token = tokens.make_password_token(member, tokens.PASSWORD_SETUP)
    assert client.get(f"/mot-de-passe/activation/{token}x").status_code == 400
    assert client.get(f"/mot-de-passe/reinitialisation/{token}").status_code == 400
    member.is_active = False
    db.session.commit()
    assert client.get(f"/mot-de-passe/activation/{token}").status_code == 400


@pytest.mark.parametrize("password, confirm, message", [
    ("court", "court", "Le mot de passe doit contenir au moins 12 caractères."),
    ("motdepasse2024", "motdepasse2024", "Ce mot de passe est trop courant"),
    ("une phrase de passe longue", "une autre phrase", "Les deux mots de passe diffèrent."),
])
def test_set_password_form_refuses_weak_password_in_french(client, network, db, password, confirm, message):
    member = factories.create_member(network=network, with_password=False)
    path = f"/mot-de-passe/activation/{tokens.make_password_token(member, tokens.PASSWORD_SETUP)}"
    response = client.post(path, {"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.password_hash is None


def test_password_reset_email_link_works_once_and_old_password_stops(client, make_client, login, network,
                                                                    smtp_server, db):
    coordinator = factories.create_member(network=network, email="sophie.martin@example.org")
    response = client.post("/mot-de-passe/oublie", {"email": "Sophie.Martin@example.org"})
    assert response.status_code == 302
    assert send_due().sent == 1
    [message] = smtp_server.messages
    assert (message["To"], message["Subject"]) == (coordinator.email, "Réinitialisation de votre mot de passe — Réseau")
    path = link_path(message)
    assert path.startswith("/mot-de-passe/reinitialisation/")
    assert client.post(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get(path).status_code == 400
    refused = make_client().post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD})
    assert refused.status_code == 200
    login(coordinator, on=make_client(), password=NEW_PASSWORD)


# --- login / logout -------------------------------------------------------------------------------------

def test_login_redirects_to_safe_next(client, coordinator):
    response = client.post("/connexion?next=/profil", {"email": coordinator.email,
                                                        "password": factories.TEST_PASSWORD, "next": "/profil"})
    assert response.location == "/profil"


def test_login_form_invalid_shows_french_required_errors(client, db):
    response = client.post("/connexion", {"email": "", "password": ""})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("Ce champ est obligatoire.") == 2


def test_signed_in_member_visiting_login_is_sent_home(client, login, coordinator):
    login(coordinator)
    assert client.get("/connexion").location == "/"


def test_logout_ends_session_and_says_so(client, login, coordinator):
    login(coordinator)
    response = client.logout()
    assert response.location == "/connexion"
    assert "Vous êtes déconnecté·e." in client.get("/connexion").get_data(as_text=True)
    assert client.get("/profil").status_code == 302


def test_home_links_by_role(client, login, admin):
    login(admin)
    html = client.get("/").get_data(as_text=True)
    assert "Administration de la plateforme" in html and 'href="/reseaux"' in html


def test_demo_data_loads_and_its_accounts_log_in(app, make_client, login, db):
    from network.demo import DEMO_PASSWORD, seed_demo

    accounts = seed_demo()
    db.session.commit()
    for email, _label in accounts:
        member = db.session.scalar(select(Member).where(Member.email == email))
        other = login(member, on=make_client(), password=DEMO_PASSWORD)
        assert urlsplit(other.get("/").request.url).path == "/"
