from flask import Blueprint

bp = Blueprint("members", __name__, cli_group="members")

from network.members import cli, email_views, views  # noqa: E402,F401  (routes and commands register on import)
