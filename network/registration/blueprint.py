"""The registration blueprint: its routes (views) and `flask registration …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("registration", __name__, url_prefix="/adhesion")
