"""The members blueprint: its routes (views) and `flask members …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("members", __name__, cli_group="members")
