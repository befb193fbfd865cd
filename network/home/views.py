from flask import redirect, render_template, url_for
from flask_login import current_user

from network.auth import public
from network.home import bp


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("members.login"))
    return render_template("home/index.html")


@bp.route("/confidentialite")
@public
def privacy():
    return render_template("home/privacy.html")
