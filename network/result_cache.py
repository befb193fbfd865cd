"""Per-worker caches of results computed from one network's data, kept while that network's version
(network/network_versions.py) is unchanged: a write in one network never drops another network's results.

A result that reads every network (the national report) is kept under every network's version. Values must be
plain data (no ORM instances): they outlive the session that computed them. RESULT_CACHE=0 turns it all off."""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

from network.network_versions import EVERY_NETWORK, every_network_version, network_version

T = TypeVar("T")
UNREAD = object()  # get_or_compute(version=UNREAD), the default: read the network's version


class ResultCache:
    """An LRU of results keyed by (network, its version, key), at most `maxsize` of them."""

    _all: "weakref.WeakSet[ResultCache]" = weakref.WeakSet()

    def __init__(self, maxsize: int = 64):
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()
        ResultCache._all.add(self)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], *, network: int | str,
                       version: object = UNREAD) -> T:
        """The result kept for `network` (an id, or EVERY_NETWORK) at its current version and `key`, else compute(),
        kept unless None. One statement (the version) on a hit; `version`: one the caller has just read."""
        if not current_app.config["RESULT_CACHE"]:
            return compute()
        if version is UNREAD:
            version = every_network_version() if network == EVERY_NETWORK else network_version(network)
        entry_key = (network, version, key)
        with self._lock:
            if entry_key in self._entries:
                self._entries.move_to_end(entry_key)
                return self._entries[entry_key]
        value = compute()
        if value is not None:
            with self._lock:
                self._entries[entry_key] = value
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_all_caches() -> None:
    """Empty every ResultCache of this process (the query-count tests measure the pages' own queries)."""
    for cache in list(ResultCache._all):
        cache.clear()
