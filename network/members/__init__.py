from flask import Blueprint

bp = Blueprint("members", __name__)

from network.members import views  # noqa: E402,F401  (routes register on import)
