"""The ceiling: a bare Flask route served by the same gunicorn setup as Réseau."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "ok"
