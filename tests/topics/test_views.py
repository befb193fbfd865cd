from datetime import timedelta

import pytest
from sqlalchemy import select

from network.database import utcnow
from network.extensions import db
from network.members.models import Network
from network.sessions.models import AgendaItem, Meeting
from network.topics import queries, services
from network.topics.enums import TopicStatus, VoteStatus
from network.topics.models import Topic, TopicVote
from tests import factories
from tests.topics.factories import create_meeting, create_topic, create_vote


@pytest.fixture
def other_facilitator(db):
    return factories.create_member(network=factories.create_network(), role="facilitator")


def as_member(role, network, login, make_client, admin, other_facilitator, facilitator, coordinator):
    member = {"admin": admin, "other-facilitator": other_facilitator, "facilitator": facilitator,
              "coordinator": coordinator}[role]
    return login(member, on=make_client())


# --- topics pages ------------------------------------------------------------------------------

def test_topic_list_shows_backlog_and_open_round(client, login, coordinator, vote, topics):
    login(coordinator)
    page = client.get("/themes/").get_data(as_text=True)
    assert all(topic.title.replace("'", "&#39;") in page for topic in topics)
    assert "Vote de la rencontre «\u00a0Rencontre de mars\u00a0»" in page
    assert "Proposer un thème" in page and "Ouvrir un vote" not in page


def test_topic_create_records_the_proposal(client, login, coordinator, network):
    login(coordinator)
    response = client.post("/themes/proposer", data={"title": "Le SDSF", "description": "Où en est-on ?",
                                                     "links": "https://www.caf.fr/sdsf"})
    topic = db.session.scalar(select(Topic))
    assert response.status_code == 302 and response.location == f"/themes/{topic.id}"
    assert (topic.title, topic.author_id, topic.network_id, topic.links) == (
        "Le SDSF", coordinator.id, network.id, "https://www.caf.fr/sdsf")


