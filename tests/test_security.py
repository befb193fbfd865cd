"""The security baseline of issue #2, each point tested."""

import re
from pathlib import Path

import pytest
from werkzeug.routing import IntegerConverter

from network import create_app
from network.config import DEV_SECRET_KEY
from network.extensions import db as _db
from network.members import services
from network.members.models import Member
from network.outbox import send_due
from network.security import CONTENT_SECURITY_POLICY
from network.throttle import ThrottleEvent
from tests import factories

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
GOOD_KEY = "k" * 48


def sample_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif hasattr(converter, "items"):  # any(...)
            values[name] = next(iter(converter.items))
        else:
            values[name] = "x"
    return rule.build(values)[1]


# --- CSRF ---------------------------------------------------------------------------------------------

def post_routes(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


def test_every_post_route_refuses_a_form_without_csrf_token(app, client, login, db):
    admin = factories.create_member(network=None, role="admin", email="admin@example.org")
    login(admin)
    urls = [sample_url(rule) for rule in post_routes(app)]
    assert "/connexion" in urls and "/deconnexion" in urls and len(urls) >= 10
    statuses = {url: client.post_without_csrf(url, {"email": "x"}).status_code for url in urls}
    assert statuses == {url: 400 for url in urls}


def test_login_without_csrf_token_is_refused_with_french_page(client, coordinator):
    response = client.post_without_csrf("/connexion", {"email": coordinator.email,
                                                       "password": factories.TEST_PASSWORD})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert client.get("/profil").status_code == 302  # not signed in


def test_csrf_token_of_another_session_is_refused(client, make_client, coordinator):
    stranger_token = make_client().csrf_token()
    response = client.post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD,
                                          "csrf_token": stranger_token})
    assert response.status_code == 400


# --- passwords -----------------------------------------------------------------------------------------

def test_passwords_are_hashed_with_scrypt(coordinator):
    assert coordinator.password_hash.startswith("scrypt:")
    assert factories.TEST_PASSWORD not in coordinator.password_hash


# --- login throttling (shared storage) --------------------------------------------------------------------

def test_login_slows_down_an_account_and_source_with_french_429(app, client, coordinator):
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        assert client.post("/connexion", {"email": coordinator.email, "password": "faux"}).status_code == 200
    response = client.post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD})
    assert response.status_code == 429
    assert ("Trop de tentatives de connexion. Patientez 5 secondes avant de réessayer, ou réinitialisez votre mot de "
            "passe.") in response.get_data(as_text=True)
    other_ip = client.raw.post("/connexion", data={"email": coordinator.email, "password": factories.TEST_PASSWORD,
                                                   "csrf_token": client.csrf_token()},
                               environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other_ip.status_code == 302  # nobody locks the member out from elsewhere


def test_login_twenty_failures_from_one_office_lock_nobody_out(app, client, coordinator):
    for number in range(20):
        client.post("/connexion", {"email": f"inconnu{number}@example.org", "password": "faux"})
    response = client.post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD})
    assert response.status_code == 302


