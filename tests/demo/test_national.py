from datetime import date

import pytest
from sqlalchemy import func, select

from network.codev.enums import CaseState
from network.codev.models import Case, CaseFollowUp, CaseRecord
from network.demo.national import seed_national
from network.extensions import db as extension_db
from network.members.models import Member
from network.sessions.models import Attendance, Invitation, Meeting
from network.topics.models import Ballot, BallotPoint, Topic, TopicVote, TopicVoteCandidate


def _count(column):
    return extension_db.session.scalar(select(func.count(column)))


BASE = {"networks": 3, "members": 30, "meetings": 24, "invitations": 192, "attendances": 168, "topics": 102,
        "vote_rounds": 21, "resources": 52, "minutes": 11, "file_blobs": 12}  # 21 past meetings: 2 or 3 materials each


# Exact figures for the default random seed (2026): follow-ups and ballot points depend on its draws.
@pytest.mark.parametrize(("cases_per_network", "ballots_per_round", "expected"), [
    # 7 past meetings × 3 worked cases = 21 per network; with 30, 9 more in the other states.
    (30, 5, {"cases": 90, "case_follow_ups": 37, "case_records": 7, "ballots": 105, "ballot_points": 188}),
    # Fewer cases than workshop seats: each network stops at 12, all worked.
    (12, 8, {"cases": 36, "case_follow_ups": 28, "case_records": 4, "ballots": 168, "ballot_points": 288}),
])
def test_national_seed_creates_the_requested_volumes(db, cases_per_network, ballots_per_round, expected):
    scale = seed_national(today=date(2031, 11, 22), networks=3, members_per_network=10, years=2,
                          invited_per_meeting=8, cases_per_network=cases_per_network,
                          ballots_per_round=ballots_per_round)
    db.session.commit()

    assert scale.counts == {**BASE, **expected}
    assert _count(Member.id) == 30
    assert _count(Meeting.id) == 24
    assert _count(Invitation.id) == 192
    # 2030 (4) and 2031 Q1–Q3 (3) are past in each network: 7 × 3 meetings × 8 invited.
    assert _count(Attendance.id) == 168
    assert _count(Case.id) == expected["cases"]
    assert _count(CaseFollowUp.id) == expected["case_follow_ups"]
    assert _count(CaseRecord.id) == expected["case_records"]
    # One confirmed round per past meeting (21), four candidate topics each, plus 6 backlog topics per network.
    assert _count(TopicVote.id) == 21
    assert _count(TopicVoteCandidate.id) == 84
    assert _count(Topic.id) == 21 * 4 + 3 * 6
    assert _count(Ballot.id) == expected["ballots"]
    assert _count(BallotPoint.id) == expected["ballot_points"]


def test_national_ballots_respect_the_points_rules(db):
    seed_national(today=date(2031, 11, 22), networks=2, members_per_network=10, years=2, invited_per_meeting=8,
                  cases_per_network=30, ballots_per_round=6)
    db.session.commit()

    spent = db.session.execute(
        select(Ballot.id, func.sum(BallotPoint.points), func.max(BallotPoint.points), TopicVote.points_per_voter,
               TopicVote.max_per_topic)
        .join(BallotPoint, BallotPoint.ballot_id == Ballot.id).join(TopicVote, TopicVote.id == Ballot.vote_id)
        .group_by(Ballot.id, TopicVote.points_per_voter, TopicVote.max_per_topic)).all()
    assert len(spent) == 2 * 7 * 6
    assert all(total == per_voter and highest <= per_topic for _b, total, highest, per_voter, per_topic in spent)
    # Every point goes to a candidate of the ballot's round.
    outside = db.session.scalar(
        select(func.count(BallotPoint.id)).join(Ballot, Ballot.id == BallotPoint.ballot_id)
        .outerjoin(TopicVoteCandidate, (TopicVoteCandidate.vote_id == Ballot.vote_id)
                   & (TopicVoteCandidate.topic_id == BallotPoint.topic_id))
        .where(TopicVoteCandidate.id.is_(None)))
    assert outside == 0


def test_national_cases_follow_the_workshop_rules(db):
    seed_national(today=date(2031, 11, 22), networks=2, members_per_network=10, years=2, invited_per_meeting=8,
                  cases_per_network=40, ballots_per_round=4)
    db.session.commit()

    by_state = dict(db.session.execute(select(Case.state, func.count(Case.id)).group_by(Case.state)).all())
    worked = by_state.get(CaseState.WORKED, 0) + by_state.get(CaseState.FOLLOWED_UP, 0) + by_state.get(
        CaseState.CLOSED, 0)
    assert worked == 2 * 7 * 3
    assert sum(by_state.values()) == 80
    assert set(by_state) >= {CaseState.DRAFT, CaseState.PROPOSED, CaseState.POSTPONED, CaseState.WITHDRAWN}
    # Worked cases sit at a past meeting with worked_at set; only followed-up or closed ones carry an outcome.
    assert _count(Case.id) - db.session.scalar(select(func.count(Case.id)).where(Case.worked_at.is_(None))) == worked
    assert db.session.scalar(select(func.count(Case.id)).where(
        Case.outcome.is_not(None), Case.state.not_in((CaseState.FOLLOWED_UP, CaseState.CLOSED)))) == 0
    assert db.session.scalar(select(func.count(CaseFollowUp.id))) == db.session.scalar(
        select(func.count(Case.id)).where(Case.outcome.is_not(None)))
