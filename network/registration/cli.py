"""`flask --app network registration purge-expired` (run daily from cron)."""

import click

from network.extensions import db
from network.registration.blueprint import bp
from network.registration.services import purge_expired_requests


@bp.cli.command("purge-expired")
def purge_expired_command():
    """Delete unconfirmed join requests older than 7 days and requests decided over 30 days ago."""
    deleted = purge_expired_requests()
    db.session.commit()
    click.echo(f"deleted={deleted}")
