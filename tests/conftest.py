"""Shared fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL),
a real SMTP server (aiosmtpd), a CSRF-aware client, login, query counting."""

import os
import re
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event

from network import create_app
from network.calendar import PARIS
from network.network_versions import NetworkVersion
from network.result_cache import clear_all_caches
from network.extensions import db as _db
from tests import factories
from tests.clock import SUITE_NOW, clock_at

# A real IMAP server (Debian's Dovecot) for the calendar replies: fixtures imap_server, imap_mailbox; and every
# calendar email a test queues read back by icalendar, vobject and ical.js after the test.
pytest_plugins = ["tests.dovecot", "tests.calendar_check"]


@pytest.fixture(autouse=True)
def suite_clock(request):
    """Every test starts at SUITE_NOW (tests/clock.py), the clock ticking from there; but the browser tests
    (Chromium checks cookies against the machine's clock) and the OpenID provider's (node signs tokens with it)."""
    if request.node.get_closest_marker("e2e") or "oidc_provider" in request.fixturenames:
        yield
        return
    with clock_at(SUITE_NOW):
        yield


@pytest.fixture
def mid_year():
    """For the tests of « this year »'s figures, which need meetings already held this year: on the first days of
    January there are none, whatever a test creates. The test runs on 15 June of the suite's year (Paris), from
    10 h."""
    with clock_at(datetime(SUITE_NOW.year, 6, 15, 10, tzinfo=PARIS)):
        yield


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    peer: tuple | None = None  # the client's (host, port): one value per SMTP connection

    @property
    def message(self):
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class RecordingHandler:
    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                              tuple(session.peer) if session.peer else None))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""

    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list:
        return [mail.message for mail in self.handler.received]

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def clear(self):
        self.handler.received.clear()


@pytest.fixture(scope="session")
def smtp_session_server():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp_session_server):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_session_server.port,
    })
    app.instance_path = str(instance)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _empty_all_tables():
    # DELETE, not TRUNCATE: on the few rows a test leaves it is ten times faster on PostgreSQL.
    # The network versions are kept: they only ever rise, or a cache could take this test's figures for an earlier
    # one's (SQLite gives an emptied table's ids again).
    for table in reversed(_db.metadata.sorted_tables):
        if table is not NetworkVersion.__table__:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture(autouse=True)
def db(app):
    """Each test runs in an app context on empty tables."""
    with app.app_context():
        yield _db
        _wait_for_outbox_senders()  # a request's background sender must not write into the next test
        _db.session.rollback()
        _empty_all_tables()
        _db.session.remove()


def _wait_for_outbox_senders():
    for thread in threading.enumerate():
        if thread.name == "outbox-sender":
            thread.join(timeout=30)


@pytest.fixture
def smtp_server(smtp_session_server):
    smtp_session_server.clear()
    yield smtp_session_server
    smtp_session_server.clear()


@pytest.fixture
def smtp_down(app):
    """Point the mail settings at a port where nothing listens (an outage), then restore."""
    state = app.extensions["mail"]
    original = state.port
    state.port = free_port()
    yield
    state.port = original


class Client:
    """Test client that adds the CSRF token of the current session to form posts.

    Each request runs in its own app context, as in production: `g` (Flask-Login's user cache,
    Flask-WTF's token) and the database session are the request's own. Afterwards the test's
    session is expired, so objects the test holds show what the request committed."""

    def __init__(self, flask_client):
        self.raw = flask_client
        self._csrf = None

    def _call(self, method, *args, **kwargs):
        with self.raw.application.app_context():
            response = getattr(self.raw, method)(*args, **kwargs)
        _db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        if self._csrf is None:
            page = self.get("/mot-de-passe/oublie").get_data(as_text=True)
            self._csrf = CSRF_PATTERN.search(page).group(1)
        return self._csrf

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def post(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self._call("post", url, data=data, **kwargs)

    def post_without_csrf(self, url, data=None, **kwargs):
        return self._call("post", url, data=data or {}, **kwargs)

    def logout(self):
        return self.post("/deconnexion")


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def make_client(app):
    return lambda: Client(app.test_client())


@pytest.fixture
def login(client):
    """login(member) signs `member` in on `client` through the real login form."""

    def _login(member, on=None, password=factories.TEST_PASSWORD):
        target = on or client
        response = target.post("/connexion", data={"email": member.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return target

    return _login


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements, counter.statements
    their texts; the SAVEPOINT and RELEASE statements, not counted, are in counter.savepoints.

    The per-worker result caches are emptied first, so the page's own queries are counted;
    count_queries(cached=True) counts what a page costs with its kept results."""

    @contextmanager
    def _count(cached: bool = False):
        if not cached:
            clear_all_caches()
        counter = type("Counter", (), {"count": 0, "statements": [], "savepoints": []})()

        def before_execute(conn, cursor, statement, parameters, context, executemany):
            head = statement.lstrip().upper()
            if head.startswith(("SAVEPOINT", "RELEASE")):
                counter.savepoints.append(statement)
            elif not head.startswith("PRAGMA"):
                counter.count += 1
                counter.statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", before_execute)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", before_execute)

    return _count


# Factories as fixtures, for tests that prefer injection.
@pytest.fixture
def network(db):
    return factories.create_network()


@pytest.fixture
def facilitator(network):
    return factories.create_member(network=network, role="facilitator", email="animatrice@example.test")


@pytest.fixture
def coordinator(network):
    return factories.create_member(network=network, role="coordinator", email="coordinatrice@example.test")


@pytest.fixture
def admin(db):
    return factories.create_member(network=None, role="admin", email="admin@example.test")
