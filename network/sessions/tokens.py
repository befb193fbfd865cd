"""Signed RSVP links: they carry an invitation id, are tamper-proof, and the
service refuses them once the meeting has ended or was cancelled."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

RSVP_SALT = "reseau.meeting-rsvp"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=RSVP_SALT)


def make_rsvp_token(invitation) -> str:
    return _serializer().dumps({"i": invitation.id, "m": invitation.meeting_id})


def read_rsvp_token(token: str) -> tuple[int, int] | None:
    """(invitation id, meeting id) of an authentic token, else None."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("m"), int):
        return None
    return data["i"], data["m"]
