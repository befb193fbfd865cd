"""Named queries for the members pages, eager-loading exactly what templates use."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from network.extensions import db
from network.members.enums import Role
from network.members.models import Institution, Member, Network, Territory


def directory(network: Network, *, search: str = "", include_inactive: bool = False) -> list[Member]:
    query = (
        select(Member)
        .options(joinedload(Member.institution), joinedload(Member.territory))
        .where(Member.network_id == network.id)
        .order_by(func.lower(Member.last_name), func.lower(Member.first_name))
    )
    if not include_inactive:
        query = query.where(Member.is_active.is_(True))
    if search.strip():
        pattern = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

        def matches(column):
            return func.lower(column).like(pattern, escape="\\")

        query = query.where(or_(
            matches(Member.last_name), matches(Member.first_name), matches(Member.email), matches(Member.job_title),
            Member.institution.has(matches(Institution.name)), Member.territory.has(matches(Territory.name)),
        ))
    return list(db.session.scalars(query))


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
