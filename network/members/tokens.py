"""Signed, expiring, single-use links for setting a password and for changing an email address.

A password token carries a fingerprint of the member's email address and password hash: once either
changes, every earlier link stops working. An email-change token carries the change's id, its status
and the same fingerprint: it dies when the change moves on, and with any change of address or password.
"""

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PASSWORD_SETUP = "password-setup"
PASSWORD_RESET = "password-reset"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"reseau.{purpose}")


def password_fingerprint(member) -> str:
    material = f"{member.id}:{member.email}:{member.password_hash or 'unset'}:{member.is_active}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def make_password_token(member, purpose: str) -> str:
    return _serializer(purpose).dumps({"m": member.id, "f": password_fingerprint(member)})


def max_age_for(purpose: str) -> timedelta:
    key = "PASSWORD_SETUP_MAX_AGE" if purpose == PASSWORD_SETUP else "PASSWORD_RESET_MAX_AGE"
    return current_app.config[key]


def read_password_token(token: str, purpose: str) -> tuple[int, str] | None:
    """(member id, fingerprint) of a valid, unexpired token, else None."""
    try:
        data = _serializer(purpose).loads(token, max_age=int(max_age_for(purpose).total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("f"), str):
        return None
    return data["m"], data["f"]


# What an email-change link does; each has its own salt, so one can never be used as another.
EMAIL_CHANGE_ACTIONS = ("approve", "refuse", "verify", "cancel")
# The word each action shows in its French URL (/adresse/<word>/<token>).
EMAIL_CHANGE_URL_WORDS = {"approve": "approuver", "refuse": "refuser", "verify": "confirmer", "cancel": "annuler"}
EMAIL_CHANGE_MAX_AGE = timedelta(days=7)


def make_email_change_token(change, member, action: str) -> str:
    return _serializer(f"email-change.{action}").dumps(
        {"c": change.id, "s": change.status, "f": password_fingerprint(member)})


def read_email_change_token(token: str, action: str) -> tuple[int, str, str] | None:
    """(change id, status, fingerprint) of a valid, unexpired token, else None."""
    try:
        data = _serializer(f"email-change.{action}").loads(token, max_age=int(EMAIL_CHANGE_MAX_AGE.total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("c"), int) or not isinstance(data.get("s"), str)
            or not isinstance(data.get("f"), str)):
        return None
    return data["c"], data["s"], data["f"]
