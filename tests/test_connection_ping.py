"""PostgreSQL: a pooled connection idle longer than DB_PING_AFTER_IDLE_SECONDS is pinged before use and replaced
when the server closed it (a database restart); one used a moment ago is handed out without a ping."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from network import database
from network.extensions import db


@pytest.fixture
def pooled_backend(app, db):
    """The server process of the only connection in the pool, which has just gone back to it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite is a file: there is no server to close a connection")
    db.session.remove()
    db.engine.dispose()
    with app.app_context():
        return backend_pid()


def backend_pid() -> int:
    return db.session.scalar(text("SELECT pg_backend_pid()"))


def terminate(pid: int) -> None:
    """What a restart does to a connection, from outside the pool; returns once the process has exited."""
    outside = create_engine(db.engine.url, poolclass=NullPool)
    with outside.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}) is True
    outside.dispose()


def test_an_idle_connection_closed_by_the_server_is_replaced_before_use(app, pooled_backend, monkeypatch):
    terminate(pooled_backend)
    later = database._clock() + app.config["DB_PING_AFTER_IDLE_SECONDS"] + 1
    monkeypatch.setattr(database, "_clock", lambda: later)

    with app.app_context():
        pid = backend_pid()

    assert pid != pooled_backend


def test_a_connection_used_a_moment_ago_is_not_pinged(app, pooled_backend):
    terminate(pooled_backend)

    with app.app_context(), pytest.raises(OperationalError):
        backend_pid()  # no ping: the closed connection is used, and fails
    with app.app_context():
        pid = backend_pid()  # the failure emptied the pool

    assert pid != pooled_backend
