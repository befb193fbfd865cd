"""Audit trail: who changed what and when. Field names only, never content."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import IdMixin, UTCDateTime, utcnow
from network.extensions import db


class AuditEvent(IdMixin, db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_network_at", "network_id", "created_at"),
    )

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    fields: Mapped[str] = mapped_column(String(500), default="")

    actor = relationship("Member", foreign_keys=[actor_id], lazy="raise")


def set_changed(obj, **values) -> list[str]:
    """Set each attribute to its value; the names of those that changed, in order (what record_audit takes)."""
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    for field in changed:
        setattr(obj, field, values[field])
    return changed


def record_audit(*, actor, action: str, obj, fields=(), network_id: int | None = None) -> AuditEvent:
    """Queue an audit row in the current transaction. `fields` are names, not values."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        network_id=network_id if network_id is not None else getattr(obj, "network_id", None),
        action=action,
        object_type=obj.__class__.__name__,  # not type(): current_user is a proxy
        object_id=obj.id,
        fields=",".join(sorted(fields)),
    )
    db.session.add(event)
    return event
