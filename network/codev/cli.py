"""`flask --app network codev …` commands (run from cron)."""

import click

from network.codev import services
from network.codev.blueprint import bp
from network.extensions import db


@bp.cli.command("send-followup-reminders")
def send_followup_reminders():
    """Email the clients whose case follow-up is due (no case content in the email)."""
    count = services.send_follow_up_reminders()
    db.session.commit()
    click.echo(f"follow-up reminders queued={count}")
