"""Model mixins, the UTC datetime column type, the code's constants written into statements, the SQLite
connection pragmas, when a pooled connection is pinged and how a request ends its transaction."""

import re
import time
from datetime import UTC, datetime
from functools import lru_cache

from flask import Flask
from sqlalchemy import DateTime, Integer, Row, String, case, event, exc, func, literal_column, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from network.deferred_begin import began_nothing
from network.extensions import db
from network.network_versions import NETWORK_IDS_OPTION


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


_WORD = re.compile(r"[a-z][a-z_]*")


def constant(value: int | str):
    """A constant of the app's own code — a number, a vocabulary's value — written into the statement's text
    instead of bound: a bound value is converted, sent and bound again at every execution of a statement built
    once. Only integers and lower-case words are accepted, so that nothing but such a constant is ever written."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"not a constant of the code: {value!r}")
    if isinstance(value, int):
        return literal_column(str(value), Integer())
    if not _WORD.fullmatch(value):
        raise ValueError(f"not a word: {value!r}")
    return literal_column(f"'{value}'", String())


def count_where(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), its numbers written as constants: NULL over no rows, as SUM is."""
    return func.sum(case((condition, constant(1)), else_=constant(0)))


def or_zero(expression):
    """COALESCE(expression, 0): a sum over no rows counted as zero."""
    return func.coalesce(expression, constant(0))


def one_of(column, values):
    """column IN (the code's constant values), each written into the statement (constant): `column.in_(values)`
    would bind them as one expanding parameter, and SQLAlchemy rewrites the text of a statement that has one at
    every execution (~0.1 ms each: the statements of the indicators, built once, are run a dozen per page). Sorted:
    a frozenset's order changes from process to process, the statement's text does not."""
    return column.in_([constant(value) for value in sorted(values)])


def install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# --- pinging pooled connections -----------------------------------------------------------------------
# pool_pre_ping pings at every checkout: one more round trip per request on PostgreSQL, where a cached page
# otherwise needs one. A connection that sat idle longer than PING_AFTER_IDLE_SECONDS is pinged (and replaced when
# the server closed it); one used a moment ago is handed out as is. A database restart takes longer than the
# default second, so every connection last used before it is pinged afterwards, as with pool_pre_ping.

_CHECKED_IN_AT = "network.checked_in_at"  # in the pool record's info: when the connection went back to the pool
_clock = time.monotonic


def install_idle_ping(engine: Engine, after_idle_seconds: float) -> None:
    if engine.dialect.name == "sqlite":
        return  # a file, not a server: nothing closes it behind our back

    @event.listens_for(engine, "connect")
    def _note_connect(_dbapi_connection, record):
        record.info[_CHECKED_IN_AT] = _clock()  # a new connection needs no ping

    @event.listens_for(engine, "checkin")
    def _note_checkin(_dbapi_connection, record):
        if record is not None:
            record.info[_CHECKED_IN_AT] = _clock()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        if _clock() - record.info.get(_CHECKED_IN_AT, float("-inf")) <= after_idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("connection closed by the server") from error  # the pool takes another


def plain_rows(statement, parameters: dict | None = None) -> list[Row]:
    """Every row of a Core statement, on the session's connection, fetched at once: for the pages' reads of columns.
    Columns need none of the ORM's result processing (a third of its cost on a 300-row table), and iterating a
    result instead asks the driver for one row at a time (with psycopg, ~0.5 µs more a row than one fetchall).
    Nothing pending is flushed first."""
    return db.session.connection().execute(statement, parameters or {}).all()


def lock_row(model, ident: int) -> None:
    """Serialize a read-modify-write on one row across workers and databases.

    A no-op UPDATE: PostgreSQL takes the row lock until commit; SQLite, which has no row locks,
    takes the database write lock, so the reads that follow see every committed write."""
    column = _lock_column(model)
    db.session.execute(update(model).where(model.id == ident).values({column: getattr(model, column)})
                       .execution_options(synchronize_session=False, **{NETWORK_IDS_OPTION: ()}))  # writes nothing


