"""`flask --app network sessions <command>` (for cron)."""

import logging
import signal
import threading
from dataclasses import dataclass

import click
from flask import current_app

from network.extensions import db
from network.sessions.blueprint import bp
from network.sessions.mailbox import Mailbox, MailboxNotConfigured, MailboxSettings
from network.sessions.services import send_reminders
from network.sessions.services.replies import process_reply

log = logging.getLogger(__name__)

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


@dataclass
class ReplyReport:
    read: int = 0
    applied: int = 0
    ignored: int = 0
    malformed: int = 0
    duplicates: int = 0
    not_replies: int = 0
    failed: int = 0


def read_replies(settings: MailboxSettings, *, require_auth: bool, authserv_id: str | None) -> ReplyReport:
    """Read the organizer's mailbox once: each email is processed and committed on its own, then moved (a reply)
    or flagged and left (anything else). An error on one email is logged and never stops the batch; that email
    stays in place and is tried again by the next run."""
    report = ReplyReport()
    with Mailbox(settings) as mailbox:
        for uid, raw in mailbox.new_messages():
            report.read += 1
            try:
                result = process_reply(raw, require_auth=require_auth, authserv_id=authserv_id)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("calendar reply in IMAP message %s not processed; kept for the next run", uid)
                report.failed += 1
                continue
            if not result.is_reply:
                report.not_replies += 1
                mailbox.keep(uid)
                continue
            if result.duplicate:
                report.duplicates += 1
            else:
                setattr(report, str(result.outcome), getattr(report, str(result.outcome)) + 1)
            mailbox.done(uid)
    return report


@bp.cli.command("read-replies")
def read_replies_command():
    """Turn the answers given with a calendar's buttons (iMIP REPLY) into RSVPs. For cron, every few minutes."""
    config = current_app.config
    try:
        settings = MailboxSettings.from_config(config)
    except MailboxNotConfigured as error:
        raise click.ClickException(str(error)) from None
    report = read_replies(settings, require_auth=config["REPLY_REQUIRE_AUTH"], authserv_id=config["REPLY_AUTHSERV_ID"])
    click.echo(f"replies read={report.read} applied={report.applied} ignored={report.ignored} "
               f"malformed={report.malformed} duplicates={report.duplicates} not_replies={report.not_replies} "
               f"failed={report.failed}")


@bp.cli.command("serve-replies")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8024, show_default=True, help="LMTP port.")
def serve_replies_command(host, port):
    """Receive the calendar answers over LMTP (the mail server delivers the organizer address here)."""
    from network.sessions.inbound import reply_server  # aiosmtpd and asyncio's servers: this command's only

    server = reply_server(current_app._get_current_object(), host=host, port=port)
    server.start()
    click.echo(f"LMTP endpoint for calendar replies on {host}:{port} (Ctrl+C to stop)")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass  # Ctrl+C: stop like SIGTERM, below
    finally:
        server.stop()
