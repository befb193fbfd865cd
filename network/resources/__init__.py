from flask import Blueprint

from network.resources import models  # noqa: F401  (tables known to the metadata)

bp = Blueprint("resources", __name__, url_prefix="/ressources")

from network.resources import views  # noqa: E402,F401  (routes register on bp)
