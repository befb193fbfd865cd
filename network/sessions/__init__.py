from flask import Blueprint

from network.sessions import models  # noqa: F401  (tables known to the metadata)

bp = Blueprint("sessions", __name__, url_prefix="/rencontres", cli_group="sessions")

from network.sessions import cli, views  # noqa: E402,F401  (routes and commands register on bp)
