"""`flask --app network topics …` commands (run from cron)."""

import click

from network.extensions import db
from network.topics import services
from network.topics.blueprint import bp


@bp.cli.command("send-close-notices")
def send_close_notices():
    """Tell the facilitators of each round that reached its deadline (once) to confirm the topic."""
    count = services.send_close_notices()
    db.session.commit()
    click.echo(f"close notices queued={count}")
