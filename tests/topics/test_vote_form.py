"""Opening a vote round: the form starts on the next quarterly meeting (or today's), closing the evening before,
and never offers a past meeting nor a training."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from network.calendar import PARIS, to_paris
from network.database import utcnow
from network.errors import DomainError
from network.extensions import db
from network.sessions.enums import MeetingKind
from network.topics import services
from network.topics.models import TopicVote
from tests.topics.factories import create_meeting, create_topic


@pytest.fixture
def backlog(network, coordinator):
    return [create_topic(network, author=coordinator, title=title) for title in ("Le SDSF", "L'inclusion")]


def _options(page: str, meetings) -> list[str]:
    return [meeting.title for meeting in meetings
            if f'<option value="{meeting.id}"' in page or f'<option selected value="{meeting.id}"' in page]


def test_vote_form_defaults_to_the_next_quarterly_meeting(client, login, facilitator, network, backlog):
    now = utcnow()
    past = create_meeting(network, starts_at=now - timedelta(days=80), title="Rencontre passée", with_workshop=True)
    training = create_meeting(network, starts_at=now + timedelta(days=5), title="Formation élus",
                              kind=MeetingKind.TRAINING)
    day = to_paris(now + timedelta(days=20)).date()
    starts = datetime.combine(day, datetime.min.time().replace(hour=9, minute=30), tzinfo=PARIS)
    following = create_meeting(network, starts_at=starts, title="Rencontre suivante", with_workshop=True)
    later = create_meeting(network, starts_at=now + timedelta(days=110), title="Rencontre d'après",
                           with_workshop=True)
    login(facilitator)

    page = client.get("/themes/votes/nouveau").get_data(as_text=True)

    assert _options(page, [past, training, following, later]) == ["Rencontre suivante", "Rencontre d'après"]
    assert f'<option selected value="{following.id}">' in page
    assert f'value="{(day - timedelta(days=1)).isoformat()}"' in page and 'value="18:00"' in page


def test_vote_form_defaults_to_the_meeting_held_today(client, login, facilitator, network, backlog):
    now = utcnow()
    today = create_meeting(network, starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=3),
                           title="Rencontre du jour", with_workshop=True)
    create_meeting(network, starts_at=now + timedelta(days=90), title="Rencontre suivante", with_workshop=True)
    login(facilitator)

    page = client.get("/themes/votes/nouveau").get_data(as_text=True)

    ends = to_paris(today.ends_at)
    assert f'<option selected value="{today.id}">' in page
    assert f'value="{ends.date().isoformat()}"' in page and f'value="{ends:%H:%M}"' in page


def test_vote_create_refuses_a_past_meeting(client, login, facilitator, network, backlog):
    past = create_meeting(network, starts_at=utcnow() - timedelta(days=80), title="Rencontre passée",
                          with_workshop=True)
    login(facilitator)

    response = client.post("/themes/votes/nouveau", data={
        "meeting_id": past.id, "topic_ids": [topic.id for topic in backlog],
        "closes_on": (utcnow() + timedelta(days=2)).date().isoformat(), "closes_time": "18:00", "max_per_topic": 2})

    assert response.status_code == 200
    assert "Choisissez une rencontre de la liste : une rencontre trimestrielle à venir." in response.get_data(
        as_text=True)
    assert db.session.scalar(select(TopicVote)) is None


def test_vote_form_without_upcoming_meeting_says_so(client, login, facilitator, network, backlog):
    create_meeting(network, starts_at=utcnow() - timedelta(days=80), title="Rencontre passée", with_workshop=True)
    login(facilitator)

    page = client.get("/themes/votes/nouveau").get_data(as_text=True)

    assert "Aucune rencontre trimestrielle à venir" in page


def test_create_vote_round_refuses_a_training(network, facilitator, backlog):
    training = create_meeting(network, starts_at=utcnow() + timedelta(days=5), kind=MeetingKind.TRAINING)
    with pytest.raises(DomainError, match="pas d'une formation"):
        services.create_vote_round(actor=facilitator, meeting=training, topics=backlog,
                                   closes_at=utcnow() + timedelta(days=2))


def test_default_closes_at_is_the_eve_or_the_end_of_a_meeting_under_way(network):
    now = utcnow()
    day = to_paris(now + timedelta(days=20)).date()
    coming = create_meeting(network, starts_at=datetime.combine(day, datetime.min.time().replace(hour=9),
                                                                 tzinfo=PARIS))
    under_way = create_meeting(network, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))

    assert to_paris(services.default_closes_at(coming, now)) == datetime.combine(
        day - timedelta(days=1), datetime.min.time().replace(hour=18), tzinfo=PARIS)
    assert services.default_closes_at(under_way, now) == under_way.ends_at
