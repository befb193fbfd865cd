from flask import Blueprint

from network.topics import models  # noqa: F401  (tables known to the metadata)

bp = Blueprint("topics", __name__, url_prefix="/themes")

from network.topics import cli, views  # noqa: E402,F401  (routes and `flask topics …` commands register on import)