@lru_cache(maxsize=None)  # the mapping of models, not data
def _lock_column(model) -> str:
    """The first column that no key, constraint or update default involves: the no-op UPDATE sets it to itself.
    Not the primary key: SQLite, its foreign keys on, looks for the rows of every table that refers to a primary
    key being set, even to itself (1.2 ms for a meeting of the national data, against 0.004 ms)."""
    return next(column.key for column in model.__table__.columns
                if not (column.primary_key or column.foreign_keys or column.unique or column.onupdate is not None
                        or column.server_onupdate is not None))


def commit_keeping_loaded() -> None:
    """COMMIT, the objects the request loaded and wrote kept as they are instead of expired: for a write whose
    response (a redirect, a flash, a confirmation page) shows only what it loaded or wrote itself, so that
    building it does not read those rows again (the default expire_on_commit reloads each one it touches)."""
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


# --- read-only requests end with COMMIT --------------------------------------------------------
# psycopg 3 prepares a statement on the server after 5 runs on a connection, but forgets every prepared
# statement at each ROLLBACK (DEALLOCATE ALL). Ending each request with ROLLBACK, as the session does when it
# closes, made PostgreSQL parse and plan every statement of every page anew (the dashboard's planning cost
# three times its execution). A transaction that only read ends with COMMIT instead: same effect, plans kept.
# A GET or HEAD request on PostgreSQL whose BEGIN was deferred and never sent (network.deferred_begin) has no
# transaction on the server: psycopg's ROLLBACK is then a no-op that keeps the plans, and the session's close ends
# the request without the COMMIT's bookkeeping (expiring every loaded object: 7 % of a meeting page's instructions).

_WROTE = "network.transaction_wrote"  # in Connection.info: a write ran since the transaction began
_CONNECTION = "network.transaction_connection"  # in Session.info: the connection of the open transaction


def _is_read_only(statement: str, context) -> bool:
    """Plain SELECTs, and compiled WITH … SELECTs; anything else (DML, DDL, savepoints, text()) counts as a
    write, so a doubt always ends in ROLLBACK."""
    head = statement.lstrip()[:6].upper()
    if head == "SELECT":
        return True
    compiled_select = context is not None and context.compiled is not None and not (
        context.isinsert or context.isupdate or context.isdelete)
    return head.startswith("WITH") and compiled_select


def _transaction_began(session, _transaction, connection) -> None:
    connection.info[_WROTE] = False
    session.info[_CONNECTION] = connection


def _transaction_ended(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTION, None)


def install_read_only_commit(app: Flask) -> None:
    """At the end of an app context (a request, a CLI command), commit the session's transaction when it only
    read: no pending change, no write statement run since it began, no exception."""
    with app.app_context():
        engine = db.engine

    # db.session is one per process, while apps may be several (tests, CLI): listen once.
    for name, listener in (("after_begin", _transaction_began), ("after_transaction_end", _transaction_ended)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(connection, _cursor, statement, _parameters, context, _executemany):
        if not _is_read_only(statement, context):
            connection.info[_WROTE] = True

    # Registered after Flask-SQLAlchemy's teardown, so it runs before the session is removed (reverse order).
    @app.teardown_appcontext
    def _commit_if_read_only(exc):
        session = db.session()
        if exc is not None or session.new or session.dirty or session.deleted:
            return
        transaction = session.get_transaction()
        if transaction is not None and not transaction.is_active:
            return  # a statement failed (and its error was handled): only a rollback can end it
        if transaction_wrote(session) is False and not began_nothing(session.info[_CONNECTION]):
            session.commit()


def transaction_wrote(session) -> bool | None:
    """Whether the session's open transaction ran a write statement; None when it has not touched the database."""
    connection = session.info.get(_CONNECTION)
    if connection is None:
        return None
    if connection.invalidated:
        return True  # the connection was lost mid-transaction: only a rollback can end it
    return connection.info.get(_WROTE, True)
