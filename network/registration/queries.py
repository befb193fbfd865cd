"""Named queries for the join pages, eager-loading exactly what the templates use."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from network.extensions import db
from network.members.models import Network
from network.registration.enums import JoinRequestStatus
from network.registration.models import JoinRequest


def open_networks() -> list[Network]:
    return list(db.session.scalars(select(Network).where(Network.is_active.is_(True))
                                   .order_by(Network.department_code, Network.name)))


def open_network_by_slug(slug: str) -> Network | None:
    return db.session.scalar(select(Network).where(Network.slug == slug, Network.is_active.is_(True)))


def pending_requests(network: Network) -> list[JoinRequest]:
    """Confirmed requests waiting for a decision, oldest first."""
    return list(db.session.scalars(
        select(JoinRequest)
        .options(joinedload(JoinRequest.institution), joinedload(JoinRequest.territory))
        .where(JoinRequest.network_id == network.id, JoinRequest.status == JoinRequestStatus.PENDING)
        .order_by(JoinRequest.confirmed_at, JoinRequest.id)
    ))


def unconfirmed_count(network: Network) -> int:
    return db.session.scalar(select(func.count(JoinRequest.id)).where(
        JoinRequest.network_id == network.id, JoinRequest.status == JoinRequestStatus.UNCONFIRMED))


def networks_with_pending_counts() -> list[tuple[Network, int]]:
    """For the admin's overview: every network and its number of pending requests, in one query."""
    counts = (select(JoinRequest.network_id, func.count(JoinRequest.id).label("pending"))
              .where(JoinRequest.status == JoinRequestStatus.PENDING).group_by(JoinRequest.network_id).subquery())
    return [tuple(row) for row in db.session.execute(
        select(Network, func.coalesce(counts.c.pending, 0)).outerjoin(counts, counts.c.network_id == Network.id)
        .order_by(Network.department_code, Network.name))]
