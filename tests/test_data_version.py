"""The data version (raised by every committed write) and the per-worker caches keyed by it."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, event, update

from network import create_app
from network.data_version import DataVersion, VersionedCache, current_data_version, ensure_data_version_row
from network.database import utcnow
from network.evaluation.periods import PARIS
from network.extensions import db
from network.members.models import Network
from network.sessions.models import Attendance
from tests import factories
from tests.evaluation.conftest import create_meeting, invite_and_record

THIS_YEAR = utcnow().astimezone(PARIS).year


@pytest.fixture
def raises(app):
    """How many times this thread raised the data version (the outbox sender's thread may raise it too)."""
    thread, count = threading.get_ident(), [0]

    def listener(_conn, _cursor, statement, _parameters, _context, _executemany):
        if threading.get_ident() == thread and statement.startswith("UPDATE data_versions SET version"):
            count[0] += 1

    event.listen(db.engine, "before_cursor_execute", listener)
    yield lambda: count[0]
    event.remove(db.engine, "before_cursor_execute", listener)


def test_a_committed_write_raises_the_version(db, raises):
    before = current_data_version()

    factories.create_network()

    assert raises() == 1
    assert current_data_version() >= before + 1


def test_another_app_in_the_process_does_not_raise_it_twice(app, db, raises):
    create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    factories.create_network()

    assert raises() == 1


def test_several_flushes_in_one_transaction_raise_it_once(db, network, raises):
    network.name = "Premier nom"
    db.session.flush()
    db.session.execute(update(Network).where(Network.id == network.id).values(name="Second nom"))
    db.session.commit()

    assert raises() == 1


def test_reads_and_rollbacks_leave_it_alone(client, login, facilitator, raises):
    login(facilitator)
    after_login = raises()

    assert client.get("/membres").status_code == 200
    facilitator.first_name = "Jamais enregistré"
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing written since the rollback

    assert after_login == 1  # the login wrote its session row
    assert raises() == 1


def test_cache_computes_once_per_version(db, network):
    cache, calls = VersionedCache(), []

    def compute():
        calls.append(1)
        return len(calls)

    first, second = cache.get_or_compute("clé", compute), cache.get_or_compute("clé", compute)
    network.name = "Renommé"
    db.session.commit()
    third = cache.get_or_compute("clé", compute)

    assert (first, second, third) == (1, 1, 2)


def test_cache_keeps_at_most_maxsize_entries(db):
    cache, calls = VersionedCache(maxsize=2), []

    def compute_for(key):
        return lambda: calls.append(key) or key

    for key in ("a", "b", "c", "a"):  # "a" was evicted by "c"
        cache.get_or_compute(key, compute_for(key))

    assert calls == ["a", "b", "c", "a"]


def test_without_the_row_nothing_is_cached(db):
    db.session.execute(delete(DataVersion))
    db.session.commit()
    cache, calls = VersionedCache(), []
    try:
        for _ in range(2):
            cache.get_or_compute("clé", lambda: calls.append(1) or "valeur")
        peeked = cache.peek("clé")
    finally:
        ensure_data_version_row()
        db.session.commit()

    assert calls == [1, 1]
    assert peeked == (None, None)


def test_peek_reads_the_latest_version_without_beginning_the_session(db, network, count_queries):
    cache, version = VersionedCache(), current_data_version()
    db.session.commit()
    with count_queries(cached=True) as counter:
        missing = cache.peek("clé")
    began = db.session().in_transaction()
    cache.get_or_compute("clé", lambda: "valeur", version=missing[0])
    kept = cache.peek("clé")
    network.name = "Renommé"
    db.session.commit()

    assert missing == (version, None)
    assert counter.count == 1 and not began
    assert kept == (version, "valeur")
    assert cache.peek("clé") == (version + 1, None)


def test_nothing_is_kept_for_none(db):
    cache, calls = VersionedCache(), []
    for _ in range(2):
        cache.get_or_compute("inconnu", lambda: calls.append(1))

    assert calls == [1, 1]


@pytest.fixture
def attended_meeting(network, facilitator):
    members = [factories.create_member(network=network) for _ in range(4)]
    meeting = create_meeting(network, datetime(THIS_YEAR, 1, 10, 9, tzinfo=UTC))
    invite_and_record(meeting, {member: "present" if index < 2 else "absent" for index, member in enumerate(members)})
    return meeting, members


def test_dashboard_is_served_from_the_cache_until_a_write(client, login, facilitator, attended_meeting,
                                                         count_queries):
    meeting, members = attended_meeting
    login(facilitator)
    client.get("/")  # the welcome message: a page is not cached while a message waits
    with count_queries() as computed:
        first = client.get("/evaluation/").get_data(as_text=True)
    with count_queries(cached=True) as cached:
        second = client.get("/evaluation/").get_data(as_text=True)

    db.session.execute(update(Attendance).where(Attendance.meeting_id == meeting.id,  # a committed write
                                                Attendance.member_id == members[2].id).values(status="present"))
    db.session.commit()
    third = client.get("/evaluation/").get_data(as_text=True)

    assert "2 sur 4" in first and "2 sur 4" in second and "2 sur 4" not in third
    assert "3 sur 4" in third
    assert computed.count == 19  # 16 for the figures (« ressources partagées » included), the territories, the data
    # version (page, then figures)
    # the data version only: the whole page, served before the member is loaded
    assert [statement.split()[1] for statement in cached.statements] == ["data_versions.version"]


def test_result_cache_setting_off_computes_every_time(app, db):
    cache, calls = VersionedCache(), []
    app.config["RESULT_CACHE"] = False
    try:
        for _ in range(2):
            cache.get_or_compute("clé", lambda: calls.append(1))
    finally:
        app.config["RESULT_CACHE"] = True

    assert calls == [1, 1]