def test_login_is_limited_per_ip(app, client, coordinator, db):
    db.session.add_all([ThrottleEvent(scope="login-ip", key="127.0.0.1")
                        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_IP"])])
    db.session.commit()
    response = client.post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD})
    assert response.status_code == 429
    other_ip = client.raw.post("/connexion", data={"email": coordinator.email, "password": factories.TEST_PASSWORD,
                                                   "csrf_token": client.csrf_token()},
                               environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other_ip.status_code == 302


def test_login_throttle_is_shared_by_every_worker_through_the_database(app, db, coordinator):
    """A second app instance (another worker) on the same database sees the first one's failures."""
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        services.authenticate(coordinator.email, "faux", ip_address="10.0.0.1")
    email = coordinator.email  # read here: a lazy load inside the other app would borrow its engine
    db.session.commit()
    other_worker = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with other_worker.app_context():
        try:
            with pytest.raises(services.LoginThrottled):
                services.authenticate(email, factories.TEST_PASSWORD, ip_address="10.0.0.1")
        finally:
            _db.session.remove()
            _db.engines[None].dispose()


def test_login_attack_emails_the_member_once_per_interval(app, make_client, coordinator, smtp_server, db):
    for number in range(app.config["LOGIN_ALERT_AFTER_FAILURES"] + 5):
        browser = make_client()
        browser.raw.post("/connexion", data={"email": coordinator.email, "password": f"essai {number}",
                                             "csrf_token": browser.csrf_token()},
                         environ_base={"REMOTE_ADDR": f"198.51.100.{number}"})
    assert send_due().sent == 1
    [received] = smtp_server.received
    message = received.message
    assert received.rcpt_tos == [coordinator.email]
    assert message["Subject"] == "Tentatives de connexion à votre compte — Réseau"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert (f"{app.config['LOGIN_ALERT_AFTER_FAILURES']} tentatives de connexion à votre compte Réseau "
            f"({coordinator.email}) ont échoué ces 60 dernières minutes") in text
    assert f"{app.config['PUBLIC_BASE_URL']}/mot-de-passe/oublie" in text


def test_login_attack_on_an_unknown_address_emails_nobody(app, make_client, smtp_server, db):
    for number in range(app.config["LOGIN_ALERT_AFTER_FAILURES"] + 1):
        browser = make_client()
        browser.raw.post("/connexion", data={"email": "personne@example.org", "password": "faux",
                                             "csrf_token": browser.csrf_token()},
                         environ_base={"REMOTE_ADDR": f"198.51.100.{number}"})
    assert send_due().sent == 0


# --- cookies and sessions ------------------------------------------------------------------------------

def session_cookie_header(response) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))


def test_session_cookie_is_httponly_and_samesite_lax(client, coordinator):
    response = client.post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD})
    cookie = session_cookie_header(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests and development


def test_session_cookie_is_secure_in_production(app, tmp_path, monkeypatch, db):
    monkeypatch.setenv("RESEAU_INSTANCE_PATH", str(tmp_path))
    member = factories.create_member(network=factories.create_network(), email="sophie@example.org")
    production = create_app("production", {"SECRET_KEY": GOOD_KEY,
                                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                           "WTF_CSRF_ENABLED": False})
    try:
        with production.test_client() as browser:
            response = browser.post("/connexion", data={"email": member.email, "password": factories.TEST_PASSWORD},
                                    base_url="https://reseau.example.org")
            cookie = session_cookie_header(response)
            assert response.status_code == 302
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        with production.app_context():
            _db.session.remove()
            _db.engines[None].dispose()


def copy_session(source, target):
    cookie = source.raw.get_cookie("session")
    target.raw.set_cookie("session", cookie.value)


def test_logout_revokes_the_session_on_the_server(client, make_client, login, coordinator):
    login(coordinator)
    thief = make_client()
    copy_session(client, thief)
    assert thief.get("/profil").status_code == 200
    client.logout()
    response = thief.get("/profil")
    assert response.status_code == 302 and response.location.startswith("/connexion")


def test_deactivation_ends_the_member_sessions_on_the_server(client, make_client, login, network, facilitator,
                                                             coordinator):
    member_browser = login(coordinator, on=make_client())
    assert member_browser.get("/profil").status_code == 200
    login(facilitator)
    client.post(f"/membres/{coordinator.id}/desactiver")
    assert member_browser.get("/profil").status_code == 302
    refused = make_client().post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD})
    assert "Adresse e-mail ou mot de passe incorrect." in refused.get_data(as_text=True)


def test_password_change_ends_other_sessions(client, make_client, login, coordinator, db):
    other_browser = login(coordinator, on=make_client())
    services.set_password(db.session.get(Member, coordinator.id), "un tout nouveau mot de passe")
    db.session.commit()
    assert other_browser.get("/profil").status_code == 302


# --- open redirects ------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "/\t/evil.example", " //evil.example", "evil.example",
])
def test_login_next_never_redirects_off_site(client, coordinator, target):
    response = client.post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.location == "/"


