"""In-process measurements: the indicators of one network over 10 years, and 500 invitation
emails delivered to a local SMTP server (aiosmtpd) through the outbox."""

import socket
import statistics
import time

from aiosmtpd.controller import Controller
from sqlalchemy import select

from network import create_app
from network.extensions import db
from network.members.models import Network
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


def time_indicators(app) -> str:
    try:
        from network.evaluation.indicators import network_indicators  # present once evaluation lands
    except ImportError:
        return "indicators: (evaluation feature not present)"
    network = db.session.scalar(select(Network).where(Network.slug == "dep-62"))
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        network_indicators(network, start_year=None, end_year=None)
        timings.append((time.perf_counter() - started) * 1000)
    return f"indicators of one network over 10 years: median {statistics.median(timings):.0f} ms (target ≤ 100 ms)"


def main() -> None:
    app = create_app()
    with app.app_context():
        print("  " + time_indicators(app))
        elapsed = time_emails(app)
        verdict = "ok" if elapsed <= 10 else "over 10 s"
        print(f"  {EMAILS} invitation emails delivered to a local SMTP server in {elapsed:.2f} s ({verdict})")


if __name__ == "__main__":
    main()
