"""Configuration: safe defaults here, secrets and addresses from the environment."""

import os
from datetime import timedelta

DEV_SECRET_KEY = "dev-only-not-secret"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # None means "SQLite file under instance/", resolved by create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # PostgreSQL: a pooled connection idle longer than this is pinged before use (network/database.py).
    DB_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DB_PING_AFTER_IDLE_SECONDS", 1))
    SQLITE_BUSY_TIMEOUT_MS = 15_000

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 5 * 1024 * 1024))
    # The CSV import round-trips the file in a hidden field; Flask's 500 kB default would refuse it.
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Base URL used in emails (links must work outside a request).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", 0))

    MAIL_SERVER = os.environ.get("MAIL_SERVER")  # unset: mail goes to console + instance/mail/
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SUPPRESS_SEND = False  # Flask-Mail suppresses in testing by default; our tests use a real SMTP server
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Réseau <no-reply@reseau.example.org>")
    MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", 20))
    OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", 200))
    # Send queued mail right after the request's commit (the cron command is the safety net).
    OUTBOX_SEND_AFTER_COMMIT = _env_bool("OUTBOX_SEND_AFTER_COMMIT", True)

    # Login throttling (README "Login throttling"): failures are counted per account + source, per account and per
    # source within the window. Per account + source: LOGIN_FREE_FAILURES free, then a wait that doubles from
    # LOGIN_DELAY_BASE_SECONDS up to LOGIN_DELAY_MAX_SECONDS after each failure (a slow-down, never a lockout).
    # The per-account and per-source ceilings spare sources the account signed in from lately (known sources).
    LOGIN_THROTTLE_WINDOW = timedelta(minutes=int(os.environ.get("LOGIN_THROTTLE_MINUTES", 60)))
    LOGIN_FREE_FAILURES = int(os.environ.get("LOGIN_FREE_FAILURES", 3))
    LOGIN_DELAY_BASE_SECONDS = int(os.environ.get("LOGIN_DELAY_BASE_SECONDS", 5))
    LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("LOGIN_DELAY_MAX_SECONDS", 900))
    LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 50))
    LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", 200))
    LOGIN_KNOWN_SOURCE_DAYS = int(os.environ.get("LOGIN_KNOWN_SOURCE_DAYS", 30))
    # The member is emailed when their account collects this many failures within the window, once per interval.
    LOGIN_ALERT_AFTER_FAILURES = int(os.environ.get("LOGIN_ALERT_AFTER_FAILURES", 10))
    LOGIN_ALERT_INTERVAL = timedelta(hours=int(os.environ.get("LOGIN_ALERT_INTERVAL_HOURS", 24)))
    # An admin's forced change of a member's address takes effect after this delay (the member may cancel it).
    EMAIL_CHANGE_FORCED_DELAY = timedelta(hours=int(os.environ.get("EMAIL_CHANGE_FORCED_DELAY_HOURS", 72)))
    PASSWORD_RESET_MAX_AGE = timedelta(hours=2)
    # Reset requests beyond these are silently dropped (no mail bombing, same answer either way).
    PASSWORD_RESET_MAX_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_MAX_PER_ACCOUNT", 3))
    PASSWORD_RESET_MAX_PER_IP = int(os.environ.get("PASSWORD_RESET_MAX_PER_IP", 10))
    PASSWORD_RESET_THROTTLE_WINDOW = timedelta(hours=1)
    PASSWORD_SETUP_MAX_AGE = timedelta(days=7)

    # Meeting materials (network/resources): largest file, and largest unzipped size of an office file.
    RESOURCE_MAX_BYTES = int(os.environ.get("RESOURCE_MAX_MB", 20)) * 1024 * 1024
    RESOURCE_MAX_UNZIPPED_BYTES = int(os.environ.get("RESOURCE_MAX_UNZIPPED_MB", 200)) * 1024 * 1024

    MEETING_REMINDER_DAYS = int(os.environ.get("MEETING_REMINDER_DAYS", 7))

    # The organizer's mailbox read by `flask sessions read-replies` (answers given with a calendar's buttons).
    REPLY_IMAP_HOST = os.environ.get("REPLY_IMAP_HOST")  # unset: replies are not read
    REPLY_IMAP_PORT = int(os.environ.get("REPLY_IMAP_PORT", 993))
    REPLY_IMAP_SECURITY = os.environ.get("REPLY_IMAP_SECURITY", "ssl")  # ssl (IMAPS) or starttls; never plain
    REPLY_IMAP_USER = os.environ.get("REPLY_IMAP_USER")
    REPLY_IMAP_PASSWORD = os.environ.get("REPLY_IMAP_PASSWORD")
    REPLY_IMAP_FOLDER = os.environ.get("REPLY_IMAP_FOLDER", "INBOX")
    REPLY_IMAP_PROCESSED_FOLDER = os.environ.get("REPLY_IMAP_PROCESSED_FOLDER", "Reponses-traitees")
    REPLY_IMAP_CA_FILE = os.environ.get("REPLY_IMAP_CA_FILE")  # a private CA; the system's CAs otherwise
    REPLY_IMAP_TIMEOUT_SECONDS = float(os.environ.get("REPLY_IMAP_TIMEOUT_SECONDS", 30))
    REPLY_IMAP_BATCH_SIZE = int(os.environ.get("REPLY_IMAP_BATCH_SIZE", 200))
    # Require the receiving MTA's Authentication-Results to show dkim=pass or spf=pass for the sender's domain;
    # REPLY_AUTHSERV_ID names that MTA (only its header is trusted; without it, the topmost header).
    REPLY_REQUIRE_AUTH = _env_bool("REPLY_REQUIRE_AUTH", False)
    REPLY_AUTHSERV_ID = os.environ.get("REPLY_AUTHSERV_ID")

    # Years after departure before self-efficacy answers, grids and CODEV case content are purged.
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", 3))

    # Per-worker caches of computed results, kept until a write in their network (network/result_cache.py).
    RESULT_CACHE = _env_bool("RESULT_CACHE", True)

    # Single sign-on with OpenID Connect (ProConnect-style): off while OIDC_ISSUER is unset (network/identity/oidc.py).
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER") or None
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid email given_name usual_name phone")
    OIDC_ACR_VALUES = os.environ.get("OIDC_ACR_VALUES", "eidas1")  # requested, and accepted back
    # acr values, and amr methods, that prove a second factor at the provider (accepted back as well).
    OIDC_MFA_ACR_VALUES = os.environ.get(
        "OIDC_MFA_ACR_VALUES", "eidas2 eidas3 https://proconnect.gouv.fr/assurance/consistency-checked-2fa")
    OIDC_MFA_AMR_VALUES = os.environ.get("OIDC_MFA_AMR_VALUES", "mfa otp totp hwk swk sms")
    OIDC_TOKEN_AUTH_METHOD = os.environ.get("OIDC_TOKEN_AUTH_METHOD", "client_secret_post")
    # ProConnect sends no email_verified: its identity providers verify every address. Others must say so.
    OIDC_EMAIL_VERIFIED_BY_PROVIDER = _env_bool("OIDC_EMAIL_VERIFIED_BY_PROVIDER", False)
    OIDC_LABEL = os.environ.get("OIDC_LABEL", "Se connecter avec ProConnect")
    OIDC_TIMEOUT_SECONDS = float(os.environ.get("OIDC_TIMEOUT_SECONDS", 10))
    # Roles (space-separated) that must sign in through the provider once it is configured; a network can add its
    # facilitators from its settings.
    SSO_REQUIRED_FOR_ROLES = os.environ.get("SSO_REQUIRED_FOR_ROLES", "")
    # Roles that need a second factor after a password (and after an SSO sign-in that did not prove one).
    TWO_FACTOR_REQUIRED_FOR_ROLES = os.environ.get("TWO_FACTOR_REQUIRED_FOR_ROLES", "admin facilitator")
    TWO_FACTOR_MAX_FAILURES = int(os.environ.get("TWO_FACTOR_MAX_FAILURES", 5))
    TWO_FACTOR_THROTTLE_WINDOW = timedelta(minutes=int(os.environ.get("TWO_FACTOR_THROTTLE_MINUTES", 15)))
    TRUSTED_DEVICE_LIFETIME = timedelta(days=int(os.environ.get("TRUSTED_DEVICE_DAYS", 30)))

    LOAD_DEMO_DATA = False
    TESTING = False


class DevelopmentConfig(Config):
    LOAD_DEMO_DATA = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    MAIL_SERVER = None
    MAIL_DEFAULT_SENDER = "Réseau <no-reply@reseau.test>"
    PUBLIC_BASE_URL = "http://localhost"
    OUTBOX_SEND_AFTER_COMMIT = False
    # The suite signs facilitators in with a password everywhere; tests/identity/ turns these on.
    OIDC_ISSUER = None
    SSO_REQUIRED_FOR_ROLES = ""
    TWO_FACTOR_REQUIRED_FOR_ROLES = ""


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("RESEAU_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"RESEAU_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
