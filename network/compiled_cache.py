"""SQLAlchemy's cache of compiled statements, looked up without hashing the statements built once.

At every execution SQLAlchemy finds the statement's compiled form by the statement's cache key: a tuple nested as
deep as the statement, which Python hashes anew at each lookup (it keeps no tuple's hash). The meeting page's
statement takes 11 µs to hash in-process; under load, with two cores shared by four workers and PostgreSQL, the
lookups were 3 % of a worker's CPU (py-spy --gil, meeting pages of many members).

The busy statements are built once (module constants and lru_cache'd builders), and SQLAlchemy memoizes a
statement's cache key on the statement: the same key object comes back at every execution. This cache finds a
compiled statement by that object's identity first — the stored key keeps the object alive, so its id cannot be
reused — and by value otherwise, exactly as SQLAlchemy's own cache does. Statements built anew at each call are
found by value, as before."""

from sqlalchemy.util import LRUCache

SIZE = 500  # SQLAlchemy's default query_cache_size


class CompiledCache:
    """A `compiled_cache` execution option (SQLAlchemy calls `get` and item assignment only): one per engine."""

    def __init__(self, size: int = SIZE):
        self._by_value = LRUCache(size)
        self._by_identity: dict[int, tuple] = {}  # id(statement's cache key) → (full key, compiled)
        self._size = size

    def get(self, key, default=None):
        # key = (dialect, statement's cache key, column keys, has a schema map, for executemany)
        kept = self._by_identity.get(id(key[1]))
        if kept is not None and kept[0] == key:  # the same cache key object: compared by identity, not walked
            return kept[1]
        return self._by_value.get(key, default)

    def __setitem__(self, key, compiled) -> None:
        self._by_value[key] = compiled
        if len(self._by_identity) < self._size:  # the first statements compiled: the app's, built once
            self._by_identity[id(key[1])] = (key, compiled)
