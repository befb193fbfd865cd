"""Whole-page cache for the heaviest read pages (the meeting page: up to 300 rows of invitations).

A rendered page is kept per worker under the data version (any committed write makes it stale), the URL, the
viewer, the session's CSRF secret (the page's forms carry a token of that session) and the minute (the page
shows what is open "now": answers, check-in). A page with flash messages pending is never cached nor served
from the cache; only rendered HTML is kept (as bytes), never a redirect or an error."""

from functools import wraps

from flask import request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from network import database
from network.data_version import VersionedCache

# 122 KB for the largest page: 64 pages stay under 8 MB per worker.
_pages = VersionedCache(maxsize=64)


def cached_page(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if "_flashes" in session:
            return view(*args, **kwargs)
        if "csrf_token" not in session:
            generate_csrf()  # creates the session's CSRF secret
        minute = database.utcnow().replace(second=0, microsecond=0)
        key = (request.full_path, current_user.get_id(), session.get("csrf_token"), minute)
        return _pages.get_or_compute(key, lambda: _encoded(view(*args, **kwargs)),
                                     keep=lambda page: isinstance(page, bytes))

    return wrapper


def _encoded(page):
    """Rendered HTML as the UTF-8 bytes Flask would send (kept so, not re-encoded at each hit); else unchanged."""
    return page.encode() if isinstance(page, str) else page
