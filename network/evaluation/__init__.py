from flask import Blueprint

from network.evaluation import models  # noqa: F401  (tables known to the metadata)

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

from network.evaluation import cli, views  # noqa: E402,F401  (routes and commands register on import)
