"""The resources blueprint: its routes (views) and `flask resources …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("resources", __name__, url_prefix="/ressources", cli_group="resources")
