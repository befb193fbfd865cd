"""`flask --app network resources <command>` (for cron)."""

import click

from network.extensions import db
from network.resources.blueprint import bp
from network.resources.news import send_weekly_digests


@bp.cli.command("send-news-digests")
def send_news_digests_command():
    """Email the week's news to members who chose the weekly digest (once every 7 days at most). Daily."""
    count = send_weekly_digests()
    db.session.commit()
    click.echo(f"news digests queued={count}; run `flask outbox send` to deliver")
