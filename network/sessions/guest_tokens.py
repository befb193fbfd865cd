"""A named guest's links, signed and carrying their invitation (sent with the meeting's emails, opened on the
resources pages): to read a meeting's materials and minutes, and to send their slides once (a salt of its own: one
link never opens the other's page)."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

GUEST_SALT = "reseau.resources-guest"
UPLOAD_SALT = "reseau.resources-guest-upload"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_guest_token(invitation, salt: str = GUEST_SALT) -> str:
    return _serializer(salt).dumps({"i": invitation.id, "m": invitation.meeting_id})


def make_upload_token(invitation) -> str:
    return make_guest_token(invitation, UPLOAD_SALT)


def read_upload_token(token: str) -> tuple[int, int] | None:
    return read_guest_token(token, UPLOAD_SALT)


def read_guest_token(token: str, salt: str = GUEST_SALT) -> tuple[int, int] | None:
    """(invitation id, meeting id) of an authentic token, else None."""
    if len(token) > 200:
        return None
    try:
        data = _serializer(salt).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("m"), int):
        return None
    return data["i"], data["m"]
