"""In-process measurements: the indicators of one network over 10 years, and 500 invitation
emails delivered to a local SMTP server (aiosmtpd) through the outbox."""

import socket
import statistics
import time

from aiosmtpd.controller import Controller
from network import create_app
from network.database import utcnow
from network.evaluation.indicators import network_summaries, series_summaries
from network.periods import PARIS, Series
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


def _median_ms(compute, rounds: int = 7) -> float:
    compute()  # warm-up: imports, mapper configuration, statements built, first connection
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        compute()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def time_indicators(slug: str = "dep-62", years: int = 10) -> list[str]:
    """The indicators of one network over the last `years` years, in-process, median of 7 runs:
    - as `flask indicators --network SLUG --from-year Y` computes them: one Series, every year in one pass;
    - year by year, as `flask indicators --network SLUG --year Y` run ten times (or ten dashboard years) would."""
    network = member_queries.network_by_slug(slug)
    now = utcnow()
    this_year = now.astimezone(PARIS).year
    series = Series.of_years(this_year - years + 1, this_year, now, network_ids=(network.id,))
    together = _median_ms(lambda: series_summaries(series, with_total=False))
    apart = _median_ms(lambda: [network_summaries(scope, with_total=False) for scope in series.scopes])
    verdict = "ok" if together <= 100 else "over 100 ms"
    return [f"indicators of {slug} over {years} years, one pass (flask indicators --from-year): {together:.0f} ms "
            f"({verdict})",
            f"the same ten years computed one by one (flask indicators --year, ten times): {apart:.0f} ms"]


def main() -> None:
    app = create_app()
    with app.app_context():
        for line in time_indicators():
            print("  " + line)
        elapsed = time_emails(app)
        verdict = "ok" if elapsed <= 10 else "over 10 s"
        print(f"  {EMAILS} invitation emails delivered to a local SMTP server in {elapsed:.2f} s ({verdict})")


if __name__ == "__main__":
    main()
