"""The writes of a meeting day (bench/plan.py: an answer on the site, an answer by the email's link, a check-in at the
door, a ballot) each issue a fixed, small number of SQL statements, whatever the size of the meeting or the round,
and none after their commit (the redirect and the confirmation page use what the write loaded).

Each test writes once before counting: the first write of a process checks that the network versions table exists.
SAVEPOINT and RELEASE are not counted (count_queries)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.audit import AuditEvent
from network.database import utcnow
from network.extensions import db
from network.sessions.enums import MeetingStatus
from network.sessions.models import Attendance, Invitation
from network.sessions.tokens import make_rsvp_token
from network.topics.models import Ballot, BallotPoint
from tests import factories
from tests.sessions import factories as sf
from tests.topics import factories as tf


def _members(network, count: int) -> list:
    """`count` coordinators of the network; the first one can sign in."""
    return [factories.create_member(network=network, email=f"w{network.id}-{n}@example.test", with_password=n == 0)
            for n in range(count)]


def _count(count_queries, send) -> int:
    """The statements of send(), whose URL is built beforehand (the test's objects are expired first)."""
    db.session.expire_all()
    with count_queries() as counter:
        response = send()
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    return counter.count


@pytest.mark.parametrize("invited", [3, 300])
def test_an_answer_on_the_site_costs_four_statements(client, login, network, count_queries, invited):
    """The member, the meeting, their invitation, the UPDATE (an answer leaves the network's version alone: no
    figure reads it)."""
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED)
    members = _members(network, invited)
    sf.invite(meeting, *members)
    login(members[0])
    url = f"/rencontres/{meeting.id}/reponse"
    client.post(url, data={"answer": "no"})
    assert _count(count_queries, lambda: client.post(url, data={"answer": "yes"})) == 4
    answer = db.session.scalar(select(Invitation.rsvp).where(Invitation.member_id == members[0].id))
    assert answer == "yes"


def test_the_flash_of_an_answer_on_the_site_says_the_answer(client, login, network):
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED)
    member = factories.create_member(network=network)
    sf.invite(meeting, member)
    login(member)
    response = client.post(f"/rencontres/{meeting.id}/reponse", data={"answer": "excused"}, follow_redirects=True)
    assert "Réponse enregistrée : excusé·e." in sf.page_text(response)


@pytest.mark.parametrize("invited", [3, 300])
def test_an_answer_by_the_emails_link_costs_two_statements(client, network, count_queries, invited):
    """The invitation with its member and meeting (venue, network) in one, the UPDATE (the network's version left
    alone); the confirmation page reads nothing more."""
    venue = sf.create_venue(network, "Maison des associations")
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED, venue=venue, title="Rencontre d'automne")
    invitations = sf.invite(meeting, *_members(network, invited))
    client.post(f"/rencontres/reponse/{make_rsvp_token(invitations[1])}", data={"answer": "no"})
    token = make_rsvp_token(invitations[0])
    response = None

    def send():
        nonlocal response
        response = client.post(f"/rencontres/reponse/{token}", data={"answer": "yes", "comment": "Avec plaisir"})
        return response

    assert _count(count_queries, send) == 2
    page = sf.page_text(response)
    assert "Merci, votre réponse est enregistrée" in page and "Rencontre d'automne" in page
    assert venue.name in page and "Ajouter à mon agenda" in page
    invitation = db.session.get(Invitation, invitations[0].id)
    assert (invitation.rsvp, invitation.rsvp_comment, invitation.rsvp_source) == ("yes", "Avec plaisir", "link")


