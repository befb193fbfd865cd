"""HTTP security headers and the production start-up checks."""

from network.config import DEV_SECRET_KEY

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


def install_security_headers(app) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
