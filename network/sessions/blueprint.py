"""The sessions blueprint: its routes (views) and `flask sessions …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("sessions", __name__, url_prefix="/rencontres", cli_group="sessions")
