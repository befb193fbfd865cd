"""The mail outbox: same transaction, after commit, one SMTP connection per batch, retries, console mode, CLI."""

import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from network import create_app
from network.extensions import db as _db
from network.outbox import (
    CalendarPart, OutboxMessage, OutboxStatus, _claim_due, backoff_after, queue_email, send_due,
)
from network.database import utcnow


def queue(number: int = 1) -> list[OutboxMessage]:
    return [queue_email(to=f"membre{index}@example.org", subject=f"Message n°{index} — é",
                        text=f"Bonjour {index}", html=f"<p>Bonjour {index}</p>") for index in range(number)]


def rows(db) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_queued_email_is_a_row_of_the_same_transaction(db, smtp_server):
    queue(1)
    db.session.rollback()
    assert rows(db) == []
    assert send_due().sent == 0
    assert smtp_server.received == []


def test_send_due_delivers_a_batch_over_one_smtp_connection(db, smtp_server):
    queued = queue(3)
    db.session.commit()
    report = send_due()
    assert (report.sent, report.failed) == (3, 0)
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.received) == [
        "membre0@example.org", "membre1@example.org", "membre2@example.org"]
    assert len({mail.peer for mail in smtp_server.received}) == 1  # one client port: one connection
    assert [mail.message["Message-ID"] for mail in smtp_server.received] == [row.message_id for row in queued]
    assert [row.status for row in rows(db)] == ["sent"] * 3
    assert all(row.sent_at is not None and row.claim_token is None for row in rows(db))


def test_send_due_twice_sends_nothing_more(db, smtp_server):
    queue(2)
    db.session.commit()
    send_due()
    assert send_due().sent == 0
    assert len(smtp_server.received) == 2


def test_batches_are_limited_and_each_uses_its_own_connection(db, smtp_server):
    queue(3)
    db.session.commit()
    assert send_due(limit=2).sent == 2
    assert send_due(limit=2).sent == 1
    peers = [mail.peer for mail in smtp_server.received]
    assert peers[0] == peers[1] != peers[2]


def test_smtp_outage_keeps_message_pending_then_retry_delivers_same_message(app, db, smtp_down, smtp_server):
    [message] = queue(1)
    db.session.commit()
    before = utcnow()
    report = send_due()
    assert (report.sent, report.failed) == (0, 1)
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.next_attempt_at > before
    assert message.last_error.startswith("ConnectionRefusedError")
    assert send_due().sent == 0  # not due yet: backoff

    app.extensions["mail"].port = smtp_server.port  # the server is back
    report = send_due(now=utcnow() + timedelta(minutes=5))
    assert report.sent == 1
    [received] = smtp_server.received
    assert received.message["Message-ID"] == message.message_id
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)


def test_second_failure_backs_off_longer(db, smtp_down):
    [message] = queue(1)
    db.session.commit()
    send_due()
    later = utcnow() + timedelta(minutes=1)
    send_due(now=later)
    db.session.refresh(message)
    assert message.attempts == 2
    assert message.next_attempt_at >= later + timedelta(seconds=60)


@pytest.mark.parametrize("attempts, seconds", [(1, 30), (2, 60), (3, 120), (20, 3600)])
def test_backoff_doubles_up_to_one_hour(attempts, seconds):
    assert backoff_after(attempts) == timedelta(seconds=seconds)


def test_a_claimed_batch_is_not_claimed_again(db):
    queue(2)
    db.session.commit()
    first = _claim_due(10, utcnow())
    second = _claim_due(10, utcnow())
    claimed = [row.claim_token for row in rows(db)]
    assert claimed == [first, first] and second != first


def test_email_layout_headers_and_encodings(app, db):
    queue_email(to="Hélène Lefèvre <helene@example.org>", subject="Invitation — rencontre du 12 mars",
                text="Texte é" + " lien" * 300, html="<p>" + "x" * 2000 + "</p>",
                calendar=CalendarPart("REQUEST", b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"),
                reply_to="reseau@example.org")
    db.session.commit()
    [row] = rows(db)
    assert max(len(line) for line in row.raw.split(b"\r\n")) <= 998
    assert b"\n" not in row.raw.replace(b"\r\n", b"")
    message = message_from_bytes(row.raw, policy=policy.default)
    assert message["Subject"] == "Invitation — rencontre du 12 mars"
    assert message["To"] == "Hélène Lefèvre <helene@example.org>"
    assert (message["Reply-To"], message["Auto-Submitted"]) == ("reseau@example.org", "auto-generated")
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert [part.get_content_type() for part in alternative.get_payload()] == [
        "text/plain", "text/html", "text/calendar"]
    calendar = alternative.get_payload()[2]
    assert (calendar["Content-Transfer-Encoding"], calendar.get_param("method")) == ("base64", "REQUEST")
    assert attachment.get_filename() == "invitation.ics"
    assert row.recipient_list == ["helene@example.org"]


def test_console_mode_without_mail_server_writes_eml_files(app, tmp_path, db):
    console_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                         "MAIL_SERVER": None})
    console_app.instance_path = str(tmp_path)
    with console_app.app_context():
        queue(2)
        _db.session.commit()
        report = send_due()
        _db.session.remove()
        _db.engines[None].dispose()
    assert report.sent == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    assert message_from_bytes(files[0].read_bytes(), policy=policy.default)["To"] == "membre0@example.org"


