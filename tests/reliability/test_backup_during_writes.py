"""`flask backup` while the server takes writes: the copy is consistent and starts."""

import sqlite3
import subprocess
import sys
import threading
import time

from network import create_app
from tests.conftest import Client
from tests.factories import TEST_PASSWORD
from tests.reliability.conftest import ROOT
from tests.reliability.test_sqlite_writes import _create_members


def test_backup_taken_during_writes_is_consistent_and_starts(served_app, tmp_path):
    acknowledged, statuses, stop = [], [], threading.Event()
    writers = [threading.Thread(target=_create_members, args=(served_app.base, w, 400, acknowledged, statuses, stop))
               for w in range(6)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    copy = tmp_path / "copie.sqlite3"
    result = subprocess.run([sys.executable, "-m", "flask", "backup", "--output", str(copy)], env=served_app.env,
                            cwd=ROOT, capture_output=True, text=True)
    written_before_end = len(acknowledged)
    stop.set()
    for writer in writers:
        writer.join(timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Backup written to {copy}\n"
    database = sqlite3.connect(copy)
    assert database.execute("pragma integrity_check").fetchone() == ("ok",)
    members = database.execute("select count(*) from members where email like 'w%@example.org'").fetchone()[0]
    emails = database.execute("select count(*) from outbox_messages where recipients like 'w%@example.org'").fetchone()[0]
    audits = database.execute("select count(*) from audit_events where action = 'member.create'").fetchone()[0]
    database.close()
    # A consistent snapshot: each member came with its email and its audit row, and the load went on after it.
    assert members == emails == audits
    assert 40 <= members <= written_before_end + 6
    assert statuses.count(302) > members

    restored = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}"})
    client = Client(restored.test_client())
    assert client.get("/connexion").status_code == 200
    signed_in = client.post("/connexion", data={"email": "animatrice@example.test", "password": TEST_PASSWORD})
    assert (signed_in.status_code, signed_in.location) == (302, "/")
