"""Every list and detail page issues the same number of SQL queries with 1, 3 and 300 rows."""

import itertools
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from sqlalchemy.engine.cursor import CursorFetchStrategy

from network.audit import AuditEvent
from network.codev.enums import CaseState, Theme
from network.codev.models import Case
from network.calendar import to_paris
from network.database import utcnow
from network.extensions import db
from network.members.models import Member
from network.registration.models import JoinRequest
from network.resources import search
from network.resources.enums import ResourceKind, ResourceStatus
from network.resources.models import Resource
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.models import Attendance, Invitation, Meeting
from network.topics.enums import VoteStatus
from network.topics.models import Ballot, BallotPoint, Topic, TopicVote, TopicVoteCandidate
from tests import factories
from tests.clock import SUITE_NOW

SIZES = (1, 3, 300)
_numbers = itertools.count(1)
YEAR = SUITE_NOW.year


def _members(network, count):
    members = [Member(network_id=network.id, email=f"m{next(_numbers)}@example.org", first_name="Prénom",
                      last_name=f"Nom{next(_numbers)}", role="coordinator", calendar_token=secrets.token_urlsafe(16),
                      password_hash=None) for _ in range(count)]
    db.session.add_all(members)
    db.session.flush()
    return members


def _meeting(network, *, days: int, status=MeetingStatus.INVITED):
    starts_at = utcnow().replace(microsecond=0, second=0, minute=0, hour=8) + timedelta(days=days)
    meeting = Meeting(network_id=network.id, title=f"Rencontre {next(_numbers)}", starts_at=starts_at,
                      ends_at=starts_at + timedelta(hours=6), status=status, ical_uid=f"{uuid.uuid4()}@t")
    db.session.add(meeting)
    db.session.flush()
    return meeting


class World:
    """A network with a facilitator, a coordinator, one meeting, one vote; `grow(page, n)` adds rows."""

    def __init__(self):
        self.network = factories.create_network()
        self.facilitator = factories.create_member(network=self.network, role="facilitator")
        self.coordinator = factories.create_member(network=self.network)
        self.admin = factories.create_member(network=None, role="admin")
        self.meeting = _meeting(self.network, days=20)
        self.topic = Topic(network_id=self.network.id, title="Thème", author_id=self.coordinator.id)
        db.session.add(self.topic)
        db.session.flush()
        self.vote = TopicVote(network_id=self.network.id, meeting_id=self.meeting.id, status=VoteStatus.OPEN,
                              points_per_voter=1, max_per_topic=1, closes_at=utcnow() + timedelta(days=3),
                              opened_at=utcnow(), candidates=[TopicVoteCandidate(topic_id=self.topic.id)])
        db.session.add(self.vote)
        db.session.commit()
        self.counts = {}

    def grow(self, page: str, n: int) -> None:
        missing = n - self.counts.get(page, 0)
        self.counts[page] = n
        getattr(self, f"_add_{page}")(missing)
        db.session.commit()

    def _add_members(self, k):
        _members(self.network, k)

    def _add_invitations(self, k):
        db.session.add_all(Invitation(meeting_id=self.meeting.id, member_id=m.id, rsvp=Rsvp.YES)
                           for m in _members(self.network, k))

    def _add_my_meetings(self, k):
        for offset in range(k):
            meeting = _meeting(self.network, days=-300 + 2 * self.counts["my_meetings"] - offset * 2)
            db.session.add(Invitation(meeting_id=meeting.id, member_id=self.coordinator.id, rsvp=Rsvp.YES,
                                      sent_at=meeting.starts_at - timedelta(days=30)))

    def _add_held_meetings(self, k):
        members = _members(self.network, 2)
        for _ in range(k):
            starts = datetime(YEAR, 1, 1, 8, tzinfo=UTC) + timedelta(hours=next(_numbers))
            meeting = Meeting(network_id=self.network.id, title="Rencontre", starts_at=starts,
                              ends_at=starts + timedelta(hours=1), status=MeetingStatus.HELD,
                              ical_uid=f"{uuid.uuid4()}@t")
            db.session.add(meeting)
            db.session.flush()
            for member in members:
                db.session.add(Invitation(meeting_id=meeting.id, member_id=member.id))
                db.session.add(Attendance(meeting_id=meeting.id, member_id=member.id, status="present",
                                          recorded_at=starts))

    def _add_topics(self, k):
        db.session.add_all(Topic(network_id=self.network.id, title=f"Thème {next(_numbers)}",
                                 author_id=self.coordinator.id) for _ in range(k))

    def _add_ballots(self, k):
        for member in _members(self.network, k):
            ballot = Ballot(vote_id=self.vote.id, member_id=member.id)
            db.session.add(ballot)
            db.session.flush()
            db.session.add(BallotPoint(ballot_id=ballot.id, topic_id=self.topic.id, points=1))

    def _add_cases(self, k):
        db.session.add_all(Case(network_id=self.network.id, client_id=m.id, meeting_id=self.meeting.id,
                                title="Cas", theme=Theme.EARLY_CHILDHOOD, state=CaseState.PROPOSED,
                                proposed_at=utcnow()) for m in _members(self.network, k))

    def _add_join_requests(self, k):
        db.session.add_all(JoinRequest(network_id=self.network.id, status="pending",
                                       email=f"j{next(_numbers)}@example.org", first_name="Camille",
                                       last_name="Durand", phone="0300000000", job_title="Chargée",
                                       privacy_accepted_at=utcnow(), confirmed_at=utcnow()) for _ in range(k))

    def _add_resources(self, k):
        """Published links of the meeting, every one found by the word « parentalité », half shared nationally."""
        rows = [Resource(network_id=self.network.id, meeting_id=self.meeting.id, kind=ResourceKind.LINK,
                         title=f"Guide parentalité {next(_numbers)}", url="https://example.org/guide",
                         year=self.meeting.starts_at.year, status=ResourceStatus.PUBLISHED,
                         search_text=search.search_document("Guide parentalité"),
                         shared_at=utcnow() if number % 2 else None,
                         shared_theme=Theme.PARENTING if number % 2 else None)
                for number in range(k)]
        db.session.add_all(rows)
        db.session.flush()
        search.reindex(Resource, rows)

    def _add_audit(self, k):
        db.session.add_all(AuditEvent(actor_id=self.facilitator.id, network_id=self.network.id,
                                      action="member.update", object_type="Member", object_id=1, fields="phone")
                           for _ in range(k))


