"""The topics blueprint: its routes (views) and `flask topics …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("topics", __name__, url_prefix="/themes")
