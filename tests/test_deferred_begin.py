"""GET and HEAD requests on PostgreSQL run their plain SELECTs outside a transaction (no BEGIN, no COMMIT round
trip); the first statement that writes or locks opens the transaction, which the request commits or rolls back
as before. POST requests, CLI commands and app contexts outside a request are unchanged."""

import pytest
from flask import has_request_context
from psycopg.pq import TransactionStatus
from sqlalchemy import event, func, select, text, update

from network.deferred_begin import is_plain_select
from network.extensions import db
from network.members.models import Network

IDLE, IN_TRANSACTION = "idle", "in transaction"


@pytest.fixture
def postgresql(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("deferring BEGIN is PostgreSQL's: on SQLite the driver already begins only before the first write")


@pytest.fixture
def statuses(app):
    """(statement's first word, the server's transaction status right after it) for every statement a request
    runs."""
    seen = []

    def after(connection, _cursor, statement, _parameters, _context, _many):
        if not has_request_context() or connection.get_execution_options().get("unobserved"):
            return
        status = connection.connection.dbapi_connection.info.transaction_status
        seen.append((statement.split(None, 1)[0].upper(), IDLE if status == TransactionStatus.IDLE else IN_TRANSACTION))

    event.listen(db.engine, "after_cursor_execute", after)
    yield seen
    event.remove(db.engine, "after_cursor_execute", after)


def network_name(network_id: int) -> str:
    """The name as another connection sees it."""
    with db.engine.connect().execution_options(unobserved=True) as connection:
        return connection.scalar(select(Network.name).where(Network.id == network_id))


def test_signed_in_page_reads_outside_a_transaction(postgresql, client, login, facilitator, statuses):
    login(facilitator)
    statuses.clear()

    response = client.get("/profil")

    assert response.status_code == 200
    assert len(statuses) >= 2  # the member, then the page
    assert set(statuses) == {("SELECT", IDLE)}


def test_post_request_runs_in_a_transaction_from_its_first_statement(postgresql, client, login, facilitator,
                                                                       statuses):
    login(facilitator)
    statuses.clear()

    response = client.post("/profil", data={"first_name": ""})  # refused: the form comes back

    assert response.status_code == 200
    assert statuses[0] == ("SELECT", IN_TRANSACTION)


def test_write_in_a_read_request_opens_the_transaction_and_is_rolled_back(postgresql, app, network, statuses):
    network_id, name = network.id, network.name
    db.session.commit()
    statuses.clear()
    with app.app_context(), app.test_request_context("/", method="GET"):
        assert db.session.scalar(select(func.count(Network.id))) == 1
        db.session.execute(update(Network).where(Network.id == network_id).values(name="Jamais validé"))
        assert db.session.scalar(select(Network.name).where(Network.id == network_id)) == "Jamais validé"
        assert network_name(network_id) == name  # other connections do not see it: it is in a transaction

    assert statuses == [("SELECT", IDLE), ("UPDATE", IN_TRANSACTION), ("SELECT", IN_TRANSACTION)]
    assert network_name(network_id) == name


def test_write_in_a_read_request_is_committed_when_the_request_commits(postgresql, app, network, statuses):
    network_id = network.id
    db.session.commit()
    with app.app_context(), app.test_request_context("/", method="GET"):
        db.session.execute(update(Network).where(Network.id == network_id).values(name="Validé"))
        db.session.commit()
        assert db.session.scalar(select(Network.name).where(Network.id == network_id)) == "Validé"

    # the UPDATE, the network's version raised in the same transaction, then a read after COMMIT: outside again
    assert statuses == [("UPDATE", IN_TRANSACTION), ("INSERT", IN_TRANSACTION), ("SELECT", IDLE)]
    assert network_name(network_id) == "Validé"


def test_locking_select_runs_in_a_transaction(postgresql, app, network, statuses):
    network_id = network.id
    db.session.commit()
    with app.app_context(), app.test_request_context("/", method="HEAD"):
        db.session.scalar(select(Network.id).where(Network.id == network_id).with_for_update())

    assert statuses == [("SELECT", IN_TRANSACTION)]


def test_connection_back_in_the_pool_is_transactional_again(postgresql, app, network, statuses):
    db.session.commit()
    db.session.remove()
    db.engine.dispose()  # one connection in the pool: the request's, then the app context's
    with app.app_context(), app.test_request_context("/", method="GET"):
        read_in_request = db.session.connection().connection.driver_connection
        db.session.scalar(select(Network.id))
    with app.app_context():
        read_after = db.session.connection().connection.driver_connection
        db.session.scalar(select(Network.id))
        assert read_after.autocommit is False
        assert read_after.info.transaction_status == TransactionStatus.INTRANS  # psycopg sent BEGIN first

    assert read_after is read_in_request
    assert statuses == [("SELECT", IDLE)]


def test_read_request_that_began_nothing_ends_without_commit_and_keeps_prepared_statements(
        postgresql, app, client, login, facilitator):
    login(facilitator)
    db.session.remove()
    db.engine.dispose()  # one connection in the pool: every request below, then the check, use it
    ends = []
    listeners = {name: (lambda _conn, name=name: ends.append(name)) for name in ("commit", "rollback")}
    for name, listener in listeners.items():
        event.listen(db.engine, name, listener)
    try:
        for _ in range(6):  # psycopg prepares a statement on its 5th run on a connection
            assert client.get("/profil").status_code == 200
    finally:
        for name, listener in listeners.items():
            event.remove(db.engine, name, listener)
    with app.app_context():
        prepared = db.session.scalars(select(func.count()).select_from(text("pg_prepared_statements"))
                                      .where(text("statement LIKE '%login_sessions.token = $1%'"))).all()

    assert "commit" not in ends  # the session's close ended each request: psycopg sends nothing when idle
    assert prepared == [1]  # the member's statement, prepared once and kept from request to request


@pytest.mark.parametrize("statement, plain", [
    ("SELECT members.id FROM members WHERE members.id = %(id)s", True),
    ("  WITH pooled AS (SELECT 1 AS n) SELECT n FROM pooled", True),
    ("SELECT members.updated_at, last_update, is_deleted FROM members", True),
    ("SELECT invitations.id FROM invitations WHERE invitations.id = 1 FOR UPDATE OF invitations", False),
    ("SELECT topic_votes.status FROM topic_votes FOR SHARE", False),
    ("SELECT x FROM t FOR NO KEY UPDATE", False),
    ("SELECT pg_advisory_xact_lock(%(lock)s)", False),
    ("SELECT nextval('members_id_seq')", False),
    ("WITH moved AS (UPDATE meetings SET status = 'held' RETURNING id) SELECT id FROM moved", False),
    ("INSERT INTO ballots (vote_id) VALUES (1) RETURNING id", False),
    ("UPDATE networks SET name=networks.name WHERE networks.id = 1", False),
    ("DELETE FROM sessions", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("ANALYZE", False),
])
def test_plain_select(statement, plain):
    assert is_plain_select(statement) is plain
