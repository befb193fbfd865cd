"""PostgreSQL cursors build their description's Column objects only when one is read, and describe the result they
were taken from as psycopg's own description does; psycopg keeps the conversion of the app's long statements."""

import psycopg
import pytest
from sqlalchemy import bindparam, select

from network.extensions import db
from network.members.models import Network
from network.pg_cursor import LONGEST_KEPT_STATEMENT, Cursor, LazyDescription


@pytest.fixture
def dbapi_connection(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's cursors and statement cache exist on PostgreSQL only: SQLite's driver describes its "
                    "results and passes its statements itself, and the app installs neither on SQLite")
    return db.session.connection().connection.dbapi_connection


def described(cursor) -> list[tuple]:
    return [(column.name, column.type_code, column.internal_size) for column in cursor.description]


def test_description_is_psycopgs_built_when_read(dbapi_connection, network):
    query = "SELECT id, slug, name, created_at FROM networks"
    ours, psycopgs = dbapi_connection.cursor(), psycopg.Cursor(dbapi_connection)
    ours.execute(query)
    psycopgs.execute(query)
    description = ours.description

    assert type(ours) is Cursor and type(description) is LazyDescription
    assert description._columns is None and len(description) == 4  # nothing built to answer len()
    assert described(ours) == described(psycopgs)
    assert [column.name for column in description] == ["id", "slug", "name", "created_at"]
    assert description[1].type_code == psycopgs.description[1].type_code and description[-1].name == "created_at"

    ours.execute("SELECT 1 AS one, 'deux' AS two")  # the cursor moves on: the description kept still tells its own
    assert [column.name for column in description] == ["id", "slug", "name", "created_at"]
    assert [column.name for column in ours.description] == ["one", "two"]

    ours.execute("SELECT")  # rows without columns: an empty description, as psycopg gives
    psycopgs.execute("SELECT")
    assert (list(ours.description), psycopgs.description) == ([], [])
    ours.execute("UPDATE networks SET name = name WHERE id = -1")  # no rows: no description
    assert ours.description is None


def test_sqlalchemy_reads_rows_through_it(dbapi_connection, network):
    statement = select(Network.slug, Network.name).where(Network.id == network.id)
    for _ in range(3):  # the first run builds SQLAlchemy's result columns from the description, the others reuse them
        row = db.session.execute(statement).one()

    assert (row.slug, row.name) == (network.slug, network.name)
    assert db.session.execute(statement).mappings().one() == {"slug": network.slug, "name": network.name}


def test_psycopg_keeps_the_conversion_of_the_apps_long_statements(dbapi_connection, network):
    """A statement longer than psycopg's own limit (4,096 characters; the meeting page's is 4,627) is converted once
    (`%(name)s` → `$1`), then found in psycopg's cache."""
    from psycopg._queries import _query2pg

    statement = (select(Network.slug).where(Network.id == bindparam("network_id"))
                 .prefix_with(f"/* {'x' * 5000} */"))
    assert 4096 < len(str(statement.compile(db.engine))) <= LONGEST_KEPT_STATEMENT
    db.session.execute(statement, {"network_id": network.id})
    before = _query2pg.cache_info()
    for _ in range(2):
        assert db.session.execute(statement, {"network_id": network.id}).scalar_one() == network.slug
    after = _query2pg.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (2, 0)
