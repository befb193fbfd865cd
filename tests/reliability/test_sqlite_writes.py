"""Reliability on the embedded database: concurrent writers and a SIGKILL in the middle of writes."""

import sqlite3
from http.client import HTTPException
import threading
import time

from tests.reliability.conftest import HttpSession

WRITERS = 32
WRITES_PER_WRITER = 5


def _create_members(base, writer, count, acknowledged, statuses, stop=None):
    session = HttpSession(base)
    try:
        session.login("animatrice@example.test")
    except (OSError, HTTPException, AssertionError):
        return  # the server was killed before this writer signed in
    for n in range(count):
        if stop is not None and stop.is_set():
            return
        email = f"w{writer:02d}-{n:03d}@example.org"
        try:
            status, location, _ = session.post("/membres/nouveau", {
                "first_name": "Écrivain", "last_name": f"N{writer}-{n}", "email": email, "role": "coordinator",
                "institution_id": "", "territory_id": "", "phone": "", "job_title": "", "joined_on": ""})
        except (OSError, HTTPException):
            return  # the server was killed mid-request: this write was never acknowledged
        statuses.append(status)
        if status == 302 and location.startswith("/membres/"):
            acknowledged.append(email)


def test_32_concurrent_writers_get_no_server_error(served_app):
    acknowledged, statuses = [], []
    threads = [threading.Thread(target=_create_members, args=(served_app.base, w, WRITES_PER_WRITER, acknowledged, statuses))
               for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(set(statuses)) == [302]
    assert len(acknowledged) == WRITERS * WRITES_PER_WRITER
    database = sqlite3.connect(served_app.database)
    assert database.execute("select count(*) from members where email like 'w%@example.org'").fetchone() == (160,)
    database.close()


def test_sigkill_during_writes_loses_no_acknowledged_write(served_app):
    acknowledged, statuses, stop = [], [], threading.Event()
    threads = [threading.Thread(target=_create_members, args=(served_app.base, w, 200, acknowledged, statuses, stop))
               for w in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 50 and time.monotonic() < deadline:  # kill mid-load, whatever the machine's speed
        time.sleep(0.05)
    served_app.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    database = sqlite3.connect(served_app.database)
    assert database.execute("pragma integrity_check").fetchone() == ("ok",)
    stored = {email for (email,) in database.execute("select email from members where email like 'w%@example.org'")}
    assert len(acknowledged) > 0, "no write was acknowledged before the kill"
    print(f"acknowledged={len(acknowledged)} stored={len(stored)}")
    assert set(acknowledged) <= stored
    # Each member row came with its invitation email and its audit row, or not at all.
    outbox = {to for (to,) in database.execute("select recipients from outbox_messages")}
    audited = database.execute(
        "select count(*) from audit_events where action = 'member.create'").fetchone()[0]
    assert stored <= outbox
    assert audited == len(stored)
    database.close()
