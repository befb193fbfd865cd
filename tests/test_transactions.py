"""How an app context ends its transaction: COMMIT when it only read (psycopg keeps its prepared statements),
ROLLBACK whenever something was written and not committed, or an exception ended it."""

import pytest
from sqlalchemy import event, func, select, text, update

from network.database import lock_row
from network.extensions import db
from network.members.models import Network
from tests import factories


@pytest.fixture
def transaction_ends(app):
    """The list of 'commit' / 'rollback' calls made on the engine's connections."""
    ends = []
    listeners = {name: (lambda _conn, name=name: ends.append(name)) for name in ("commit", "rollback")}
    for name, listener in listeners.items():
        event.listen(db.engine, name, listener)
    yield ends
    for name, listener in listeners.items():
        event.remove(db.engine, name, listener)


def network_count() -> int:
    return db.session.scalar(select(func.count(Network.id)))


def test_read_only_request_ends_with_commit_where_it_began_a_transaction(db, client, login, facilitator,
                                                                          transaction_ends):
    login(facilitator)
    transaction_ends.clear()

    response = client.get("/profil")

    assert response.status_code == 200
    # On PostgreSQL a GET's reads ran outside a transaction (network.deferred_begin): the session's close ends
    # the request, which psycopg does not send (tests/test_deferred_begin.py)
    assert transaction_ends == (["rollback"] if db.engine.dialect.name == "postgresql" else ["commit"])


def test_read_only_app_context_ends_with_commit(app, transaction_ends):
    with app.app_context():
        assert network_count() == 0

    assert transaction_ends == ["commit"]


def test_flushed_orm_write_is_rolled_back(app, transaction_ends):
    with app.app_context():
        db.session.add(Network(slug="brouillon", name="Réseau jamais validé", department_code="62",
                               mailbox_email="r@example.org"))
        db.session.flush()  # written but not committed: session.new is empty again
        assert network_count() == 1

    assert transaction_ends == ["rollback"]
    assert network_count() == 0


def test_core_update_is_rolled_back(app, network, transaction_ends):
    with app.app_context():
        db.session.execute(update(Network).where(Network.id == network.id).values(name="Renommé sans commit"))
    db.session.expire_all()

    assert transaction_ends == ["rollback"]
    assert db.session.get(Network, network.id).name == network.name != "Renommé sans commit"


def test_text_statement_counts_as_a_write(app, network, transaction_ends):
    with app.app_context():
        db.session.execute(text("UPDATE networks SET name = 'Renommé en SQL' WHERE id = :id"), {"id": network.id})
    db.session.expire_all()

    assert transaction_ends == ["rollback"]
    assert db.session.get(Network, network.id).name == network.name != "Renommé en SQL"


def test_row_lock_then_reads_is_rolled_back(app, network, transaction_ends):
    with app.app_context():
        lock_row(Network, network.id)
        assert network_count() == 1

    assert transaction_ends == ["rollback"]


def test_pending_change_is_not_committed(app, network, transaction_ends):
    with app.app_context():
        assert network_count() == 1  # a read opens the transaction
        db.session.get(Network, network.id).name = "Modifié, jamais flushé"
        db.session.autoflush = False

    db.session.expire_all()
    assert transaction_ends == ["rollback"]
    assert db.session.get(Network, network.id).name == network.name


def test_exception_ends_with_rollback(app, transaction_ends):
    with pytest.raises(RuntimeError), app.app_context():
        assert network_count() == 0
        raise RuntimeError("boom")

    assert transaction_ends == ["rollback"]


def test_prepared_statements_survive_between_requests_on_postgresql(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements exist on PostgreSQL only")
    factories.create_network(slug="prepare-me")
    db.session.remove()
    db.engine.dispose()  # an empty pool and no connection held by the test: every context below gets the same one
    marker = select(Network.id.label("prepared_statement_marker")).where(Network.slug == "prepare-me")
    drivers = set()
    for _ in range(6):  # psycopg prepares a statement on its 5th run on a connection
        with app.app_context():
            drivers.add(id(db.session.connection().connection.driver_connection))
            assert db.session.scalar(marker) is not None

    with app.app_context():
        drivers.add(id(db.session.connection().connection.driver_connection))
        prepared = db.session.scalars(text(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%AS prepared_statement_marker%'"
        )).all()

    assert len(drivers) == 1
    assert len(prepared) == 1


def test_the_row_lock_sets_a_plain_column_to_itself_not_the_primary_key(network, count_queries):
    # SQLite, its foreign keys on, looks for every row referring to a primary key that is set, even to itself
    # (1.2 ms for a meeting of the national data): the no-op UPDATE sets a column no key involves.
    network_id, name = network.id, network.name
    with count_queries() as counter:
        lock_row(Network, network_id)
    [statement] = counter.statements
    assert " ".join(statement.split()).startswith("UPDATE networks SET name=networks.name WHERE networks.id = ")
    db.session.rollback()
    assert db.session.get(Network, network_id).name == name