def test_cli_outbox_send_and_status(app, db, smtp_server):
    queue(2)
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outbox", "status"]).output == "pending=2 refused=0\n"
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert result.output == "sent=2 failed=0 pending=0\n"
    assert len(smtp_server.received) == 2


def test_cli_outbox_send_all_loops_over_batches(app, db, smtp_server):
    queue(3)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--limit", "1", "--all"])
    assert result.output == "sent=3 failed=0 pending=0\n"


def test_request_commit_sends_in_background_after_response(app, client, db, smtp_server):
    from tests import factories

    factories.create_member(network=factories.create_network(), email="sophie@example.org")
    app.config["OUTBOX_SEND_AFTER_COMMIT"] = True
    try:
        response = client.post("/mot-de-passe/oublie", {"email": "sophie@example.org"})
        response.close()
        deadline = time.monotonic() + 10
        while not smtp_server.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        app.config["OUTBOX_SEND_AFTER_COMMIT"] = False
        for thread in threading.enumerate():
            if thread.name == "outbox-sender":
                thread.join(timeout=10)
    assert [mail.rcpt_tos for mail in smtp_server.received] == [["sophie@example.org"]]


def test_rolled_back_request_sends_nothing_in_background(app, client, db, smtp_server):
    app.config["OUTBOX_SEND_AFTER_COMMIT"] = True
    try:
        client.post("/mot-de-passe/oublie", {"email": "inconnu@example.org"}).close()
    finally:
        app.config["OUTBOX_SEND_AFTER_COMMIT"] = False
    assert rows(db) == [] and smtp_server.received == []


class RefusingHandler:
    """A real SMTP server that refuses one mailbox, for good (550) or for now (450)."""

    def __init__(self, code: int):
        self.code = code
        self.delivered = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("inconnu@"):
            return f"{self.code} 5.1.1 Boîte inconnue" if self.code >= 500 else f"{self.code} 4.2.0 Réessayez"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def refusing_server(app):
    from aiosmtpd.controller import Controller

    from tests.conftest import free_port

    def start(code: int) -> RefusingHandler:
        handler = RefusingHandler(code)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        state.port = controller.port
        return handler

    state, started = app.extensions["mail"], []
    original = state.port
    yield start
    state.port = original
    for controller in started:
        controller.stop()


def send_until_settled(rounds: int) -> None:
    """`rounds` sending passes, a day apart: each one after the previous failure's backoff (at most an hour)."""
    for day in range(rounds):
        send_due(now=utcnow() + timedelta(days=day))


def test_a_mailbox_refused_for_good_is_given_up_after_five_refusals(app, db, refusing_server):
    handler = refusing_server(550)
    queue_email(to="inconnu@example.org", subject="Invitation", text="Bonjour")
    queue_email(to="connu@example.org", subject="Invitation", text="Bonjour")
    db.session.commit()

    send_until_settled(4)
    after_four = [(row.status, row.permanent_refusals) for row in rows(db)]
    for day in range(4, 7):  # three more passes: the fifth refusal gives it up, the others find nothing due
        send_due(now=utcnow() + timedelta(days=day))

    assert after_four == [(OutboxStatus.PENDING, 4), (OutboxStatus.SENT, 0)]
    refused, sent = rows(db)
    assert (refused.status, refused.attempts, refused.permanent_refusals) == (OutboxStatus.REFUSED, 5, 5)
    assert refused.last_error.startswith("SMTPRecipientsRefused") and "550" in refused.last_error
    assert handler.delivered == ["connu@example.org"]
    assert app.test_cli_runner().invoke(args=["outbox", "status"]).output == "pending=0 refused=1\n"


def test_a_temporary_refusal_is_retried_for_ever(db, refusing_server):
    refusing_server(450)
    queue_email(to="inconnu@example.org", subject="Invitation", text="Bonjour")
    db.session.commit()

    send_until_settled(8)

    (message,) = rows(db)
    assert (message.status, message.attempts, message.permanent_refusals) == (OutboxStatus.PENDING, 8, 0)
