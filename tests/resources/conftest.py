import io
from datetime import timedelta

import pytest

from network.database import utcnow
from network.sessions.enums import AgendaItemKind, MeetingStatus
from network.sessions.models import AgendaItem
from network.extensions import db
from tests import factories
from tests.sessions import factories as session_factories
from tests.resources import samples


@pytest.fixture
def meeting(network):
    """A quarterly meeting held last week, with a thematic segment."""
    starts_at = utcnow().replace(microsecond=0) - timedelta(days=7)
    return session_factories.create_meeting(network, starts_at=starts_at, status=MeetingStatus.HELD,
                                            title="Rencontre de printemps")


@pytest.fixture
def agenda_item(meeting):
    item = AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.THEMATIC, title="Le schéma des services aux familles",
                      position=1, speaker="Mme Martin, Caf")
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def other_network(db):
    return factories.create_network()


@pytest.fixture
def outsider(other_network):
    return factories.create_member(network=other_network, role="facilitator", email="ailleurs@example.test")


@pytest.fixture
def upload(client):
    """upload(meeting, data, name, **fields) posts the form as a facilitator's browser does."""

    def _upload(meeting, data=None, name="support.pdf", on=None, **fields):
        form = {"kind": "file", "title": "", "description": "", "agenda_item_id": "",
                "file": (io.BytesIO(samples.pdf() if data is None else data), name), **fields}
        return (on or client).post(f"/ressources/rencontre/{meeting.id}/ajouter", data=form,
                                   content_type="multipart/form-data")

    return _upload
