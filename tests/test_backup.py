"""`flask backup` copies the live database; the copy opens and holds the same rows."""

import sqlite3
import subprocess

import pytest
from sqlalchemy import create_engine, func, select, text

from network.backup import backup_database
from network.members.models import Member
from tests import factories


def test_backup_command_copies_every_member(app, db, tmp_path):
    network = factories.create_network()
    for _ in range(3):
        factories.create_member(network=network)
    target = tmp_path / ("copy.sqlite3" if db.engine.dialect.name == "sqlite" else "copy.dump")

    result = app.test_cli_runner().invoke(args=["backup", "--output", str(target)])

    assert result.exit_code == 0, result.output
    assert result.output == f"Backup written to {target}\n"
    if db.engine.dialect.name == "sqlite":
        copy = sqlite3.connect(target)
        assert copy.execute("select count(*) from members").fetchone() == (3,)
        assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
        copy.close()
    else:
        _assert_pg_restore_counts(db, target, expected_members=3)


def _assert_pg_restore_counts(db, dump, expected_members):
    url = db.engine.url
    scratch = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        plain = url.set(drivername="postgresql", database=scratch).render_as_string(hide_password=False)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={plain}", str(dump)], check=True)
        restored = create_engine(url.set(database=scratch))
        with restored.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Member.__table__)) == expected_members
        restored.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        admin.dispose()


def test_backup_refuses_unknown_database_kind(tmp_path):
    with pytest.raises(ValueError, match="not supported for mysql"):
        backup_database("mysql://user@localhost/db", tmp_path / "x")
