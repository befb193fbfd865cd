"""The codev blueprint: its routes (views) and `flask codev …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("codev", __name__, url_prefix="/codev")
