"""Whole-page cache for the heaviest read pages (the meeting page: up to 300 rows of invitations).

A rendered page is kept per worker under the data version (any committed write makes it stale), the URL, the
viewer's login session, the session's CSRF secret (the page's forms carry a token of that session) and the
minute (the page shows what is open "now": answers, check-in). A page with flash messages pending is never cached
nor served from the cache; only rendered HTML is kept (as bytes), never a redirect or an error.

A kept page is served by `serve_cached_page`, a before_request hook that runs ahead of the access policy and so
without loading the member: the page was rendered for this login session after its checks passed, and nothing
they read can have changed while the data version is the same (revoking the session, deactivating the member,
changing a role or a membership are writes), except the session's own expiry, which is kept with the page."""

from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from network import database
from network.data_version import UNREAD, VersionedCache

# 122 KB for the largest page: 64 pages stay under 8 MB per worker.
_pages = VersionedCache(maxsize=64)

CACHED_PAGE_ATTRIBUTE = "serves_cached_page"
# Where Flask-Login keeps the login token of a signed-in session (what Member.get_id returns).
_SESSION_USER_KEY = "_user_id"
_PEEKED_VERSION = "page_cache_version"  # in g: the data version serve_cached_page read, for the view to reuse


@dataclass(frozen=True, slots=True)
class _Page:
    body: bytes  # the UTF-8 bytes Flask would send (kept so, not re-encoded at each hit)
    login_expires_at: datetime


def cached_page(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if "_flashes" in session:
            return view(*args, **kwargs)
        if "csrf_token" not in session:
            generate_csrf()  # creates the session's CSRF secret
        result = _pages.get_or_compute(_key(current_user.get_id()), lambda: _rendered(view(*args, **kwargs)),
                                       keep=lambda value: isinstance(value, _Page),
                                       version=g.pop(_PEEKED_VERSION, UNREAD))
        return result.body if isinstance(result, _Page) else result

    setattr(wrapper, CACHED_PAGE_ATTRIBUTE, True)
    return wrapper


def serve_cached_page():
    """before_request hook, registered before the access policy: a signed-in GET of a kept page, answered
    without loading the member; anything else (no page kept, an expired login session) goes on as usual."""
    if request.method != "GET" or "_flashes" in session or "csrf_token" not in session:
        return None
    login_token = session.get(_SESSION_USER_KEY)
    view = current_app.view_functions.get(request.endpoint)
    if login_token is None or not getattr(view, CACHED_PAGE_ATTRIBUTE, False):
        return None
    version, page = _pages.peek(_key(login_token))
    if page is None or database.utcnow() >= page.login_expires_at:
        # the view, after the access policy (which only reads), keeps its page under this version
        g.setdefault(_PEEKED_VERSION, version)
        return None
    return current_app.response_class(page.body)


def _key(login_token: str | None) -> tuple:
    minute = database.utcnow().replace(second=0, microsecond=0)
    return request.full_path, login_token, session.get("csrf_token"), minute


def _rendered(page):
    """Rendered HTML as a _Page; anything else (a redirect, a response object) unchanged and not kept."""
    if isinstance(page, str) and current_user.login_expires_at is not None:
        return _Page(page.encode(), current_user.login_expires_at)
    return page
