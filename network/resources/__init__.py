from flask import Blueprint

from network.resources import models  # noqa: F401  (tables known to the metadata)
from network.resources import sheet_search  # noqa: F401  (the shared sheets' search text follows their cases)

bp = Blueprint("resources", __name__, url_prefix="/ressources", cli_group="resources")

from network.resources import cli, views  # noqa: E402,F401  (routes and commands register on bp)
