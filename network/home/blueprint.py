"""The home blueprint: its routes (views) register on it."""

from flask import Blueprint

bp = Blueprint("home", __name__)
