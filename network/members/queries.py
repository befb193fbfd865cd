"""Named queries for the members pages, eager-loading exactly what templates use."""

from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from network.database import plain_rows
from network.extensions import db
from network.members.enums import Role
from network.members.models import Institution, Member, Network, Territory


class DirectoryRow(NamedTuple):
    """One line of the member directory (a named tuple: a frozen dataclass sets each of its 12 fields through
    object.__setattr__, for every member of the network)."""

    id: int
    first_name: str
    last_name: str
    email: str
    phone: str | None
    job_title: str | None
    role: str
    is_associated_operator: bool
    is_active: bool
    has_password: bool
    institution_name: str | None
    territory_name: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def role_label(self) -> str:
        return _ROLE_LABELS[self.role]


_ROLE_LABELS = {role.value: role.label for role in Role}


@cache
def _directory_statement(*, include_inactive: bool, with_search: bool) -> Select:
    """The directory of :network_id, by name, optionally narrowed to :pattern: built once per shape."""
    query = (
        select(Member.id, Member.first_name, Member.last_name, Member.email, Member.phone, Member.job_title,
               Member.role, Member.is_associated_operator, Member.is_active, Member.password_hash.is_not(None),
               Institution.name, Territory.name)
        .outerjoin(Institution, Institution.id == Member.institution_id)
        .outerjoin(Territory, Territory.id == Member.territory_id)
        .where(Member.network_id == bindparam("network_id"))
        .order_by(func.lower(Member.last_name), func.lower(Member.first_name))
    )
    if not include_inactive:
        query = query.where(Member.is_active.is_(True))
    if with_search:
        def matches(column):
            return func.lower(column).like(bindparam("pattern"), escape="\\")

        query = query.where(or_(
            matches(Member.last_name), matches(Member.first_name), matches(Member.email), matches(Member.job_title),
            matches(Institution.name), matches(Territory.name),
        ))
    return query


def directory(network: Network, *, search: str = "", include_inactive: bool = False) -> list[DirectoryRow]:
    """The network's members (active only, unless include_inactive) as plain rows, by name: one query."""
    words = search.strip().lower()
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    statement = _directory_statement(include_inactive=include_inactive, with_search=bool(words))
    return [DirectoryRow(*row) for row in plain_rows(statement, {"network_id": network.id, "pattern": pattern})]


def member_detail(member_id: int) -> Member | None:
    return db.session.scalar(
        select(Member).options(joinedload(Member.institution), joinedload(Member.territory), joinedload(Member.network))
        .where(Member.id == member_id)
    )


def network_by_slug(slug: str) -> Network | None:
    return db.session.scalar(select(Network).where(Network.slug == slug))


def networks_with_counts() -> list[tuple[Network, int, list[str]]]:
    """Every network with its active-member count and facilitators' names, in two queries."""
    counts = (
        select(Member.network_id, func.count(Member.id).label("active"))
        .where(Member.is_active.is_(True)).group_by(Member.network_id).subquery()
    )
    rows = db.session.execute(
        select(Network, func.coalesce(counts.c.active, 0)).outerjoin(counts, counts.c.network_id == Network.id)
        .order_by(Network.name)
    ).all()
    facilitators = db.session.execute(
        select(Member.network_id, Member.first_name, Member.last_name)
        .where(Member.role == Role.FACILITATOR, Member.is_active.is_(True)).order_by(Member.last_name)
    ).all()
    names: dict[int, list[str]] = {}
    for network_id, first, last in facilitators:
        names.setdefault(network_id, []).append(f"{first} {last}")
    return [(network, active, names.get(network.id, [])) for network, active in rows]


def institutions_of(network_id: int) -> list[Institution]:
    return list(db.session.scalars(select(Institution).where(Institution.network_id == network_id).order_by(Institution.name)))


def territories_of(network_id: int) -> list[Territory]:
    return list(db.session.scalars(select(Territory).where(Territory.network_id == network_id).order_by(Territory.name)))


def all_networks() -> list[Network]:
    return list(db.session.scalars(select(Network).order_by(Network.name)))
