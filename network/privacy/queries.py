from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from network.audit import AuditEvent
from network.extensions import db
from network.members.models import Network

PAGE_SIZE = 50


def audit_page(*, page: int, network_id: int | None = None, action_prefix: str = ""):
    """One page of the audit log, newest first, with actor names (two queries: rows and count)."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.created_at.desc(),
                                                                               AuditEvent.id.desc())
    if network_id is not None:
        query = query.where(AuditEvent.network_id == network_id)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def network_names() -> dict[int, str]:
    return dict(db.session.execute(select(Network.id, Network.name)).all())


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(func.distinct(AuditEvent.action)).order_by(AuditEvent.action)))
