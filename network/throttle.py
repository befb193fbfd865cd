"""Rate limiting stored in the database, so every worker shares the counts."""

import hashlib
import ipaddress
from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from network.database import IdMixin, UTCDateTime, utcnow
from network.extensions import db


class ThrottleEvent(IdMixin, db.Model):
    __tablename__ = "throttle_events"
    __table_args__ = (Index("ix_throttle_events_scope_key_at", "scope", "key", "created_at"),)

    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def count_recent(scope: str, key: str, window: timedelta, *, now: datetime | None = None) -> int:
    since = (now or utcnow()) - window
    return db.session.scalar(
        select(func.count(ThrottleEvent.id)).where(
            ThrottleEvent.scope == scope, ThrottleEvent.key == key.lower()[:255],
            ThrottleEvent.created_at >= since
        )
    )


def recent_stats(scope: str, key: str, window: timedelta, *, now: datetime | None = None
                 ) -> tuple[int, datetime | None]:
    """(events within the window, the latest one's time)."""
    since = (now or utcnow()) - window
    count, latest = db.session.execute(
        select(func.count(ThrottleEvent.id), func.max(ThrottleEvent.created_at)).where(
            ThrottleEvent.scope == scope, ThrottleEvent.key == key.lower()[:255], ThrottleEvent.created_at >= since)
    ).one()
    return count, latest


def serialize_on(scope: str, key: str) -> None:
    """Make concurrent requests about the same key wait for each other until commit (PostgreSQL).

    Without it, parallel attempts all read the count before any of them records its failure, and a slow-down can be
    outrun by sending many at once. On SQLite (development, small single-server installs) it does nothing."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{scope}:{key.lower()}".encode()).digest()
    db.session.execute(text("SELECT pg_advisory_xact_lock(:lock)"),
                       {"lock": int.from_bytes(digest[:8], "big", signed=True)})


def source_key(ip_address: str | None) -> str:
    """The source an address stands for: itself for IPv4, its /64 for IPv6 (one host holds a whole /64)."""
    try:
        address = ipaddress.ip_address(ip_address or "")
    except ValueError:
        return (ip_address or "unknown")[:64]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def is_throttled(scope: str, key: str, *, limit: int, window: timedelta) -> bool:
    return count_recent(scope, key, window) >= limit


def record_event(scope: str, key: str, *, now: datetime | None = None) -> None:
    db.session.add(ThrottleEvent(scope=scope, key=key.lower()[:255], **({"created_at": now} if now else {})))


def clear_events(scope: str, key: str) -> None:
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.scope == scope, ThrottleEvent.key == key.lower()[:255])
    )


def clear_events_starting_with(scope: str, prefix: str) -> None:
    pattern = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.scope == scope, ThrottleEvent.key.like(pattern, escape="\\"))
    )


def purge_older_than(age: timedelta, *, now: datetime | None = None) -> int:
    result = db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.created_at < (now or utcnow()) - age))
    return result.rowcount or 0
