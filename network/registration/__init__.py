from flask import Blueprint

bp = Blueprint("registration", __name__, url_prefix="/adhesion")

from network.registration import cli, views  # noqa: E402,F401  (routes and commands register on import)
