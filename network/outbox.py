"""Mail outbox: emails are rows written in the same transaction as the change
that causes them, and sent only after commit (by a background thread after the
request, and by `flask outbox send` from cron), with retries and backoff.

A rolled-back change never sends anything; an SMTP outage only delays mail.
"""

import logging
import smtplib
import ssl
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import encoders
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.policy import compat32
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, getaddresses, make_msgid, parseaddr
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, has_request_context, render_template
from flask_mail import Connection
from sqlalchemy import Index, Integer, LargeBinary, String, Text, event, select, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.routing import Map, MapAdapter

from network.database import IdMixin, TimestampMixin, UTCDateTime, utcnow
from network.extensions import db
from network.text import clean_text, one_line

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=10)
SMTP_POLICY = compat32.clone(linesep="\r\n")


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    REFUSED = "refused"  # the server refused it for good (5xx) PERMANENT_REFUSALS_BEFORE_GIVING_UP times


# A permanent refusal (5xx: unknown mailbox, rejected content) is retried with the same backoff, in case the
# address is fixed or the server was wrong, then given up; `flask outbox status` counts those. A temporary
# error (4xx) or an unreachable server is retried for ever: an outage delays mail, never loses it.
PERMANENT_REFUSALS_BEFORE_GIVING_UP = 5


class OutboxMessage(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    sender: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(500))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    permanent_refusals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def recipient_list(self) -> list[str]:
        return [address for _, address in getaddresses([self.recipients])]


@dataclass(frozen=True)
class CalendarPart:
    """An iCalendar body; `method` must equal the METHOD inside it."""

    method: str
    ics: bytes


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def _utf8(body_encoding) -> Charset:
    """An explicit utf-8 charset: Flask-Mail globally switches utf-8 bodies to 8bit, which lets
    lines exceed SMTP's 998-octet limit (long links in HTML) and breaks the base64 calendar rule."""
    charset = Charset("utf-8")
    charset.body_encoding = body_encoding
    return charset


def _header(value: str, name: str) -> Header:
    """Encoded only when needed, folded by the generator after the header name (no leading blank)."""
    return Header(value, "utf-8" if not value.isascii() else "us-ascii", header_name=name)


def _address(value: str) -> str:
    name, address = parseaddr(one_line(value))
    return formataddr((name, address), charset="utf-8") if name else address


def build_email(*, sender: str, to: str, subject: str, text: str, html: str | None = None,
                calendar: CalendarPart | None = None, reply_to: str | None = None,
                message_id: str | None = None) -> tuple[str, bytes]:
    """Return (Message-ID, raw bytes). With a calendar: multipart/mixed →
    [multipart/alternative → plain, html, text/calendar] + invitation.ics.

    Any stored text renders: the subject on one line (a line break would start a new header), bodies without
    control characters, display names on one line."""
    subject, text, html = one_line(subject), clean_text(text), clean_text(html)
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(text, "plain", _utf8(QP)))
    if html is not None:
        body.attach(MIMEText(html, "html", _utf8(QP)))
    if calendar is None:
        message = body if html is not None else MIMEText(text, "plain", _utf8(QP))
    else:
        inline = MIMEText(calendar.ics.decode("utf-8"), "calendar", _utf8(BASE64))
        inline.set_param("method", calendar.method)
        body.attach(inline)
        attachment = MIMEBase("application", "ics", name="invitation.ics")
        attachment.set_payload(calendar.ics)
        encoders.encode_base64(attachment)
        attachment.add_header("Content-Disposition", "attachment", filename="invitation.ics")
        message = MIMEMultipart("mixed")
        message.attach(body)
        message.attach(attachment)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "reseau.local"
    message_id = message_id or make_msgid(domain=domain)
    message["Message-ID"] = message_id
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["From"] = _address(sender)
    message["To"] = _address(to)
    if reply_to:
        message["Reply-To"] = _address(reply_to)
    message["Subject"] = _header(subject, "Subject")
    message["Auto-Submitted"] = "auto-generated"
    return message_id, message.as_bytes(policy=SMTP_POLICY)  # CRLF: smtplib sends bytes as they are


def queue_email(*, to: str, subject: str, text: str, html: str | None = None,
                calendar: CalendarPart | None = None, reply_to: str | None = None,
                sender: str | None = None) -> OutboxMessage:
    """Add one email to the current transaction. One recipient per email."""
    sender = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    message_id, raw = build_email(sender=sender, to=to, subject=subject, text=text, html=html,
                                  calendar=calendar, reply_to=reply_to)
    row = OutboxMessage(message_id=message_id, sender=sender, recipients=to, subject=one_line(subject)[:500], raw=raw)
    db.session.add(row)
    db.session.info["outbox_queued"] = True
    return row


@lru_cache(maxsize=8)
def _url_adapter(url_map: Map) -> MapAdapter:
    return url_map.bind("localhost")


