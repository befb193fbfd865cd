from datetime import datetime

import click
from flask import current_app

from network.extensions import db
from network.privacy.blueprint import bp
from network.privacy.services import purge_departed_members


@bp.cli.command("purge")
@click.option("--years", type=int, default=None, help="Retention after departure (default RETENTION_YEARS).")
@click.option("--now", "now_text", default=None, help="ISO date-time standing for now (checks, tests).")
def purge_command(years, now_text):
    """Purge the self-efficacy answers, grids, CODEV case content and calendar answers of members gone for years,
    and old sent emails, calendar answers and throttling records (cron, daily)."""
    now = datetime.fromisoformat(now_text) if now_text else None
    report = purge_departed_members(now=now, years=years or current_app.config["RETENTION_YEARS"])
    db.session.commit()
    click.echo(f"members={report.members} self_efficacy_responses={report.self_efficacy_responses} "
               f"self_assessments={report.self_assessments} cases={report.cases} sent_emails={report.sent_emails} "
               f"throttle_events={report.throttle_events} calendar_replies={report.calendar_replies}")
