"""Consistent online backups: SQLite's backup API, pg_dump for PostgreSQL."""

import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url


def default_backup_path(folder: Path, dialect: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"reseau-{stamp}.{'sqlite3' if dialect == 'sqlite' else 'dump'}"


def backup_database(database_uri: str, target: Path) -> Path:
    """Write a consistent copy of the database to `target` while the app keeps writing."""
    url = make_url(database_uri)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database, timeout=30)
        destination = sqlite3.connect(str(target))
        try:
            with destination:
                source.backup(destination, pages=1024)  # copies in steps; writers are not blocked for long
        finally:
            destination.close()
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={plain}"],
                       check=True, capture_output=True, text=True)
        return target
    raise ValueError(f"Backups are not supported for {url.get_backend_name()}")