def test_login_next_keeps_a_local_path(client, coordinator):
    response = client.post("/connexion", {"email": coordinator.email, "password": factories.TEST_PASSWORD,
                                          "next": "/membres?q=caron"})
    assert response.location == "/membres?q=caron"


# --- headers and templates ------------------------------------------------------------------------------

def test_security_headers_on_every_page(client):
    response = client.get("/connexion")
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert client.get("/page-inexistante").headers["X-Content-Type-Options"] == "nosniff"


def test_security_headers_keep_what_the_view_set_and_come_once(app):
    with app.test_request_context("/ressources/1/fichier"):
        response = app.make_response("fichier")
        response.headers["content-security-policy"] = "default-src 'none'; sandbox"  # any case, as HTTP allows
        response.headers["Cache-Control"] = "private, no-cache"
        response = app.process_response(response)

    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'; sandbox"]
    assert response.headers.getlist("Cache-Control") == ["private, no-cache"]  # a private policy of its own
    assert [response.headers.getlist(name) for name in ("X-Content-Type-Options", "X-Frame-Options")] == [
        ["nosniff"], ["DENY"]]


def test_page_templates_have_no_inline_script_or_style():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "mail" in path.relative_to(TEMPLATES).parts:
            continue  # emails need inline styles; they are not served under the CSP
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<[^>]*\sstyle=|<style", text) \
                or re.search(r"<[^>]*\son[a-z]+=", text):
            offenders.append(path.name)
    assert offenders == []


# --- production start-up check ----------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["", DEV_SECRET_KEY, "short-key"])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, monkeypatch, key):
    monkeypatch.setenv("RESEAU_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_production_starts_with_a_real_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("RESEAU_INSTANCE_PATH", str(tmp_path))
    production = create_app("production", {"SECRET_KEY": GOOD_KEY,
                                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    with production.app_context():
        _db.engines[None].dispose()


# --- upload size ------------------------------------------------------------------------------------------

def test_max_content_length_is_set_and_too_large_upload_gets_french_413(app, client, login, network, facilitator):
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    login(facilitator)
    # A hand-built multipart body: the test client's own would spool to a temporary file it never closes.
    body = (b"--limite\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + client.csrf_token().encode()
            + b"\r\n--limite\r\nContent-Disposition: form-data; name=\"file\"; filename=\"membres.csv\"\r\n\r\n"
            + b"a" * app.config["MAX_CONTENT_LENGTH"] + b"\r\n--limite--\r\n")
    response = client.raw.post("/membres/import", data=body, content_type="multipart/form-data; boundary=limite")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Fichier trop volumineux" in html and "dépasse la taille autorisée (5 Mo)" in html


# --- no account enumeration ---------------------------------------------------------------------------------

def normalized(response, email) -> str:
    html = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "CSRF", html)


def test_login_answers_the_same_for_unknown_email_and_wrong_password(client, make_client, coordinator, db):
    inactive = factories.create_member(network=factories.create_network(), is_active=False)
    known = client.post("/connexion", {"email": coordinator.email, "password": "faux mot de passe"})
    unknown = make_client().post("/connexion", {"email": "inconnu@example.org", "password": "faux mot de passe"})
    deactivated = make_client().post("/connexion", {"email": inactive.email, "password": factories.TEST_PASSWORD})
    assert known.status_code == unknown.status_code == deactivated.status_code == 200
    assert normalized(known, coordinator.email) == normalized(unknown, "inconnu@example.org") == normalized(
        deactivated, inactive.email)


def test_password_reset_answers_the_same_for_known_and_unknown_email(client, make_client, db):
    factories.create_member(network=factories.create_network(), email="sophie@example.org")
    known_client, unknown_client = client, make_client()
    known = known_client.post("/mot-de-passe/oublie", {"email": "sophie@example.org"})
    unknown = unknown_client.post("/mot-de-passe/oublie", {"email": "inconnu@example.org"})
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location) == (302, "/connexion")
    assert normalized(known_client.get("/connexion"), "@") == normalized(unknown_client.get("/connexion"), "@")
