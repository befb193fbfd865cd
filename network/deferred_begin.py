"""GET and HEAD requests on PostgreSQL open a transaction only when they need one.

psycopg sends BEGIN before a connection's first statement, and the request ends the transaction with COMMIT: two
round trips of the four a signed-in page makes (BEGIN, the member, the page, COMMIT), each a wake-up of the
database server. A GET or HEAD request's connection runs its plain SELECTs in autocommit instead. The first
statement that is anything else — an INSERT, UPDATE or DELETE (also inside a WITH), a SELECT … FOR UPDATE or FOR
SHARE, an advisory lock, a sequence or setting function, a savepoint, any statement that does not start with
SELECT or WITH — is preceded by BEGIN, so that it and everything after it run in one transaction, committed or
rolled back by the request exactly as before.

A plain SELECT outside a transaction sees the data committed when it starts: what it sees inside a READ COMMITTED
transaction, PostgreSQL's default and this app's. SQLite's driver already works this way (BEGIN before the first
write). Nothing changes for POST requests, CLI commands and background threads.
"""

import re
from functools import lru_cache

from flask import has_request_context, request
from sqlalchemy import event

from network.extensions import db

DEFERRED = "network.begin_deferred"  # in the pool record's info: this checkout runs plain SELECTs in autocommit
READ_METHODS = frozenset({"GET", "HEAD"})
IDLE = 0  # psycopg.pq.TransactionStatus.IDLE, no transaction open (not imported: SQLite deployments load this module)

_NOT_A_PLAIN_READ = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|LOCK|NEXTVAL|SETVAL|SET_CONFIG|PG_ADVISORY\w*|PG_NOTIFY)\b"
    r"|\bFOR\s+(NO\s+KEY\s+UPDATE|KEY\s+SHARE|SHARE)\b",
    re.IGNORECASE)


@lru_cache(maxsize=2048)  # the texts of the app's compiled statements: the same string objects, request after request
def is_plain_select(statement: str) -> bool:
    """A SELECT (or WITH … SELECT) that neither writes, locks nor calls a function with a side effect."""
    head = statement.lstrip()[:6].upper()
    if head != "SELECT" and not head.startswith("WITH"):
        return False
    return _NOT_A_PLAIN_READ.search(statement) is None


def install_deferred_begin(app) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    # db.session is one per process, while apps may be several (tests, CLI): listen once.
    if not event.contains(db.session, "after_begin", _defer_begin_on_reads):
        event.listen(db.session, "after_begin", _defer_begin_on_reads)

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_anything_but_a_plain_select(connection, cursor, statement, _parameters, context, _many):
        if not connection.info.get(DEFERRED) or is_plain_select(statement):
            return
        if connection.connection.dbapi_connection.info.transaction_status == IDLE:
            cursor.execute("BEGIN")

    @event.listens_for(engine, "checkin")
    def _transactional_again(dbapi_connection, record):
        if record is None or not record.info.pop(DEFERRED, False) or dbapi_connection is None:
            return
        try:
            dbapi_connection.autocommit = False  # the pool rolled back whatever was open: the connection is idle
        except Exception as error:  # never hand out a connection left in autocommit: drop it instead
            record.invalidate(error)


def began_nothing(connection) -> bool:
    """Whether `connection` (a SQLAlchemy Connection) deferred BEGIN and no statement has needed it yet: there is no
    transaction on the server to end (the session's close releases the connection without a round trip)."""
    return bool(connection.info.get(DEFERRED)) and (
        connection.connection.dbapi_connection.info.transaction_status == IDLE)


def _defer_begin_on_reads(session, _transaction, connection) -> None:
    if connection.dialect.name != "postgresql" or not has_request_context() or request.method not in READ_METHODS:
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection.info.transaction_status != IDLE:
        return  # a transaction is already open (the idle ping's): this request keeps it
    dbapi_connection.autocommit = True
    connection.info[DEFERRED] = True
