"""Helpers for the registration tests: a network ready to receive requests, and request rows."""

import re
from datetime import timedelta

import pytest

from network.database import utcnow
from network.extensions import db as _db
from network.members.enums import InstitutionKind
from network.registration.enums import JoinRequestStatus
from network.registration.models import JoinRequest
from tests import factories

LINK_PATTERN = re.compile(r"https?://[^/\s]+(/\S+)")  # any host: the e2e live server changes PUBLIC_BASE_URL


@pytest.fixture
def other_client(make_client):
    """other_client() → a second browser (its own cookies) in the same test."""
    return make_client


@pytest.fixture
def caf(network):
    return factories.create_institution(network, name="Caf du Pas-de-Calais", kind=InstitutionKind.CAF)


@pytest.fixture
def epci(network):
    return factories.create_territory(network, name="CC des 7 Vallées", siren="246200364")


@pytest.fixture
def form_data(caf, epci):
    """A valid join form for `network`."""
    return {
        "first_name": "Aurélie", "last_name": "Dumont", "email": "Aurelie.Dumont@Example.org",
        "phone": "03 21 45 67 89", "job_title": "Chargée de coopération CTG",
        "institution": str(caf.id), "institution_name": "", "institution_kind": "",
        "territory": str(epci.id), "privacy_accepted": "y", "website": "",
    }


def make_join_request(network, *, email="personne@example.test", status=JoinRequestStatus.PENDING,
                      age=timedelta(hours=1), decided_age=None, **values) -> JoinRequest:
    created = utcnow() - age
    join_request = JoinRequest(
        network_id=network.id, status=status, email=email, first_name=values.pop("first_name", "Camille"),
        last_name=values.pop("last_name", "Durand"), phone="03 21 00 00 00", job_title="Chargée de coopération",
        created_at=created, privacy_accepted_at=created,
        confirmed_at=None if status == JoinRequestStatus.UNCONFIRMED else created,
        decided_at=utcnow() - decided_age if decided_age else None, **values,
    )
    _db.session.add(join_request)
    _db.session.commit()
    return join_request


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message) -> str:
    """The first site path linked from an email's text part."""
    return LINK_PATTERN.search(plain_text(message)).group(1)


def messages_to(smtp_server, address: str) -> list:
    return [message for message in smtp_server.messages if message["To"] == address]
