"""`flask --app network sessions <command>` (for cron)."""

import click
from flask import current_app

from network.extensions import db
from network.sessions import bp
from network.sessions.services import send_reminders

DEFAULT_REMINDER_DAYS = 7


@bp.cli.command("send-reminders")
@click.option("--days", type=click.IntRange(min=1, max=60), default=None,
              help="Remind this many days before (default MEETING_REMINDER_DAYS, else 7).")
def send_reminders_command(days):
    """Remind invited members who said yes or nothing, once, N days before the meeting."""
    days = days or current_app.config.get("MEETING_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    count = send_reminders(days=days)
    db.session.commit()
    click.echo(f"reminders queued={count} (within {days} days); run `flask outbox send` to deliver")
