"""The ballot shows each topic's description; provisional results stay hidden from a voter until their ballot is in
(or the close), while the facilitators' projector keeps the live tally."""

import pytest

from network.extensions import db
from network.topics import services
from tests.topics.factories import create_topic, create_vote


@pytest.fixture
def described(network, coordinator):
    return [create_topic(network, author=coordinator, title="Le SDSF",
                         description="Où en est le schéma départemental des services aux familles ?"),
            create_topic(network, author=coordinator, title="L'inclusion", description=None),
            create_topic(network, author=coordinator, title="Les tiers-lieux", description="Visite d'un tiers-lieu.")]


@pytest.fixture
def open_vote(meeting, described, voters):
    vote = create_vote(meeting, described)
    services.cast_ballot(vote, {described[0].id: 1}, actor=voters[0])
    db.session.commit()
    return vote


def test_ballot_shows_each_topic_description(client, login, coordinator, open_vote):
    login(coordinator)
    page = client.get(f"/themes/votes/{open_vote.id}").get_data(as_text=True)

    assert page.count('<p class="ballot__description">') == 2
    assert ('<p class="ballot__description">Où en est le schéma départemental des services aux familles ?</p>'
            in page)
    assert '<p class="ballot__description">Visite d&#39;un tiers-lieu.</p>' in page


def test_provisional_results_hidden_from_a_voter_until_they_vote(client, login, coordinator, open_vote, described):
    login(coordinator)
    before = client.get(f"/themes/votes/{open_vote.id}").get_data(as_text=True)
    live_before = client.get(f"/themes/votes/{open_vote.id}/direct.json").get_json()
    client.post(f"/themes/votes/{open_vote.id}/bulletin", data={f"topic_{described[1].id}": 1})
    after = client.get(f"/themes/votes/{open_vote.id}").get_data(as_text=True)
    live_after = client.get(f"/themes/votes/{open_vote.id}/direct.json").get_json()

    assert "Les résultats provisoires s'affichent une fois votre bulletin enregistré, ou à la clôture." in before
    assert 'class="tally' not in before and live_before["results"] is None
    assert "Résultats provisoires" in after and 'class="tally' in after
    assert [(row["title"], row["points"]) for row in live_after["results"]] == [
        ("L'inclusion", 1), ("Le SDSF", 1), ("Les tiers-lieux", 0)]


def test_projector_keeps_the_live_tally_for_a_facilitator_who_has_not_voted(client, login, facilitator, open_vote):
    login(facilitator)
    detail = client.get(f"/themes/votes/{open_vote.id}").get_data(as_text=True)
    projector = client.get(f"/themes/votes/{open_vote.id}/projection").get_data(as_text=True)
    live = client.get(f"/themes/votes/{open_vote.id}/direct.json").get_json()

    assert 'class="tally' not in detail
    assert '<span class="projector__title">Le SDSF</span>' in projector
    assert [(row["title"], row["points"]) for row in live["results"]] == [
        ("Le SDSF", 1), ("L'inclusion", 0), ("Les tiers-lieux", 0)]


def test_results_shown_to_every_member_after_the_close(client, login, coordinator, facilitator, open_vote):
    services.close_vote_round(open_vote, actor=facilitator)
    db.session.commit()
    login(coordinator)

    live = client.get(f"/themes/votes/{open_vote.id}/direct.json").get_json()

    assert [(row["title"], row["points"]) for row in live["results"]] == [
        ("Le SDSF", 1), ("L'inclusion", 0), ("Les tiers-lieux", 0)]


def test_hidden_results_stay_hidden_from_the_projector_until_the_close(client, login, facilitator, meeting,
                                                                         described, voters):
    vote = create_vote(meeting, described, hide_results=True)
    services.cast_ballot(vote, {described[0].id: 1}, actor=voters[0])
    db.session.commit()
    login(facilitator)

    assert client.get(f"/themes/votes/{vote.id}/direct.json").get_json()["results"] is None
