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

    LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5))
    LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", 20))
    LOGIN_THROTTLE_WINDOW = timedelta(minutes=int(os.environ.get("LOGIN_THROTTLE_MINUTES", 15)))
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
    # Years after departure before self-efficacy answers, grids and CODEV case content are purged.
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", 3))

    # Per-worker caches of computed figures and pages, kept until the next committed write (network/data_version.py).
    RESULT_CACHE = _env_bool("RESULT_CACHE", True)

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
