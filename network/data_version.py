"""The data version: one number that every committed write raises, so that each worker may keep what it computed
from the database and know, with one cheap read, whether that is still what the database says.

The number lives in the database (one row), because the workers share nothing else. It is raised inside the
writing transaction, just before its COMMIT, so a reader that sees the new number also sees the new data."""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import BigInteger, event, select, text
from sqlalchemy.orm import Mapped, mapped_column

from network.database import transaction_wrote
from network.extensions import db

ROW_ID = 1
_RAISE = text(f"UPDATE data_versions SET version = version + 1 WHERE id = {ROW_ID}")

T = TypeVar("T")
UNREAD = object()  # get_or_compute(version=UNREAD), the default: read the version


class DataVersion(db.Model):
    """A single row (id 1), created by the migration; without it nothing is cached."""

    __tablename__ = "data_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


def _raise_on_write(session) -> None:
    session.flush()  # the commit's own flush comes after this hook: its writes must count
    if transaction_wrote(session):
        session.execute(_RAISE)


def install_data_version() -> None:
    # db.session is one per process, while apps may be several (tests, CLI): listen once.
    if not event.contains(db.session, "before_commit", _raise_on_write):
        event.listen(db.session, "before_commit", _raise_on_write)


# Built once: it runs on every request that may be served from a cache.
_CURRENT = select(DataVersion.version).where(DataVersion.id == ROW_ID)


def current_data_version() -> int | None:
    # on the session's connection: no ORM result processing (a third of the cost of a cached page's lookup)
    return db.session.connection().execute(_CURRENT).scalar()


def latest_data_version() -> int | None:
    """The data version read on a connection of its own, outside the session's transaction and in autocommit:
    on PostgreSQL one statement instead of BEGIN, SELECT, COMMIT (what a page served from the cache runs)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(_CURRENT).scalar()


def ensure_data_version_row() -> None:
    """For databases made by create_all (the tests): the migration inserts the row elsewhere."""
    if current_data_version() is None:
        db.session.add(DataVersion(id=ROW_ID, version=0))


class VersionedCache:
    """A per-process LRU of values computed from the database, valid while the data version is unchanged.

    Values must be plain data (no ORM instances): they outlive the session that computed them."""

    _all: "weakref.WeakSet[VersionedCache]" = weakref.WeakSet()

    def __init__(self, maxsize: int = 64):
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()
        VersionedCache._all.add(self)

    def peek(self, key: Hashable) -> tuple[int | None, object | None]:
        """(the latest data version, the value cached under it and `key` or None). Nothing is computed and the
        session's transaction is not begun: a hit touches the database once. The version is None when caching
        is off (RESULT_CACHE=0) or the row is missing."""
        version = latest_data_version() if current_app.config["RESULT_CACHE"] else None
        return version, (None if version is None else self._get((version, key)))

    def get_or_compute(self, key: Hashable, compute: Callable[[], T],
                       keep: Callable[[T], bool] = lambda _value: True, *, version: int | None | object = UNREAD) -> T:
        """The value cached under the current data version and `key`, else compute(), kept if it is not None
        and keep(value). `version`: the one this request has just read (from peek), instead of reading it again."""
        if version is UNREAD:
            version = current_data_version() if current_app.config["RESULT_CACHE"] else None
        if version is None:
            return compute()
        entry_key = (version, key)
        value = self._get(entry_key)
        if value is not None:
            return value
        value = compute()
        if value is None or not keep(value):
            return value
        with self._lock:
            self._entries[entry_key] = value
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return value

    def _get(self, entry_key: tuple) -> object | None:
        with self._lock:
            if entry_key in self._entries:
                self._entries.move_to_end(entry_key)
                return self._entries[entry_key]
        return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_all_caches() -> None:
    """Empty every VersionedCache of this process (the query-count tests measure the pages' own queries)."""
    for cache in list(VersionedCache._all):
        cache.clear()
