"""The privacy blueprint: its routes (views) and `flask privacy …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/donnees", cli_group="privacy")
