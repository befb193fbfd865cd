"""create_x() helpers for topics tests: real rows, committed."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from network.database import utcnow
from network.extensions import db
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem, Meeting
from network.topics.enums import VoteStatus
from network.topics.models import Topic, TopicVote, TopicVoteCandidate
from network.topics.services import default_points_per_voter

_sequence = itertools.count(1)


def create_meeting(network, starts_at: datetime | None = None, kind: str = MeetingKind.QUARTERLY,
                   status: str = MeetingStatus.PLANNED, title: str | None = None, with_workshop: bool = False,
                   **values) -> Meeting:
    """A meeting; `with_workshop` puts a CODEV workshop on its agenda (the meeting pickers offer only those)."""
    starts_at = starts_at or datetime(2026, 3, 12, 8, 30, tzinfo=UTC)
    meeting = Meeting(network_id=network.id, kind=kind, status=status, starts_at=starts_at,
                      ends_at=values.pop("ends_at", starts_at + timedelta(hours=7)),
                      title=title or f"Rencontre {next(_sequence)}", ical_uid=f"{uuid.uuid4()}@reseau.test", **values)
    db.session.add(meeting)
    db.session.flush()
    if with_workshop:
        db.session.add(AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.CODEV, title="Atelier CODEV",
                                  position=2))
    db.session.commit()
    return meeting


def create_agenda_item(meeting, kind: str = AgendaItemKind.THEMATIC, title: str = "Information thématique",
                       topic=None, position: int = 1) -> AgendaItem:
    item = AgendaItem(meeting_id=meeting.id, kind=kind, title=title, position=position,
                      topic_id=topic.id if topic else None)
    db.session.add(item)
    db.session.commit()
    return item


def create_topic(network, author=None, title: str | None = None, **values) -> Topic:
    topic = Topic(network_id=network.id, author_id=author.id if author else None,
                  title=title or f"Thème {next(_sequence)}", **values)
    db.session.add(topic)
    db.session.commit()
    return topic


def create_vote(meeting, topics, status: str = VoteStatus.OPEN, closes_at: datetime | None = None,
                points_per_voter: int | None = None, max_per_topic: int = 2, **values) -> TopicVote:
    now = utcnow()
    vote = TopicVote(network_id=meeting.network_id, meeting_id=meeting.id, status=status,
                     points_per_voter=points_per_voter or default_points_per_voter(len(topics)),
                     max_per_topic=max_per_topic, closes_at=closes_at or now + timedelta(days=7),
                     opened_at=now if status != VoteStatus.DRAFT else None,
                     candidates=[TopicVoteCandidate(topic_id=topic.id) for topic in topics], **values)
    db.session.add(vote)
    db.session.commit()
    return vote
