"""create_x() helpers: real rows, committed, with sensible defaults."""

import itertools
import secrets
from datetime import date
from functools import cache

from network.errors import Conflict
from network.extensions import db
from network.members.enums import InstitutionKind, Role
from network.members.models import Institution, Member, Network, Territory
from network.members.passwords import hash_password

TEST_PASSWORD = "une phrase de passe solide"
_sequence = itertools.count(1)


@cache
def test_password_hash() -> str:
    return hash_password(TEST_PASSWORD)


def create_network(slug: str | None = None, name: str | None = None, **values) -> Network:
    number = next(_sequence)
    network = Network(slug=slug or f"reseau-{number}", name=name or f"Réseau de test {number}",
                      department_code=values.pop("department_code", "62"),
                      mailbox_email=values.pop("mailbox_email", f"reseau{number}@example.test"), **values)
    db.session.add(network)
    db.session.commit()
    return network


def create_institution(network: Network, name: str | None = None, kind: str = InstitutionKind.CAF) -> Institution:
    institution = Institution(network_id=network.id, name=name or f"Institution {next(_sequence)}", kind=kind)
    db.session.add(institution)
    db.session.commit()
    return institution


def create_territory(network: Network, name: str | None = None, siren: str | None = None) -> Territory:
    territory = Territory(network_id=network.id, name=name or f"CC Territoire {next(_sequence)}", siren=siren)
    db.session.add(territory)
    db.session.commit()
    return territory


def create_member(network: Network | None = None, role: str = Role.COORDINATOR, email: str | None = None,
                  with_password: bool = True, **values) -> Member:
    number = next(_sequence)
    member = Member(
        network_id=network.id if network is not None else None,
        email=email or f"membre{number}@example.test",
        first_name=values.pop("first_name", f"Prénom{number}"),
        last_name=values.pop("last_name", f"Nom{number}"),
        role=role,
        password_hash=test_password_hash() if with_password else None,
        joined_on=values.pop("joined_on", date(2024, 1, 1)),
        calendar_token=secrets.token_urlsafe(24),
        **values,
    )
    db.session.add(member)
    db.session.commit()
    return member


def refusing_service(message: str):
    """A stand-in for a service that writes (a network, flushed) and then refuses with a French DomainError."""
    def refuse(*_args, **_kwargs):
        number = next(_sequence)
        db.session.add(Network(slug=f"refuse-{number}", name=f"Réseau refusé {number}", department_code="62",
                               mailbox_email=f"refuse{number}@example.test"))
        db.session.flush()
        raise Conflict(message)
    return refuse
