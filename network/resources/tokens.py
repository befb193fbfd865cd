"""A named guest's link to a meeting's materials and minutes: signed, carrying their invitation."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

GUEST_SALT = "reseau.resources-guest"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=GUEST_SALT)


def make_guest_token(invitation) -> str:
    return _serializer().dumps({"i": invitation.id, "m": invitation.meeting_id})


def read_guest_token(token: str) -> tuple[int, int] | None:
    """(invitation id, meeting id) of an authentic token, else None."""
    if len(token) > 200:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("m"), int):
        return None
    return data["i"], data["m"]
