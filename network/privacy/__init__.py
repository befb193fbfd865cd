from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/donnees", cli_group="privacy")

from network.privacy import cli, views  # noqa: E402,F401
