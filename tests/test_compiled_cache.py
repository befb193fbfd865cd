"""SQLAlchemy's cache of compiled statements finds a statement built once by the identity of its memoized cache key,
without hashing it, and every other statement by value, as before."""

from sqlalchemy import bindparam, select

from network import create_app
from network.compiled_cache import CompiledCache
from network.members.models import Network
from tests import factories


class CountedHash:
    """A part of a cache key that counts how often it is hashed (Python hashes a tuple's parts every time)."""

    def __init__(self):
        self.hashed = 0

    def __hash__(self):
        self.hashed += 1
        return 7

    def __eq__(self, other):
        return isinstance(other, CountedHash)


def _key(part, columns=("x",)):
    return ("dialect", (part,), columns, False, False)


def test_the_same_key_object_is_found_without_hashing_it():
    part = CountedHash()
    key = _key(part)
    cache = CompiledCache()
    cache[key] = "compiled"
    hashed_when_stored = part.hashed
    assert [cache.get(key) for _ in range(3)] == ["compiled"] * 3
    assert part.hashed == hashed_when_stored


def test_an_equal_key_built_anew_is_found_by_value():
    part = CountedHash()
    cache = CompiledCache()
    cache[_key(part)] = "compiled"
    hashed_when_stored = part.hashed
    assert cache.get(_key(part)) == "compiled"  # another tuple around the same part: looked up by value
    assert part.hashed == hashed_when_stored + 1


def test_other_column_keys_are_another_compiled_statement():
    part = CountedHash()
    cache = CompiledCache()
    statement_key = (part,)
    cache[("dialect", statement_key, ("x",), False, False)] = "with x"
    assert cache.get(("dialect", statement_key, ("x", "y"), False, False)) is None
    assert cache.get(("dialect", statement_key, ("x", "y"), False, False), "absent") == "absent"


def test_past_its_size_statements_are_still_found_by_value():
    cache = CompiledCache(size=2)
    parts = [CountedHash() for _ in range(3)]
    keys = [_key(part) for part in parts]
    for number, key in enumerate(keys):
        cache[key] = f"compiled {number}"
    assert [cache.get(key) for key in keys] == ["compiled 0", "compiled 1", "compiled 2"]
    assert parts[2].hashed >= 2  # the third was not remembered by identity: its lookup hashed it


def test_each_app_has_its_own_cache_and_a_statement_built_once_binds_each_execution(app, db):
    first, second = factories.create_network(), factories.create_network()
    db.session.commit()
    built_once = select(Network.slug).where(Network.id == bindparam("network_id"))
    cache = db.engine.get_execution_options()["compiled_cache"]
    assert isinstance(cache, CompiledCache)
    slugs = [db.session.connection().execute(built_once, {"network_id": network.id}).scalar_one()
             for network in (first, second, first)]
    assert slugs == [first.slug, second.slug, first.slug]
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with other.app_context():
        other_cache = db.engine.get_execution_options()["compiled_cache"]
        db.session.remove()
    assert isinstance(other_cache, CompiledCache) and other_cache is not cache
