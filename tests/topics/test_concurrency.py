"""Two submissions of one member's ballot at the same time count once (SQLite and PostgreSQL)."""

import threading
import time

from sqlalchemy import func, select

from network.extensions import db
from network.members.models import Member
from network.topics import queries, services
from network.topics.models import Ballot, TopicVote


def _submit_in_thread(app, vote_id, member_id, allocation, outcome, barrier=None):
    def run():
        with app.app_context():
            try:
                vote, member = db.session.get(TopicVote, vote_id), db.session.get(Member, member_id)
                if barrier is not None:
                    barrier.wait(timeout=10)
                services.cast_ballot(vote, allocation, actor=member)
                db.session.commit()
                outcome.append("ok")
            except Exception as error:  # reported to the test thread
                db.session.rollback()
                outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_first_ballot_waits_for_the_first_and_becomes_an_update(app, vote, topics, voters):
    alice = voters[0]
    vote_id, alice_id = vote.id, alice.id
    services.cast_ballot(vote, {topics[0].id: 2}, actor=alice)  # inserted, not committed: holds the row
    outcome = []
    other = _submit_in_thread(app, vote_id, alice_id, {topics[1].id: 1, topics[2].id: 1}, outcome)
    time.sleep(0.5)
    assert other.is_alive()  # blocked on the unique (vote, member) row of the uncommitted first ballot
    db.session.commit()
    other.join(timeout=20)

    assert outcome == ["ok"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote_id)) == 1
    assert queries.ballot_points_of(db.session.get(TopicVote, vote_id), db.session.get(Member, alice_id)) == {
        topics[1].id: 1, topics[2].id: 1}


def test_simultaneous_submissions_from_one_member_count_once(app, vote, topics, voters):
    vote_id = vote.id
    first, second = {topics[0].id: 2}, {topics[1].id: 1, topics[2].id: 1}
    for member in voters:  # three independent races
        barrier, outcome = threading.Barrier(2), []
        threads = [_submit_in_thread(app, vote_id, member.id, allocation, outcome, barrier)
                   for allocation in (first, second)]
        for thread in threads:
            thread.join(timeout=30)
        assert outcome == ["ok", "ok"]

    db.session.expire_all()
    vote = db.session.get(TopicVote, vote_id)
    assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote_id)) == 3
    for member in voters:
        assert queries.ballot_points_of(vote, member) in (first, second)  # one whole ballot, never a mix
    assert queries.turnout(vote).voters == 3
