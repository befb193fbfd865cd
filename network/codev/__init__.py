from flask import Blueprint

bp = Blueprint("codev", __name__, url_prefix="/codev")

from network.codev import cli, views  # noqa: E402,F401  (routes and `flask codev …` commands register on import)