@pytest.mark.parametrize("invited", [3, 300])
def test_a_check_in_costs_seven_statements(client, login, network, facilitator, count_queries, invited):
    """The member, the meeting, its row lock, the invitation with any attendance, the INSERT, the network's
    version, the audit row (the first check-in, which also marks the meeting held, is not the one counted)."""
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() - timedelta(minutes=10))
    members = _members(network, invited)
    sf.invite(meeting, *members)
    login(facilitator)
    client.post(f"/rencontres/{meeting.id}/presences/{members[1].id}", data={"status": "present"})
    url = f"/rencontres/{meeting.id}/presences/{members[0].id}"
    assert _count(count_queries, lambda: client.post(url, data={"status": "present"})) == 7
    assert db.session.scalar(select(Attendance.status).where(Attendance.member_id == members[0].id)) == "present"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "attendance.record")) == 2
    # a correction: the same statements, the UPDATE in place of the INSERT
    assert _count(count_queries, lambda: client.post(url, data={"status": "absent"})) == 7
    # and no savepoint either (two round trips more): the meeting's lock serializes the check-ins
    with count_queries() as counter:
        response = client.post(f"/rencontres/{meeting.id}/presences/{members[2].id}", data={"status": "present"})
    assert response.status_code == 302 and counter.savepoints == []


@pytest.mark.parametrize("voters", [3, 300])
def test_a_ballot_costs_seven_statements(client, make_client, login, network, coordinator, count_queries, voters):
    """The member, the round with its candidates, the ballot (inserted or stamped, its id returned), the round re-read
    under the lock, its points deleted, then inserted, the network's version. A new ballot and a changed one alike."""
    meeting = tf.create_meeting(network, starts_at=utcnow() + timedelta(days=20))
    topics = [tf.create_topic(network, author=coordinator, title=f"Thème {n}") for n in range(3)]
    vote = tf.create_vote(meeting, topics, points_per_voter=3)
    others = _members(network, voters)
    db.session.add_all(Ballot(vote_id=vote.id, member_id=member.id, created_at=utcnow(), updated_at=utcnow())
                       for member in others)
    db.session.commit()
    other_client = login(others[0], on=make_client())
    assert other_client.post(f"/themes/votes/{vote.id}/bulletin", data={f"topic_{topics[0].id}": 1}).status_code == 302
    login(coordinator)
    url, topic_ids = f"/themes/votes/{vote.id}/bulletin", [topic.id for topic in topics]
    first = _count(count_queries, lambda: client.post(url, data={f"topic_{topic_ids[0]}": 1,
                                                                  f"topic_{topic_ids[1]}": 1}))
    changed = _count(count_queries, lambda: client.post(url, data={f"topic_{topic_ids[2]}": 2}))
    assert (first, changed) == (7, 7)
    ballot = db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id, Ballot.member_id == coordinator.id))
    points = db.session.execute(select(BallotPoint.topic_id, BallotPoint.points)
                                .where(BallotPoint.ballot_id == ballot.id)).all()
    assert [tuple(row) for row in points] == [(topic_ids[2], 2)]
    assert ballot.updated_at >= ballot.created_at


def test_a_refused_ballot_shows_the_round_again_with_its_topics(client, login, network, coordinator):
    """The ballot's POST loads the round without what its page shows: a refused ballot (a value out of the form's
    choices, then a domain refusal after the rollback) loads the page's round again, topics and meeting included."""
    meeting = tf.create_meeting(network, starts_at=utcnow() + timedelta(days=20), title="Rencontre d'hiver")
    topics = [tf.create_topic(network, author=coordinator, title=f"Thème numéro {n}") for n in range(3)]
    vote = tf.create_vote(meeting, topics, points_per_voter=2)
    url = f"/themes/votes/{vote.id}/bulletin"
    login(coordinator)
    for data, message in (({f"topic_{topics[0].id}": 3}, None),
                          ({f"topic_{topics[0].id}": 2, f"topic_{topics[1].id}": 1},
                           "Vous avez réparti 3 points : vous en avez 2 au maximum.")):
        response = client.post(url, data=data)
        page = sf.page_text(response)
        assert response.status_code == 400
        assert all(f"Thème numéro {n}" in page for n in range(3)) and "Rencontre d'hiver" in page
        assert message is None or message in page
