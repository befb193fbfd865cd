from sqlalchemy import select

from network.database import utcnow
from network.demo import seed_demo
from network.members.models import Member
from network.sessions.models import Meeting
from network.topics import queries, services
from network.topics.enums import VoteStatus
from network.topics.models import TopicVote


def test_demo_has_a_backlog_a_confirmed_round_and_an_open_round_for_the_coordinator(db):
    seed_demo()
    db.session.commit()
    coordinator = db.session.scalar(select(Member).where(Member.email == "coordinatrice@example.org"))
    rounds = {vote.current_status(utcnow()): vote for vote in queries.vote_rounds(coordinator.network_id)}
    assert set(rounds) == {VoteStatus.OPEN, VoteStatus.CONFIRMED}

    confirmed = rounds[VoteStatus.CONFIRMED]
    ranks = [(row.topic.title, row.points, row.rank) for row in queries.tally(confirmed)][:2]
    assert ranks == [("Animer une réunion avec des élus", 5, 1),
                     ("Le schéma départemental des services aux familles (SDSF)", 5, 1)]
    item = queries.thematic_item_of(db.session.get(Meeting, confirmed.target_meeting_id))
    assert (item.title, item.topic_id) == ("Animer une réunion avec des élus", confirmed.chosen_topic_id)
    assert len(queries.backlog(coordinator.network_id)) == 9

    open_round = db.session.get(TopicVote, rounds[VoteStatus.OPEN].id)
    assert queries.ballot_of(open_round, coordinator) is None
    services.cast_ballot(open_round, {next(iter(queries.candidate_topic_ids(open_round))): 1}, actor=coordinator)
    assert queries.turnout(open_round).voters == 5
