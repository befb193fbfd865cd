"""Command-line interface: `flask --app network <command>`."""

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from network.backup import backup_database, default_backup_path
from network.errors import DomainError
from network.extensions import db
from network.members.models import Member
from network.members.services import MemberData, create_member
from network.outbox import OutboxStatus, pending_count, send_due, status_count

outbox_cli = AppGroup("outbox", help="Queued emails.")


@outbox_cli.command("send")
@click.option("--limit", type=int, default=None, help="At most this many messages (default OUTBOX_BATCH_SIZE).")
@click.option("--all", "send_all", is_flag=True, help="Loop until nothing due remains.")
def outbox_send(limit, send_all):
    """Send due emails (run from cron every minute)."""
    total_sent = total_failed = 0
    while True:
        report = send_due(limit=limit)
        total_sent += report.sent
        total_failed += report.failed
        if not send_all or report.sent == 0:
            break
    click.echo(f"sent={total_sent} failed={total_failed} pending={pending_count()}")


@outbox_cli.command("status")
def outbox_status():
    """How many emails wait to be sent, and how many were given up after permanent refusals."""
    click.echo(f"pending={pending_count()} refused={status_count(OutboxStatus.REFUSED)}")


@click.command("seed-demo")
@click.option("--scale", type=click.Choice(["demo", "national"]), default="demo", show_default=True,
              help="national: 100 networks, 5,000 members, 10 years of meetings (DESIGN.md §5).")
def seed_demo_command(scale):
    """Load the demo data (refused when the database already has members)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("The demo data is never loaded in production.")
    if db.session.scalar(select(func.count(Member.id))):
        raise click.ClickException("The database already holds members; demo data is loaded only into an empty one.")
    from network.demo import DEMO_PASSWORD, seed_demo  # the demo data's modules: these commands', not a worker's
    from network.demo.national import seed_national

    started = time.monotonic()
    accounts = seed_demo()
    if scale == "national":
        counts = seed_national().counts
        click.echo("National scale: " + ", ".join(f"{name}={count}" for name, count in counts.items()))
    db.session.commit()
    if scale == "national":
        # Fresh planner statistics after the bulk load, so the first requests get the indexed plans.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    click.echo(f"Seeded in {time.monotonic() - started:.1f} s.")
    click.echo(f"Demo data loaded. Accounts (password: {DEMO_PASSWORD}):")
    for email, label in accounts:
        click.echo(f"  {email:32} {label}")


@click.command("setup")
def setup_command():
    """Apply migrations, then load the demo data if the configuration asks for it and the database is empty."""
    upgrade()
    if current_app.config["LOAD_DEMO_DATA"] and not db.session.scalar(select(func.count(Member.id))):
        from network.demo import DEMO_PASSWORD, seed_demo

        accounts = seed_demo()
        db.session.commit()
        click.echo(f"Demo data loaded (password for every account: {DEMO_PASSWORD}):")
        for email, label in accounts:
            click.echo(f"  {email:32} {label}")
    else:
        click.echo("Database up to date.")


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
def create_admin_command(email, first_name, last_name):
    """Create a platform administrator and email them a set-password link."""
    operator = Member(role="admin", network_id=None)  # the shell operator, never saved
    try:
        member = create_member(actor=operator, network=None,
                               data=MemberData(first_name=first_name, last_name=last_name, email=email, role="admin"))
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Administrator {member.email} created; a set-password email is queued.")


@click.command("backup")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="File to write (default: instance/backups/reseau-<UTC time>.sqlite3|.dump).")
def backup_command(output):
    """Back up the database while the application runs (SQLite backup API, or pg_dump)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    target = output or default_backup_path(Path(current_app.instance_path) / "backups", db.engine.dialect.name)
    click.echo(f"Backup written to {backup_database(uri, target)}")


def register_cli(app) -> None:
    for command in (outbox_cli, seed_demo_command, setup_command, create_admin_command, backup_command):
        app.cli.add_command(command)
