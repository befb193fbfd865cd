from datetime import UTC, datetime

import pytest

from tests import factories
from tests.topics import factories as topic_factories


@pytest.fixture
def voters(network):
    """Three coordinators of `network`."""
    return [factories.create_member(network=network, first_name=name) for name in ("Alice", "Bruno", "Chloé")]


@pytest.fixture
def meeting(network):
    return topic_factories.create_meeting(network, starts_at=datetime(2026, 3, 12, 8, 30, tzinfo=UTC),
                                          title="Rencontre de mars")


@pytest.fixture
def next_meeting(network):
    return topic_factories.create_meeting(network, starts_at=datetime(2026, 6, 11, 7, 30, tzinfo=UTC),
                                          title="Rencontre de juin")


@pytest.fixture
def topics(network, coordinator):
    return [topic_factories.create_topic(network, author=coordinator, title=title)
            for title in ("Le SDSF", "L'inclusion", "Animer une réunion avec des élus",
                          "La petite enfance", "Les tiers-lieux", "La mobilité")]


@pytest.fixture
def vote(meeting, topics):
    """An open round on the six topics: 2 points per voter, at most 2 per topic."""
    return topic_factories.create_vote(meeting, topics)
