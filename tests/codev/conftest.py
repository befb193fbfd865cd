from dataclasses import dataclass

import pytest

from network.codev.enums import CaseState
from network.members.models import Member
from tests import factories
from tests.codev import factories as codev_factories


@dataclass
class Workshop:
    """One network, a meeting everyone said yes to, a selected case with its 5-person subgroup."""

    network: object
    meeting: object
    case: object
    client: Member
    animator: Member
    consultants: list[Member]
    facilitator: Member  # co-facilitator of the network, outside the subgroup
    other: Member  # a coordinator of the same network, outside the subgroup
    admin: Member
    spare: list[Member]  # coordinators who said yes and sit nowhere yet


@pytest.fixture
def workshop(db):
    network = factories.create_network()
    make = lambda role="coordinator", **kw: factories.create_member(network=network, role=role, **kw)  # noqa: E731
    client = make(first_name="Sophie", last_name="Cliente")
    animator = make(first_name="Alain", last_name="Animateur")
    consultants = [make(first_name=f"Consultant{i}", last_name="Réseau") for i in range(3)]
    facilitator = make("facilitator", first_name="Claire", last_name="Coanimatrice")
    other = make(first_name="Olivier", last_name="Autre")
    spare = [make(first_name=f"Renfort{i}", last_name="Réseau") for i in range(6)]
    admin = factories.create_member(network=None, role="admin")
    meeting = codev_factories.create_meeting(network, days_from_now=20)
    codev_factories.invite(meeting, client, animator, *consultants, facilitator, other, *spare)
    case = codev_factories.create_case(client, state=CaseState.SELECTED, meeting=meeting)
    codev_factories.seat(case, meeting, animator=animator, consultants=consultants)
    return Workshop(network, meeting, case, client, animator, consultants, facilitator, other, admin, spare)
