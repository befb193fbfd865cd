"""An LMTP endpoint for the calendar answers, the other way to receive them than reading a mailbox over IMAP:
the mail server delivers the organizer address (or a copy of it) here, and each email is processed as it arrives
by the same `process_reply` as `flask sessions read-replies`.

An email is acknowledged (250) once processed and committed, whatever the outcome (counted, ignored, malformed:
the reason is logged); a failure of ours (the database away) answers 451 so the mail server tries again later.
Emails that are not answers are not kept here: deliver a copy, and the mailbox itself to the people who read it.
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP

from network.extensions import db
from network.sessions.services.replies import process_reply

log = logging.getLogger(__name__)


class ReplyHandler:
    def __init__(self, app):
        self.app = app

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # LMTP answers DATA once per recipient; with one recipient per transaction one answer is exact.
        if envelope.rcpt_tos:
            return "452 4.5.3 One recipient per message"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            result = await asyncio.get_running_loop().run_in_executor(None, self.process, envelope.original_content)
        except Exception:
            log.exception("calendar reply received over LMTP not processed; the mail server will retry")
            return "451 4.3.0 Temporary failure, please retry"
        return f"250 2.0.0 {'Processed' if result.is_reply else 'Not a calendar reply'}"

    def process(self, raw: bytes):
        with self.app.app_context():
            try:
                config = self.app.config
                result = process_reply(raw, require_auth=config["REPLY_REQUIRE_AUTH"],
                                       authserv_id=config["REPLY_AUTHSERV_ID"])
                db.session.commit()
                return result
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()


class LmtpController(Controller):
    """aiosmtpd's threaded controller serving LMTP instead of SMTP."""

    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def reply_server(app, *, host: str, port: int) -> LmtpController:
    return LmtpController(ReplyHandler(app), hostname=host, port=port, server_hostname=host)
