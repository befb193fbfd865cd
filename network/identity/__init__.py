"""Signing in as institutions expect: OpenID Connect single sign-on (ProConnect-style) and a second factor (TOTP,
recovery codes, remembered devices). Passwords stay the embedded default (network/members)."""

from flask import Blueprint

bp = Blueprint("identity", __name__)

from network.identity import cli, views  # noqa: E402,F401  (routes and commands register on import)
