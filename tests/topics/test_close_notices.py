"""A round that reaches its deadline while open: its facilitators are told once, by email, to confirm the topic."""

from datetime import UTC, timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from network.extensions import db
from network.members.enums import Role
from network.outbox import OutboxMessage
from network.topics import services
from network.topics.enums import VoteStatus
from network.topics.models import TopicVote
from tests import factories
from tests.clock import SUITE_NOW
from tests.topics.factories import create_meeting, create_topic, create_vote

NOW = SUITE_NOW.astimezone(UTC)  # each test starts from it (tests/clock.py)


def _vote(meeting, topics, closes_at, ballots=(), status=VoteStatus.OPEN):
    """A round that was open before `closes_at`, with `ballots`: [(member, {topic: points})]."""
    vote = create_vote(meeting, topics, closes_at=closes_at, points_per_voter=2)
    for member, points in ballots:
        services.cast_ballot(vote, {topic.id: count for topic, count in points.items()}, actor=member,
                             now=closes_at - timedelta(hours=1))
    vote.status = status
    db.session.commit()
    return vote


@pytest.fixture
def rounds(db):
    """
    Network N: facilitators F1, F2, F3 (deactivated); coordinators C1, C2, C3. Topics A « Accueil des familles »,
    B « Bien vieillir ».
      R1 open, deadline an hour ago: C1 A2, C2 A1 B1 → A leads with 3 points; 2 voters of 5
      R2 open, deadline two hours ago: C1 A2, C2 B2 → A and B tied at 2
      R3 closed early by a facilitator · R4 open until tomorrow · R5 open, deadline 8 days ago: no notice
    Network M: facilitator G; R6 open, deadline an hour ago, no ballot.
    """
    network = factories.create_network(name="Réseau N")
    f1, f2 = (factories.create_member(network=network, role=Role.FACILITATOR) for _ in range(2))
    factories.create_member(network=network, role=Role.FACILITATOR, is_active=False)
    c1, c2, _c3 = (factories.create_member(network=network) for _ in range(3))
    a = create_topic(network, title="Accueil des familles")
    b = create_topic(network, title="Bien vieillir")
    meeting = create_meeting(network)
    made = {
        "R1": _vote(meeting, [a, b], NOW - timedelta(hours=1), [(c1, {a: 2}), (c2, {a: 1, b: 1})]),
        "R2": _vote(meeting, [a, b], NOW - timedelta(hours=2), [(c1, {a: 2}), (c2, {b: 2})]),
        "R3": _vote(meeting, [a, b], NOW - timedelta(hours=1), status=VoteStatus.CLOSED),
        "R4": _vote(meeting, [a, b], NOW + timedelta(days=1)),
        "R5": _vote(meeting, [a, b], NOW - timedelta(days=8)),
    }
    other = factories.create_network(name="Réseau M")
    g = factories.create_member(network=other, role=Role.FACILITATOR)
    made["R6"] = _vote(create_meeting(other), [create_topic(other)], NOW - timedelta(hours=1))
    return dict(rounds=made, f1=f1, f2=f2, g=g)


def _texts(recipient: str) -> list[str]:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipients == recipient)
                              .order_by(OutboxMessage.id))
    return [message_from_bytes(row.raw, policy=policy.default).get_body(("plain",)).get_content() for row in rows]


def _without_greeting(texts: list[str]) -> list[str]:
    return [text.split("\n", 1)[1] for text in texts]


def test_facilitators_hear_once_that_their_rounds_reached_the_deadline(rounds):
    sent = services.send_close_notices(now=NOW)
    db.session.commit()
    again = services.send_close_notices(now=NOW + timedelta(minutes=5))
    notified = {name: vote.close_notice_sent_at for name, vote in rounds["rounds"].items()}

    assert (sent, again) == (5, 0)
    assert notified == {"R1": NOW, "R2": NOW, "R3": None, "R4": None, "R5": None, "R6": NOW}
    f1_texts = _texts(rounds["f1"].email)
    assert f1_texts[0].startswith(f"Bonjour {rounds['f1'].first_name},")
    assert len(f1_texts) == 2 and _without_greeting(_texts(rounds["f2"].email)) == _without_greeting(f1_texts)
    leader, tied = sorted(f1_texts, key=lambda text: "Ex æquo" in text)
    assert "Participation : 2 membres sur 5." in leader
    assert "En tête : « Accueil des familles » (3 points)." in leader
    assert "Ex æquo en tête (2 points chacun) : « Accueil des familles », « Bien vieillir »." in tied
    assert f"/themes/votes/{rounds['rounds']['R1'].id}" in leader
    (other_network,) = _texts(rounds["g"].email)
    assert "Aucun bulletin n'a été déposé" in other_network and "Participation : 0 membre sur 1." in other_network
    assert db.session.scalar(select(OutboxMessage.subject).where(OutboxMessage.recipients == rounds["g"].email)) \
        == "Vote clos : confirmez le thème de la prochaine rencontre"


def test_a_round_closed_then_confirmed_before_the_command_runs_is_not_announced(rounds):
    vote: TopicVote = rounds["rounds"]["R1"]
    vote.status = VoteStatus.CONFIRMED
    db.session.commit()

    assert services.send_close_notices(now=NOW) == 3  # R2 to F1 and F2, R6 to G
    assert vote.close_notice_sent_at is None


def test_the_cron_command_queues_the_notices(app, rounds):
    first = app.test_cli_runner().invoke(args=["topics", "send-close-notices"])
    second = app.test_cli_runner().invoke(args=["topics", "send-close-notices"])

    assert (first.output, second.output) == ("close notices queued=5\n", "close notices queued=0\n")
    assert db.session.scalar(select(OutboxMessage.id).limit(1)) is not None
