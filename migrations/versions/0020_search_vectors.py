"""search vectors: on PostgreSQL, each searchable table (resources, meeting_minutes, shared_case_sheets) keeps its
French tsvector in a stored generated column, fts_vector, and its GIN index is on that column. The index on the
expression to_tsvector('french', search_text) only served the searches that the planner ran through it: a network's
search filtered that network's rows and worked out to_tsvector for each of them on every request (about 30 µs a
row, 3 ms for a network's library). The stored vector is worked out once per write. SQLite keeps its FTS5 tables:
nothing changes there.

Revision ID: 0020_search_vectors
Revises: 0019_codev_sheet_search
Create Date: 2026-12-05 10:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_search_vectors'
down_revision = '0019_codev_sheet_search'
branch_labels = None
depends_on = None

SEARCHABLE = ("resources", "meeting_minutes", "shared_case_sheets")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHABLE:
        op.execute(f"DROP INDEX IF EXISTS fts_ix_{table}")
        op.execute(f"ALTER TABLE {table} ADD COLUMN fts_vector tsvector "
                   f"GENERATED ALWAYS AS (to_tsvector('french'::regconfig, search_text)) STORED")
        op.execute(f"CREATE INDEX fts_ix_{table} ON {table} USING gin (fts_vector)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHABLE:
        op.execute(f"DROP INDEX IF EXISTS fts_ix_{table}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN fts_vector")
        op.execute(f"CREATE INDEX fts_ix_{table} ON {table} USING gin (to_tsvector('french'::regconfig, search_text))")