PAGES = {
    # name: (rows grown, who looks, url)
    "directory": ("members", "facilitator", lambda w: "/membres"),
    # the year of the first meeting (300 days ago): its year's calendar shows the first one, then more
    "calendar": ("my_meetings", "coordinator",
                 lambda w: f"/rencontres/?annee={to_paris(utcnow() - timedelta(days=300)).year}"),
    "meeting_detail": ("invitations", "facilitator", lambda w: f"/rencontres/{w.meeting.id}"),
    "checkin": ("invitations", "facilitator", lambda w: f"/rencontres/{w.meeting.id}/presences"),
    "signin_sheet": ("invitations", "facilitator", lambda w: f"/rencontres/{w.meeting.id}/emargement"),
    "my_meetings": ("my_meetings", "coordinator", lambda w: "/rencontres/mes-rencontres"),
    "calendar_feed": ("my_meetings", None, lambda w: f"/rencontres/agenda/{w.coordinator.calendar_token}.ics"),
    "attendance_history": ("held_meetings", "facilitator", lambda w: f"/rencontres/assiduite?annee={YEAR}"),
    "topic_list": ("topics", "coordinator", lambda w: "/themes/"),
    "vote_detail": ("ballots", "facilitator", lambda w: f"/themes/votes/{w.vote.id}"),
    "case_list": ("cases", "facilitator", lambda w: "/codev/"),
    "workshop": ("cases", "facilitator", lambda w: f"/codev/rencontres/{w.meeting.id}"),
    "join_queue": ("join_requests", "facilitator", lambda w: "/adhesion/demandes"),
    "dashboard": ("held_meetings", "facilitator", lambda w: f"/evaluation/?annee={YEAR}"),
    "evolution": ("held_meetings", "facilitator", lambda w: "/evaluation/evolution"),
    "audit_log": ("audit", "admin", lambda w: "/donnees/journal"),
    "library": ("resources", "coordinator", lambda w: "/ressources/"),
    "library_by_topic": ("resources", "coordinator", lambda w: "/ressources/?par=theme"),
    "library_search": ("resources", "coordinator", lambda w: "/ressources/?q=parentalit%C3%A9"),
    "library_filtered": ("resources", "facilitator",
                         lambda w: f"/ressources/?type=link&annee={w.meeting.starts_at.year}"),
    "national_library_search": ("resources", "coordinator", lambda w: "/ressources/national?q=parentalit%C3%A9"),
    "national_library": ("resources", "admin", lambda w: "/ressources/national?theme=parenting"),
    "home_coordinator": ("my_meetings", "coordinator", lambda w: "/"),
    "home_facilitator": ("invitations", "facilitator", lambda w: "/"),
}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.usefixtures("mid_year")  # on 15 June: the same meetings fall in the same years whatever the day of CI
def test_page_query_count_is_the_same_with_1_3_and_300_rows(page, client, login, count_queries):
    rows, who, url = PAGES[page]
    world = World()
    if who:
        login(getattr(world, who))
    counts, sizes = [], []
    for size in SIZES:
        world.grow(rows, size)
        address = url(world)
        assert client.get(address).status_code == 200  # warm-up (first request after login loads more)
        with count_queries() as counter:
            response = client.get(address)
        assert response.status_code == 200
        counts.append(counter.count)
        sizes.append(len(response.data))

    assert counts == [counts[0]] * 3, f"{page}: {counts}"
    # totals (per ballot, per year, per meeting), or the next few meetings whatever their number
    if page not in ("vote_detail", "evolution", "home_coordinator", "home_facilitator"):
        assert sizes[2] > sizes[1] > sizes[0], f"{page}: the rows do not show on the page ({sizes})"


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.usefixtures("mid_year")
def test_page_fetches_its_rows_at_once_with_1_3_and_300_rows(page, client, login, count_queries, monkeypatch):
    """Iterating a Core result asks the driver for one row at a time (with psycopg, ~0.5 µs more per row than one
    fetchall): a page's row-by-row fetches stay as many whatever the number of rows it lists."""
    rows, who, url = PAGES[page]
    world = World()
    if who:
        login(getattr(world, who))
    fetches = {"one at a time": 0}
    fetch_one = CursorFetchStrategy.fetchone

    def counted_fetch_one(self, result, dbapi_cursor, hard_close=False):
        fetches["one at a time"] += 1
        return fetch_one(self, result, dbapi_cursor, hard_close)

    monkeypatch.setattr(CursorFetchStrategy, "fetchone", counted_fetch_one)
    counts = []
    for size in SIZES:
        world.grow(rows, size)
        address = url(world)
        assert client.get(address).status_code == 200  # warm-up, as above
        with count_queries():  # the result caches emptied: the page reads everything
            fetches["one at a time"] = 0
            assert client.get(address).status_code == 200
        counts.append(fetches["one at a time"])

    assert counts == [counts[0]] * 3, f"{page}: {counts}"
