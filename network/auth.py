"""Route access policies, 403 gates and safe redirects.

Every view declares its policy with one of the decorators below; a hook in
create_app enforces it and a test fails on any route that declares none.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from network.members.enums import Role

ACCESS_ATTRIBUTE = "access_policy"
PUBLIC = "public"
AUTHENTICATED = "authenticated"

# Endpoints Flask itself adds.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: Callable) -> Callable:
    """Anyone, signed in or not (login page, signed links, public pages)."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def signed_in(view: Callable) -> Callable:
    """Any active member; object-level checks happen in the view."""
    setattr(view, ACCESS_ATTRIBUTE, AUTHENTICATED)
    return view


def roles(*allowed: Role) -> Callable[[Callable], Callable]:
    """Only members holding one of these roles."""

    def decorate(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, frozenset(allowed))
        return view

    return decorate


def policy_of(endpoint: str | None):
    if endpoint is None or endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def enforce_access_policy():
    """before_request hook: deny by default, redirect anonymous users to login."""
    policy = policy_of(request.endpoint)
    if policy == PUBLIC:
        return None
    if policy is None:
        current_app.logger.error("Route %s declares no access policy", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return redirect(url_for("members.login", next=request.full_path.rstrip("?")))
    if policy != AUTHENTICATED and current_user.role not in policy:
        abort(403)
    return None


def require(condition: bool) -> None:
    if not condition:
        abort(403)


def require_in_reach(network_id: int | None) -> None:
    """An object of another network answers 404 like a missing one (no id discovery); admins reach every network.

    Call it right after loading, before the role check, which keeps 403 for what the member can see but may not do.
    Objects outside any network (admin accounts) are left to that check."""
    if network_id is not None and current_user.role != Role.ADMIN and current_user.network_id != network_id:
        abort(404)


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only same-site relative paths; anything else falls back."""
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if "\\" in target or any(ord(char) < 32 for char in target):
        return fallback
    return target
