from flask import redirect, render_template, url_for
from flask_login import current_user

from network.auth import public
from network.calendar import PARIS
from network.database import utcnow
from network.home import queries
from network.home.blueprint import bp
from network.resources.news import can_read_news, latest_news
from network.sessions.forms import RsvpForm


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("members.login"))
    now = utcnow()
    dashboard = queries.dashboard_for(current_user, now=now, today=now.astimezone(PARIS).date())
    offers_answers = isinstance(dashboard, queries.CoordinatorDashboard) and dashboard.offers_answers
    return render_template("home/index.html", now=now, rsvp_form=RsvpForm() if offers_answers else None,
                           dashboard=dashboard,
                           news=latest_news(current_user.network_id) if can_read_news(current_user, current_user.network_id)
                           else None)


@bp.route("/confidentialite")
@public
def privacy():
    return render_template("home/privacy.html")
