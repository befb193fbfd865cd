"""The evaluation blueprint: its routes (views) and `flask evaluation …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
