"""The migrations, on the database engine under test, in a database of their own:
one head, up → down → up without error, and the result matches the models exactly."""

import os
import secrets

import psycopg
import pytest
from flask import current_app
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from network import PROJECT_ROOT, create_app
from network.extensions import db

MIGRATIONS = PROJECT_ROOT / "migrations"


def _postgres_conninfo(url) -> str:
    return psycopg.conninfo.make_conninfo(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username, password=url.password,
        dbname=url.database,
    )


@pytest.fixture
def migration_database_url(tmp_path):
    """A URL to an empty database, apart from the session's: a SQLite file, or a throwaway PostgreSQL database."""
    session_url = os.environ.get("TEST_DATABASE_URL")
    if not session_url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(session_url)
    name = f"infra_mig_{secrets.token_hex(4)}"
    # CREATE/DROP DATABASE cannot run in a transaction; the session database is our door to the server.
    with psycopg.connect(_postgres_conninfo(url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_postgres_conninfo(url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migration_app(migration_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": migration_database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_differences() -> list:
    """What autogenerate would write for the current database: [] when it matches the models."""
    configured = current_app.extensions["migrate"].configure_args  # what `flask db migrate` uses
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": configured["compare_type"], "include_name": configured.get("include_name")})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_migrations_have_a_single_head():
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: merge them (flask db merge heads)"


def test_migrations_upgrade_downgrade_upgrade_matches_models(migration_app):
    upgrade()
    assert _tables() >= {table.name for table in db.metadata.sorted_tables}
    assert _schema_differences() == []

    downgrade(revision="base")
    assert _tables() <= {"alembic_version"}

    upgrade()
    assert _schema_differences() == []
