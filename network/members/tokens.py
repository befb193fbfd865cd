"""Signed, expiring, single-use links for setting a password.

The token carries a fingerprint of the current password hash: once the
password changes, every earlier link stops working.
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
    material = f"{member.id}:{member.password_hash or 'unset'}:{member.is_active}"
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
