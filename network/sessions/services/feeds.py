"""A member's private calendar feed: calendar clients poll it, so it is kept per worker, as of the minute (its
DTSTAMP), until a write in the member's network (their meetings and invitations are that network's)."""

from datetime import datetime

from network.calendar import Feed, build_feed_with_etag
from network.result_cache import ResultCache
from network.sessions import queries
from network.sessions.services.mailing import feed_event

_feeds = ResultCache(maxsize=256)


def calendar_feed(token: str, now: datetime) -> Feed | None:
    """The feed of the active member holding this token, or None. One query when kept, two otherwise."""
    holder = queries.feed_holder(token)
    if holder is None:
        return None
    if holder.network_id is None:  # an admin: no network's version covers them
        return _built_feed(token, now)
    return _feeds.get_or_compute((token, now), lambda: _built_feed(token, now), network=holder.network_id,
                                 version=holder.version)


def _built_feed(token: str, now: datetime) -> Feed | None:
    found = queries.feed(token)
    if found is None:
        return None
    first_name, rows = found
    return build_feed_with_etag([feed_event(row) for row in rows], name=f"Réseau — rencontres de {first_name}",
                                now=now)
