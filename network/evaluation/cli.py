"""Commands: `flask evaluation send-self-efficacy-invitations` and `flask indicators`."""

import csv
import io
import json
from datetime import datetime

import click
from flask.cli import with_appcontext

from network.database import utcnow
from network.evaluation import services
from network.evaluation.blueprint import bp
from network.evaluation.exports import SUMMARY_COLUMNS, summary_record
from network.evaluation.indicators import network_summaries, series_summaries
from network.periods import PARIS, Period, Scope, Series
from network.extensions import db
from network.members import queries as member_queries
from network.text import spreadsheet_cell


@bp.cli.command("send-self-efficacy-invitations")
@click.option("--now", "now_text", default=None, help="ISO date-time (UTC) to act as 'now' (tests, catch-up).")
def send_self_efficacy_invitations_command(now_text):
    """Email the members whose self-efficacy questionnaire is due (once per due period); run daily from cron."""
    now = datetime.fromisoformat(now_text) if now_text else utcnow()
    sent = services.send_self_efficacy_invitations(actor=None, now=now)
    db.session.commit()
    click.echo(f"invitations queued={sent}")


@click.command("indicators")
@click.option("--network", "slug", default=None, help="Network slug; every network (plus the total) when omitted.")
@click.option("--year", type=int, default=None, help="Year (default: the current year).")
@click.option("--quarter", type=click.IntRange(1, 4), default=None)
@click.option("--from-year", type=int, default=None,
              help="First year of a year-by-year series ending with --year (every year computed in one pass).")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def indicators_command(slug, year, quarter, from_year, output_format):
    """Print the evaluation indicators (the same figures as the dashboard and the exports)."""
    now = utcnow()
    year = year or now.astimezone(PARIS).year
    network_ids = None
    if slug:
        network = member_queries.network_by_slug(slug)
        if network is None:
            raise click.ClickException(f"Unknown network: {slug}")
        network_ids = (network.id,)
    if from_year is None:
        scope = Scope(period=Period(year, quarter), now=now, network_ids=network_ids)
        periods = [(scope, *network_summaries(scope, with_total=not slug))]
    elif quarter is not None:
        raise click.UsageError("--from-year gives whole years: it cannot be combined with --quarter.")
    elif from_year > year:
        raise click.UsageError(f"--from-year ({from_year}) comes after the last year ({year}).")
    else:
        periods = series_summaries(Series.of_years(from_year, year, now, network_ids=network_ids),
                                   with_total=not slug)
    records = [(scope.period.slug, [summary_record(row) for row in rows] + ([] if slug else [summary_record(total)]))
               for scope, rows, total in periods]
    if output_format == "json":
        documents = [{"period": period, "networks": networks} for period, networks in records]
        click.echo(json.dumps(documents[0] if from_year is None else {"periods": documents}, ensure_ascii=False,
                              indent=2))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["period", *(key for key, _l, _g in SUMMARY_COLUMNS)],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: spreadsheet_cell(value) for key, value in {"period": period, **record}.items()}
                     for period, networks in records for record in networks)
    click.echo(buffer.getvalue(), nl=False)


# `indicators` is a top-level command (scripts of the national bodies), the others live under `evaluation`.
bp.record_once(lambda state: state.app.cli.add_command(indicators_command))
