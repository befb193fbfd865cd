"""Issue #14 §4: signed-in pages and private files never stay in a cache (one after_request rule, network/security.py)."""

import pytest

from network.members import email_changes, tokens
from network.sessions.tokens import make_rsvp_token
from tests.sessions import factories as sf

SIGNED_IN_URLS = [
    "/", "/profil", "/profil/adresse", "/membres", "/membres/{member}", "/membres/{member}/modifier",
    "/rencontres/", "/rencontres/{meeting}", "/rencontres/{meeting}/emargement", "/rencontres/{meeting}/emargement.pdf",
    "/rencontres/{meeting}/rencontre.ics", "/codev/export.csv", "/evaluation/", "/evaluation/export.xlsx",
    "/evaluation/export.csv", "/evaluation/evolution.xlsx", "/evaluation/rapport.pdf", "/donnees/mes-donnees.zip",
    "/page-inexistante",
]


@pytest.fixture
def world(network, facilitator, coordinator):
    meeting = sf.create_meeting(network)
    [invitation] = sf.invite(meeting, coordinator)
    return {"member": coordinator.id, "meeting": meeting.id, "invitation": invitation}


@pytest.mark.parametrize("url", SIGNED_IN_URLS)
def test_signed_in_pages_and_private_files_are_not_stored(client, login, world, facilitator, url):
    login(facilitator)
    response = client.get(url.format(**world))
    assert response.status_code == (404 if "inexistante" in url else 200), url
    # the CODEV export sets its own "no-store", which the rule keeps
    assert response.headers["Cache-Control"] == ("no-store" if url == "/codev/export.csv" else "private, no-store")


def test_pages_behind_a_secret_link_are_not_stored(client, world, network, facilitator, coordinator, db):
    change = email_changes.propose_email_correction(coordinator, "sophie@example.org", actor=facilitator)
    db.session.commit()
    urls = [
        f"/rencontres/reponse/{make_rsvp_token(world['invitation'])}",
        f"/mot-de-passe/reinitialisation/{tokens.make_password_token(coordinator, tokens.PASSWORD_RESET)}",
        f"/adresse/approuver/{tokens.make_email_change_token(change, coordinator, 'approve')}",
        "/adresse/approuver/lien-invalide",
    ]
    assert {url: client.get(url).headers["Cache-Control"] for url in urls} == {
        url: "private, no-store" for url in urls}


def test_calendar_feed_is_private_and_revalidated(client, world, coordinator):
    response = client.get(f"/rencontres/agenda/{coordinator.calendar_token}.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"  # clients keep events; no shared cache may


def test_anonymous_redirect_to_login_is_not_stored(client, db):
    response = client.get("/profil")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("url", ["/connexion", "/mot-de-passe/oublie", "/static/css/app.css"])
def test_public_pages_of_an_anonymous_visitor_keep_default_caching(client, db, url):
    response = client.get(url)
    response.close()  # the static file's handle
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_public_page_seen_signed_in_is_not_stored(client, login, coordinator):
    login(coordinator)
    assert client.get("/confidentialite").headers["Cache-Control"] == "private, no-store"


def test_signed_in_page_seen_twice_is_not_stored_either(client, login, world, facilitator):
    login(facilitator)
    first = client.get("/membres")
    second = client.get("/membres")
    assert first.headers["Cache-Control"] == second.headers["Cache-Control"] == "private, no-store"