def test_topic_create_invalid_form_keeps_input(client, login, coordinator):
    login(coordinator)
    response = client.post("/themes/proposer", data={"title": "", "links": "pas une adresse"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page and "n&#39;est pas une adresse web" in page
    assert db.session.scalar(select(Topic)) is None


def test_facilitator_merges_then_archives(client, login, facilitator, network):
    first, duplicate, old = create_topic(network, title="SDSF"), create_topic(network, title="Le SDSF"), \
        create_topic(network, title="Ancien")
    login(facilitator)
    response = client.post(f"/themes/{duplicate.id}/fusionner", data={"into_id": first.id})
    assert response.location == f"/themes/{first.id}"
    assert client.post(f"/themes/{old.id}/archiver").status_code == 302
    db.session.expire_all()
    assert (duplicate.status, duplicate.merged_into_id, old.status) == (
        TopicStatus.MERGED, first.id, TopicStatus.ARCHIVED)


# --- the 403 matrix ----------------------------------------------------------------------------

MANAGE_ROLES = ["coordinator", "other-facilitator", "admin"]


MANAGE_ACTIONS = ["archive", "restore", "merge", "create-form", "create", "close", "confirm"]


# The vote form itself opens for a facilitator of another network: on their own network.
@pytest.mark.parametrize(("action", "role"), [(action, role) for action in MANAGE_ACTIONS for role in MANAGE_ROLES
                                              if (action, role) != ("create-form", "other-facilitator")])
def test_only_the_networks_facilitators_manage(role, action, network, login, make_client, admin, other_facilitator,
                                               facilitator, coordinator, vote, topics, next_meeting):
    spare = create_topic(network, title="Hors vote")
    client = as_member(role, network, login, make_client, admin, other_facilitator, facilitator, coordinator)
    closes = (utcnow() + timedelta(days=2)).date().isoformat()
    response = {
        "archive": lambda: client.post(f"/themes/{spare.id}/archiver"),
        "restore": lambda: client.post(f"/themes/{spare.id}/restaurer"),
        "merge": lambda: client.post(f"/themes/{spare.id}/fusionner", data={"into_id": topics[0].id}),
        "create-form": lambda: client.get("/themes/votes/nouveau"),
        "create": lambda: client.post("/themes/votes/nouveau", data={
            "meeting_id": vote.meeting_id, "topic_ids": [spare.id, topics[0].id], "closes_on": closes,
            "closes_time": "18:00", "max_per_topic": 2}),
        "close": lambda: client.post(f"/themes/votes/{vote.id}/cloturer"),
        "confirm": lambda: client.post(f"/themes/votes/{vote.id}/confirmer", data={"topic_id": topics[0].id}),
    }[action]()
    # another network's topics, votes and meetings answer like missing ones (issue #14: no id discovery)
    assert response.status_code == (404 if role == "other-facilitator" else 403)
    db.session.expire_all()
    assert (db.session.get(TopicVote, vote.id).status, db.session.get(Topic, spare.id).status) == (
        VoteStatus.OPEN, TopicStatus.BACKLOG)


@pytest.mark.parametrize("page", ["topic", "vote", "projector", "live", "ballot"])
def test_facilitator_of_another_network_sees_nothing(page, login, other_facilitator, vote, topics, client):
    login(other_facilitator)
    response = {
        "topic": lambda: client.get(f"/themes/{topics[0].id}"),
        "vote": lambda: client.get(f"/themes/votes/{vote.id}"),
        "projector": lambda: client.get(f"/themes/votes/{vote.id}/projection"),
        "live": lambda: client.get(f"/themes/votes/{vote.id}/direct.json"),
        "ballot": lambda: client.post(f"/themes/votes/{vote.id}/bulletin", data={f"topic_{topics[0].id}": 1}),
    }[page]()
    assert response.status_code == 404  # like a missing one (issue #14: no id discovery)
    assert queries.turnout(vote).voters == 0


def test_admin_reads_every_page_but_cannot_vote_or_propose(client, login, admin, network, vote, topics):
    login(admin)
    assert client.get("/themes/").status_code == 404  # admins pick a network
    for url in (f"/themes/?reseau={network.slug}", f"/themes/historique?reseau={network.slug}",
                f"/themes/{topics[0].id}", f"/themes/votes/{vote.id}", f"/themes/votes/{vote.id}/projection"):
        assert client.get(url).status_code == 200, url
    assert client.post(f"/themes/votes/{vote.id}/bulletin", data={f"topic_{topics[0].id}": 1}).status_code == 403
    assert client.get("/themes/proposer").status_code == 403
    assert "Enregistrer mon bulletin" not in client.get(f"/themes/votes/{vote.id}").get_data(as_text=True)


def test_anonymous_visitor_goes_to_login(client, vote):
    response = client.get(f"/themes/votes/{vote.id}")
    assert response.status_code == 302 and response.location.startswith("/connexion?next=")


# --- voting through the pages ------------------------------------------------------------------

def test_member_votes_then_changes_the_ballot(client, login, coordinator, vote, topics):
    login(coordinator)
    form = client.get(f"/themes/votes/{vote.id}").get_data(as_text=True)
    assert "Mon bulletin" in form and "Chaque membre répartit 2 points, au plus 2 sur un même thème." in form
    response = client.post(f"/themes/votes/{vote.id}/bulletin", data={f"topic_{topics[0].id}": 2})
    assert response.status_code == 302
    response = client.post(f"/themes/votes/{vote.id}/bulletin",
                           data={f"topic_{topics[0].id}": 1, f"topic_{topics[1].id}": 1}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Votre bulletin est enregistré." in page and "Modifier mon bulletin" in page
    assert "1 votant sur 1 membre actif (100\u00a0%)" in page
    assert queries.ballot_points_of(vote, coordinator) == {topics[0].id: 1, topics[1].id: 1}


def test_ballot_with_too_many_points_is_refused_with_a_french_message(client, login, coordinator, vote, topics):
    login(coordinator)
    response = client.post(f"/themes/votes/{vote.id}/bulletin",
                           data={f"topic_{topics[0].id}": 2, f"topic_{topics[1].id}": 1})
    assert response.status_code == 400
    assert "Vous avez réparti 3 points : vous en avez 2 au maximum." in response.get_data(as_text=True)
    assert queries.ballot_of(vote, coordinator) is None


def test_ballot_above_the_per_topic_max_is_refused(client, login, coordinator, vote, topics):
    login(coordinator)
    response = client.post(f"/themes/votes/{vote.id}/bulletin", data={f"topic_{topics[0].id}": 3})
    assert response.status_code == 400
    assert queries.ballot_of(vote, coordinator) is None


def test_ballot_after_the_close_is_refused(client, login, coordinator, vote, topics, facilitator):
    services.close_vote_round(vote, actor=facilitator)
    db.session.commit()
    login(coordinator)
    response = client.post(f"/themes/votes/{vote.id}/bulletin", data={f"topic_{topics[0].id}": 1})
    assert response.status_code == 400
    assert "Le vote est clos depuis le" in response.get_data(as_text=True)
    assert queries.ballot_of(vote, coordinator) is None


def test_facilitator_opens_closes_and_confirms(client, login, facilitator, coordinator, network, topics):
    meeting = create_meeting(network, starts_at=utcnow() + timedelta(days=7), title="Rencontre de mars",
                             with_workshop=True)
    create_meeting(network, starts_at=utcnow() + timedelta(days=90), title="Rencontre de juin")
    login(facilitator)
    closes = (utcnow() + timedelta(days=2)).date().isoformat()
    response = client.post("/themes/votes/nouveau", data={
        "meeting_id": meeting.id, "topic_ids": [t.id for t in topics[:3]], "closes_on": closes,
        "closes_time": "18:00", "max_per_topic": 2, "hide_results": "y"})
    vote = db.session.scalar(select(TopicVote))
    assert response.location == f"/themes/votes/{vote.id}"
    assert (vote.status, vote.points_per_voter, vote.hide_results) == (VoteStatus.OPEN, 1, True)
    client.post(f"/themes/votes/{vote.id}/bulletin", data={f"topic_{topics[1].id}": 1})
    assert client.get(f"/themes/votes/{vote.id}/direct.json").get_json()["results"] is None  # hidden until close
    assert client.post(f"/themes/votes/{vote.id}/cloturer").status_code == 302
    live = client.get(f"/themes/votes/{vote.id}/direct.json").get_json()
    assert (live["voters"], live["results"][0]["title"], live["results"][0]["points"]) == (1, "L'inclusion", 1)
    response = client.post(f"/themes/votes/{vote.id}/confirmer", data={"topic_id": topics[1].id},
                           follow_redirects=True)
    assert "« L&#39;inclusion » sera le thème de la rencontre « Rencontre de juin »." in response.get_data(as_text=True)
    item = db.session.scalar(select(AgendaItem).join(AgendaItem.meeting).where(Meeting.title == "Rencontre de juin"))
    assert (item.title, item.topic_id) == ("L'inclusion", topics[1].id)
    history = client.get("/themes/historique").get_data(as_text=True)
    assert "Rencontre de juin" in history and "L&#39;inclusion" in history


def test_vote_create_invalid_form(client, login, facilitator, meeting, topics):
    login(facilitator)
    response = client.post("/themes/votes/nouveau", data={"meeting_id": meeting.id, "topic_ids": [topics[0].id],
                                                           "closes_on": "", "closes_time": "18:00",
                                                           "max_per_topic": 2})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choisissez au moins deux thèmes candidats." in page
    assert db.session.scalar(select(TopicVote)) is None


def test_confirm_refuses_a_runner_up(client, login, facilitator, vote, topics, voters, next_meeting):
    services.cast_ballot(vote, {topics[0].id: 2}, actor=voters[0])
    services.close_vote_round(vote, actor=facilitator)
    db.session.commit()
    login(facilitator)
    response = client.post(f"/themes/votes/{vote.id}/confirmer", data={"topic_id": topics[1].id},
                           follow_redirects=True)
    assert "Choisissez le thème retenu parmi ceux en tête." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TopicVote, vote.id).status == VoteStatus.CLOSED


# --- bounded queries ---------------------------------------------------------------------------

def _count_get(client, url, count_queries):
    client.get(url)  # warm caches (login session, CSRF)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_topic_list_query_count_does_not_grow(client, login, coordinator, network, count_queries):
    login(coordinator)
    meeting = create_meeting(network)
    first = [create_topic(network, author=coordinator)]
    create_vote(meeting, first + [create_topic(network)])
    one = _count_get(client, "/themes/", count_queries)
    for _ in range(4):
        create_topic(network, author=factories.create_member(network=network))
    create_vote(create_meeting(network), [create_topic(network), create_topic(network)])
    archived = create_topic(network, status=TopicStatus.ARCHIVED)
    create_topic(network, status=TopicStatus.MERGED, merged_into_id=archived.id)
    assert _count_get(client, "/themes/", count_queries) == one


def test_vote_page_query_count_does_not_grow_with_ballots(client, login, facilitator, vote, topics, voters,
                                                          count_queries):
    login(facilitator)
    services.cast_ballot(vote, {topics[0].id: 1}, actor=voters[0])
    db.session.commit()
    one = _count_get(client, f"/themes/votes/{vote.id}", count_queries)
    one_live = _count_get(client, f"/themes/votes/{vote.id}/direct.json", count_queries)
    services.cast_ballot(vote, {topics[1].id: 2}, actor=voters[1])
    services.cast_ballot(vote, {topics[2].id: 1, topics[3].id: 1}, actor=voters[2])
    db.session.commit()
    assert _count_get(client, f"/themes/votes/{vote.id}", count_queries) == one
    assert _count_get(client, f"/themes/votes/{vote.id}/direct.json", count_queries) == one_live


def test_history_query_count_does_not_grow(client, login, coordinator, network, count_queries):
    from tests.topics.factories import create_agenda_item

    login(coordinator)
    create_agenda_item(create_meeting(network, status="held"), topic=create_topic(network))
    one = _count_get(client, "/themes/historique", count_queries)
    for month in (4, 5):
        meeting = create_meeting(network, starts_at=utcnow().replace(microsecond=0) + timedelta(days=30 * month))
        create_agenda_item(meeting, topic=create_topic(network))
    assert _count_get(client, "/themes/historique", count_queries) == one


def test_topic_create_refused_by_the_service_shows_the_form_again_and_keeps_nothing(client, login, coordinator,
                                                                                    network, monkeypatch):
    monkeypatch.setattr(services, "propose_topic",
                        factories.refusing_service("Ce thème est déjà proposé : votez pour lui."))
    login(coordinator)

    response = client.post("/themes/proposer", data={"title": "Le SDSF", "description": "Où en est-on ?"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Le SDSF"' in page  # the input is kept
    assert "Ce thème est déjà proposé : votez pour lui." in page
    assert db.session.scalar(db.select(db.func.count(Network.id))) == 1  # the refused write is rolled back
