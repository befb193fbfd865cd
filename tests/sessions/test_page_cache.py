"""The meeting page is kept per worker: per viewer and session, until the next committed write or minute."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from network import database
from network.database import utcnow
from network.extensions import db
from network.members import services as member_services
from network.members.models import LoginSession
from network.sessions.enums import MeetingStatus
from tests import factories
from tests.sessions.factories import create_meeting, invite, page_text

ANSWER_BADGE = re.compile(r'Vous avez répondu\W+<span class="badge[^"]*">([^<]+)</span>')


@pytest.fixture
def meeting(network):
    return create_meeting(network, status=MeetingStatus.INVITED, title="Rencontre du printemps")


def my_answer(response) -> str:
    return ANSWER_BADGE.search(response.get_data(as_text=True)).group(1)


def test_second_view_is_served_from_the_cache(client, login, coordinator, meeting, count_queries):
    invite(meeting, coordinator)
    login(coordinator)
    client.get("/")  # shows the welcome message: a page with a flash is neither cached nor served from the cache
    url = f"/rencontres/{meeting.id}"
    with count_queries() as first:
        first_response = client.get(url)
    with count_queries(cached=True) as second:
        second_response = client.get(url)
    first_page, second_page = first_response.get_data(as_text=True), second_response.get_data(as_text=True)

    assert second_page == first_page and "Rencontre du printemps" in second_page
    assert second_response.headers["Content-Type"] == first_response.headers["Content-Type"] == \
        "text/html; charset=utf-8"
    assert first.count > 5
    # the data version only: a kept page is served before the member is loaded
    assert [statement.split()[1] for statement in second.statements] == ["data_versions.version"]


def test_a_kept_page_is_not_served_once_the_login_session_expires(app, client, login, coordinator, meeting,
                                                                   count_queries, monkeypatch):
    invite(meeting, coordinator)
    login(coordinator)
    client.get("/")  # the welcome message
    # The clock stands still at 10 s into a minute; the login session (12 h) ends 30 s later. Its opening is
    # moved back outside the app's session, as time would: no write, the data version stays the same.
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    now = utcnow().replace(second=10, microsecond=0)
    with db.engine.begin() as connection:
        connection.execute(update(LoginSession).where(LoginSession.member_id == coordinator.id)
                           .values(created_at=now - lifetime + timedelta(seconds=30)))
    url = f"/rencontres/{meeting.id}"
    for module in (database, member_services):
        monkeypatch.setattr(module, "utcnow", lambda: now)
    assert client.get(url).status_code == 200
    with count_queries(cached=True) as kept:
        assert client.get(url).status_code == 200
    for module in (database, member_services):
        monkeypatch.setattr(module, "utcnow", lambda: now + timedelta(seconds=40))  # same minute, session over

    with count_queries(cached=True) as expired:
        response = client.get(url)

    assert kept.count == 1
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    assert expired.count == 2  # the data version, then the login loader, which refuses the session


@pytest.mark.parametrize("change", ["deactivated", "signed out elsewhere"])
def test_a_kept_page_is_not_served_after_the_member_loses_access(client, login, admin, coordinator, meeting,
                                                                  change):
    invite(meeting, coordinator)
    login(coordinator)
    url = f"/rencontres/{meeting.id}"
    assert client.get(url).status_code == 200 and client.get(url).status_code == 200
    if change == "deactivated":
        member_services.deactivate_member(actor=admin, member=coordinator)
    else:
        member_services.revoke_login_sessions(coordinator)
    db.session.commit()

    response = client.get(url)

    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


def test_an_answer_shows_at_once_with_its_message(client, login, coordinator, meeting):
    invite(meeting, coordinator)
    login(coordinator)
    before = client.get(f"/rencontres/{meeting.id}")

    response = client.post(f"/rencontres/{meeting.id}/reponse", data={"answer": "no", "comment": ""})
    after_redirect = client.get(response.headers["Location"])
    later = client.get(f"/rencontres/{meeting.id}")

    assert "Vous avez répondu" not in before.get_data(as_text=True)
    assert "Réponse enregistrée : non." in page_text(after_redirect)  # a flash: rendered, not cached
    assert my_answer(after_redirect) == "Non"
    assert my_answer(later) == "Non" and "Réponse enregistrée" not in page_text(later)


def test_each_viewer_gets_their_own_page(make_client, login, network, facilitator, coordinator, meeting):
    other = factories.create_member(network=network, first_name="Odile", last_name="Autre",
                                    email="odile@example.org")
    invite(meeting, coordinator, other)
    pages = {}
    for member in (facilitator, coordinator, other, facilitator):
        viewer = login(member, on=make_client())
        pages.setdefault(member.email, []).append(viewer.get(f"/rencontres/{meeting.id}").get_data(as_text=True))

    assert 'id="invites"' in pages[facilitator.email][0]  # the facilitator sees the answers
    assert 'id="invites"' not in pages[coordinator.email][0]
    assert coordinator.full_name in pages[coordinator.email][0] and other.full_name not in pages[coordinator.email][0]
    assert other.full_name in pages["odile@example.org"][0]
    # two sessions of the same facilitator: two pages, each with its session's CSRF token
    first_token, second_token = (re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
                                 for page in pages[facilitator.email])
    assert first_token != second_token


def test_a_refused_viewer_is_never_served_a_cached_page(client, login, make_client, coordinator, meeting):
    invite(meeting, coordinator)
    login(coordinator)
    assert client.get(f"/rencontres/{meeting.id}").status_code == 200
    outsider_network = factories.create_network()
    outsider = factories.create_member(network=outsider_network, email="ailleurs@example.org")

    response = login(outsider, on=make_client()).get(f"/rencontres/{meeting.id}")

    assert response.status_code in (403, 404)



def test_calendar_feed_is_kept_until_a_write(client, network, coordinator, meeting, count_queries):
    invite(meeting, coordinator)
    url = f"/rencontres/agenda/{coordinator.calendar_token}.ics"
    first = client.get(url).get_data(as_text=True)
    with count_queries(cached=True) as cached:
        second = client.get(url).get_data(as_text=True)
    invite(create_meeting(network, status=MeetingStatus.INVITED, title="Rencontre de l'été"), coordinator)
    third = client.get(url).get_data(as_text=True)

    assert second == first and first.count("BEGIN:VEVENT") == 1
    assert [statement.split()[1] for statement in cached.statements] == ["data_versions.version"]
    assert third.count("BEGIN:VEVENT") == 2 and "Rencontre de l'été" in third


def test_unknown_calendar_token_is_never_cached(client, count_queries):
    for _ in range(2):
        with count_queries(cached=True) as counter:
            assert client.get("/rencontres/agenda/inconnu.ics").status_code == 404

    assert counter.count == 2  # the data version and the token lookup, every time
