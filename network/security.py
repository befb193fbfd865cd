"""HTTP security headers and the production start-up checks."""

from flask import request, session

from network.auth import PUBLIC, policy_of
from network.config import DEV_SECRET_KEY

# What a private response may not leave in any cache: signed-in pages, private files, pages behind a secret link.
PRIVATE_CACHE_CONTROL = "private, no-store"

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def check_production_settings(app) -> None:
    if app.debug or app.testing or app.config.get("ENV_NAME") != "production":
        return
    key = app.config.get("SECRET_KEY") or ""
    if key in ("", DEV_SECRET_KEY) or len(key) < 32:
        raise RuntimeError("SECRET_KEY must be set to a random value of at least 32 characters in production "
                           "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))').")


def is_private_request() -> bool:
    """A signed-in visitor, a route for members only, or a URL carrying a secret token (emailed links, feeds).

    Reads the signed session cookie, never the database: a page served from the page cache loads no member."""
    if request.endpoint == "static":
        return False
    if session.get("_user_id") is not None:
        return True
    return policy_of(request.endpoint) != PUBLIC or "token" in (request.view_args or {})


def mark_private(response, cache_control: str):
    """`Cache-Control: private, no-store` on every private response (cache_control: the header the view set, "" if
    none).

    A view that chose its own private policy keeps it: the calendar feed is `private, no-cache` so that calendar
    clients (which store the events anyway) can revalidate it with its ETag; shared caches still may not keep it."""
    if is_private_request():
        if "no-store" not in cache_control and "private" not in cache_control:
            response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return response


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def install_security_headers(app) -> None:
    @app.after_request
    def _headers(response):
        # Each header is added unless the view set its own. The response's headers are read in one pass: werkzeug
        # looks a missing header up by raising and catching a KeyError, which was a dozen exceptions per page.
        present = {name.lower(): value for name, value in response.headers}
        for name, value in SECURITY_HEADERS + ((HSTS,) if app.config.get("SESSION_COOKIE_SECURE") else ()):
            if name.lower() not in present:
                response.headers.add(name, value)
        return mark_private(response, present.get("cache-control", ""))