def external_url(endpoint: str, **values) -> str:
    """Absolute URL on PUBLIC_BASE_URL, built the same inside or outside a request."""
    path = _url_adapter(current_app.url_map).build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def queue_templated_email(template: str, *, to: str, subject: str, calendar: CalendarPart | None = None,
                          reply_to: str | None = None, **context) -> OutboxMessage:
    """Render templates/mail/<template>.txt and .html and queue them."""
    context.setdefault("subject", subject)
    text = render_template(f"mail/{template}.txt", **context)
    html = render_template(f"mail/{template}.html", **context)
    return queue_email(to=to, subject=subject, text=text, html=html, calendar=calendar, reply_to=reply_to)


def backoff_after(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class VerifiedConnection(Connection):
    """Flask-Mail's connection, with STARTTLS/SSL that verify the certificate and a timeout."""

    def configure_host(self):
        config = current_app.config
        context = ssl.create_default_context()
        timeout = config["MAIL_TIMEOUT_SECONDS"]
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout, context=context)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls(context=context)
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def send_raw(self, message: OutboxMessage) -> None:
        envelope_from = parseaddr(message.sender)[1]
        self.host.sendmail(envelope_from, message.recipient_list, message.raw)


class ConsoleConnection:
    """Development transport: logs each email and writes it under instance/mail/."""

    def __enter__(self):
        self.folder = Path(current_app.instance_path) / "mail"
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc_info):
        return False

    def send_raw(self, message: OutboxMessage) -> None:
        path = self.folder / f"{message.id:08d}.eml"
        path.write_bytes(message.raw)
        log.warning("Email (console) to %s: %s — %s", message.recipients, message.subject, path)


def _claim_due(limit: int, now: datetime) -> str:
    token = str(uuid.uuid4())
    due_ids = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .scalar_subquery()
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due_ids), OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(claim_token=token, next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return token


def send_due(*, limit: int | None = None, now: datetime | None = None) -> SendReport:
    """Send the due messages over one SMTP connection; commit each outcome."""
    now = now or utcnow()
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    token = _claim_due(limit, now)
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
    ).all()
    report = SendReport()
    if not messages:
        return report
    handled: set[int] = set()
    try:
        state = current_app.extensions["mail"]
        connection = VerifiedConnection(state) if state.server else ConsoleConnection()
        with connection as open_connection:
            for message in messages:
                try:
                    open_connection.send_raw(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                    _record_failure(message, error, now, permanent=_is_permanent(error))
                    report.failed += 1
                else:
                    message.status = OutboxStatus.SENT
                    message.sent_at = utcnow()
                    message.claim_token = None
                    report.sent += 1
                handled.add(message.id)
                db.session.commit()
    except (OSError, smtplib.SMTPException) as error:
        # The server is unreachable or dropped us: every message not yet handled waits for its retry.
        db.session.rollback()
        for message in messages:
            if message.id not in handled:
                _record_failure(message, error, now)
                report.failed += 1
        db.session.commit()
        log.warning("Outbox: SMTP unavailable (%s); messages to retry: %d", error, report.failed)
    return report


def _is_permanent(error: smtplib.SMTPException) -> bool:
    """A 5xx answer: for a refused recipient list, every recipient refused with a 5xx."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _text in error.recipients.values())
    return getattr(error, "smtp_code", 0) >= 500


def _record_failure(message: OutboxMessage, error: Exception, now: datetime, *, permanent: bool = False) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.next_attempt_at = now + backoff_after(message.attempts)
    message.claim_token = None
    if permanent:
        message.permanent_refusals += 1
        if message.permanent_refusals >= PERMANENT_REFUSALS_BEFORE_GIVING_UP:
            message.status = OutboxStatus.REFUSED


def pending_count() -> int:
    return status_count(OutboxStatus.PENDING)


def status_count(status: OutboxStatus) -> int:
    return db.session.scalar(select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status == status))


# --- sending right after a request's commit -------------------------------------------------

def _note_commit(session) -> None:
    if session.info.pop("outbox_queued", False) and has_request_context():
        g.outbox_committed = True


def _forget_rollback(session, *_args) -> None:
    session.info.pop("outbox_queued", None)


def install_after_commit_sending(app) -> None:
    event.listen(db.session, "after_commit", _note_commit)
    event.listen(db.session, "after_soft_rollback", _forget_rollback)

    @app.after_request
    def _kick_sender(response):
        if g.pop("outbox_committed", False) and app.config["OUTBOX_SEND_AFTER_COMMIT"]:
            response.call_on_close(lambda: _send_in_background(app))
        return response


_sender_lock = threading.Lock()


def _send_in_background(app) -> None:
    def run():
        if not _sender_lock.acquire(blocking=False):
            return  # another thread of this worker is already sending
        try:
            with app.app_context():
                send_due()
                db.session.remove()
        except Exception:  # the cron command retries; never crash the worker
            log.exception("Outbox: background send failed")
        finally:
            _sender_lock.release()

    threading.Thread(target=run, name="outbox-sender", daemon=True).start()
