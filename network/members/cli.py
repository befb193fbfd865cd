"""`flask --app network members <command>` (for cron)."""

import click

from network.extensions import db
from network.members.blueprint import bp
from network.members.email_changes import apply_due_email_changes


@bp.cli.command("apply-email-changes")
def apply_email_changes_command():
    """Apply the admins' forced email changes whose delay is over (login and password reset also do it lazily)."""
    applied = apply_due_email_changes()
    db.session.commit()
    click.echo(f"email changes applied={applied}; run `flask outbox send` to deliver the notices")
