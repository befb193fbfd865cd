"""PostgreSQL cursors whose `description` builds its Column objects only when one is read; psycopg's conversion of the
app's longer statements kept.

SQLAlchemy reads the cursor's description after every statement. Once a compiled statement has run, SQLAlchemy keeps
its result columns, and from then on it only checks that the description is not None (the statement returned
rows). psycopg built a Column object for every column of every result to answer that: 66 per signed-in meeting
page (the member, 27 columns; the page, 39), 9 % of the page's instructions.

The description here is None, empty or not, and of the same length, exactly when psycopg's would be. Reading an
item builds psycopg's own Column objects, for the result the description was taken from, even when the cursor has
run another statement since.

psycopg turns a statement's placeholders (`%(name)s`) into PostgreSQL's (`$1`) with a regular expression, and keeps
the result only for statements of up to 4,096 characters, so that a program generating ever new long statements
(INSERT … VALUES with a varying number of rows) does not fill its cache. The app's statements are each built once,
and a few are longer: the meeting page's (4,627 characters) and the dashboard's attendance (4,308) were converted
again on every request, 5 % of a meeting page. The limit is raised for them; the cache still holds 128 statements
at most, and statements with more than 50 parameters are still converted each time."""

from collections.abc import Sequence
from types import SimpleNamespace

import psycopg
import psycopg._queries
from psycopg import pq
from sqlalchemy import event
from sqlalchemy.engine import Engine

LONGEST_KEPT_STATEMENT = 16_384  # characters: the app's longest statement is under a third of it

# The statuses of a result with rows, as psycopg's own description tests them (TUPLES_CHUNK: psycopg 3.2 and later).
_ROWS = frozenset(status for status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE,
                                        getattr(pq.ExecStatus, "TUPLES_CHUNK", None)) if status is not None)


class LazyDescription(Sequence):
    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: psycopg.Cursor, result: pq.abc.PGresult):
        self._cursor, self._result, self._columns = cursor, result, None

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):
        if self._columns is None:
            self._columns = self._built()
        return self._columns[index]

    def __repr__(self) -> str:
        return repr(list(self))

    def _built(self) -> list[psycopg.Column]:
        cursor = self._cursor
        if cursor.pgresult is not self._result:  # the cursor has moved on: read the result this describes
            cursor = SimpleNamespace(pgresult=self._result, adapters=cursor.adapters,
                                     _encoding=cursor.connection.info.encoding)
        return [psycopg.Column(cursor, index) for index in range(self._result.nfields)]


class Cursor(psycopg.Cursor):
    @property
    def description(self) -> LazyDescription | None:
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):
            return LazyDescription(self, result)
        return None


def install_lazy_descriptions(engine: Engine) -> None:
    """Every connection of `engine` (PostgreSQL's) makes its cursors with this module's Cursor. Imported only by
    PostgreSQL deployments: a SQLite worker does not load psycopg (~9 MB)."""

    @event.listens_for(engine, "connect")
    def _lazy_descriptions(dbapi_connection, _record):
        dbapi_connection.cursor_factory = Cursor


def keep_long_statement_conversions() -> None:
    """psycopg keeps the conversion of statements of up to LONGEST_KEPT_STATEMENT characters (PostgreSQL
    deployments only)."""
    queries = psycopg._queries
    queries.MAX_CACHED_STATEMENT_LENGTH = max(queries.MAX_CACHED_STATEMENT_LENGTH, LONGEST_KEPT_STATEMENT)
