"""In-process measurements: the indicators of one network over 10 years, and 500 invitation
emails delivered to a local SMTP server (aiosmtpd) through the outbox."""

import socket
import statistics
import time

from aiosmtpd.controller import Controller
from network import create_app
from network.database import utcnow
from network.evaluation.indicators import network_summaries
from network.evaluation.periods import PARIS, Period, Scope
from network.extensions import db
from network.members import queries as member_queries
from network.outbox import OutboxMessage, queue_email, send_due

EMAILS = 500


class CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def time_emails(app) -> float:
    handler = CountingHandler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        state = app.extensions["mail"]
        state.server, state.port = "127.0.0.1", port
        for n in range(EMAILS):
            queue_email(to=f"invite{n:03d}@example.org", subject="Invitation — rencontre trimestrielle",
                        text="Bonjour,\nvous êtes invité·e à la prochaine rencontre.\n")
        db.session.commit()
        started = time.perf_counter()
        while handler.count < EMAILS and time.perf_counter() - started < 60:
            if send_due(limit=EMAILS).sent == 0:
                time.sleep(0.05)
        elapsed = time.perf_counter() - started
        db.session.execute(OutboxMessage.__table__.delete().where(OutboxMessage.recipients.like("invite%@example.org")))
        db.session.commit()
        return elapsed if handler.count == EMAILS else float("inf")
    finally:
        controller.stop()


def time_indicators(slug: str = "dep-62", years: int = 10) -> str:
    """What `flask indicators --network SLUG --year Y` computes (network_summaries of one network), for each
    of the last `years` years, in-process: the per-year median and the ten-year total."""
    network = member_queries.network_by_slug(slug)
    now = utcnow()
    this_year = now.astimezone(PARIS).year
    scopes = [Scope(period=Period(year), now=now, network_ids=(network.id,))
              for year in range(this_year - years + 1, this_year + 1)]
    network_summaries(scopes[-1], with_total=False)  # warm-up: imports, mapper configuration, first connection
    totals, per_year = [], []
    for _ in range(5):
        started = time.perf_counter()
        for scope in scopes:
            year_started = time.perf_counter()
            network_summaries(scope, with_total=False)  # as `flask indicators --network` computes it
            per_year.append((time.perf_counter() - year_started) * 1000)
        totals.append((time.perf_counter() - started) * 1000)
    total = statistics.median(totals)
    verdict = "ok" if total <= 100 else "over 100 ms"
    return (f"indicators of {slug} over {years} years (network_summaries, in-process): {total:.0f} ms in all "
            f"({verdict}), median {statistics.median(per_year):.1f} ms per year")


def main() -> None:
    app = create_app()
    with app.app_context():
        print("  " + time_indicators())
        elapsed = time_emails(app)
        verdict = "ok" if elapsed <= 10 else "over 10 s"
        print(f"  {EMAILS} invitation emails delivered to a local SMTP server in {elapsed:.2f} s ({verdict})")


if __name__ == "__main__":
    main()
