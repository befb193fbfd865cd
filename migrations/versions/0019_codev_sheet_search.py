"""codev sheet search: the CODEV capitalisation sheets shared with every network become searchable in the national
library. shared_case_sheets gains search_text (the sheet's own fields: the case's title, its action plan, the
client's and group's learnings; never the confidential record), indexed like resources and minutes (PostgreSQL: a
GIN index on to_tsvector('french', search_text); SQLite: an FTS5 table emptied by a delete trigger). The sheets
already shared are indexed here. The text functions are those of network/resources/search.py and
network/resources/sheet_search.py, copied so that this file never changes when the code does.

Revision ID: 0019_codev_sheet_search
Revises: 0018_network_versions
Create Date: 2026-12-04 17:30:00

"""
import re
import unicodedata

from alembic import op
import snowballstemmer
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_codev_sheet_search'
down_revision = '0018_network_versions'
branch_labels = None
depends_on = None

TABLE = "shared_case_sheets"
SHARED_STATES = ("worked", "followed_up", "closed")  # a sheet exists once the case was worked
_WORD = re.compile(r"[^\W_]+")


def upgrade():
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    bind = op.get_bind()
    for statement in _search_objects(bind.dialect.name):
        op.execute(statement)
    _index_shared_sheets(bind)


def downgrade():
    for statement in _drop_search_objects(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_column('search_text')


def _index_shared_sheets(bind):
    rows = bind.execute(sa.text(
        "SELECT s.id, c.id, c.title, c.state, c.has_capitalisation_consent, r.client_learnings, r.group_learnings "
        "FROM shared_case_sheets s JOIN codev_cases c ON c.id = s.case_id "
        "LEFT OUTER JOIN codev_case_records r ON r.case_id = c.id")).all()
    if not rows:
        return
    actions = {}
    for case_id, description in bind.execute(sa.text(
            "SELECT case_id, description FROM codev_case_actions WHERE case_id IN "
            "(SELECT case_id FROM shared_case_sheets) ORDER BY id")):
        actions.setdefault(case_id, []).append(description)
    texts = {sheet_id: _document(title, *actions.get(case_id, []), client_learnings, group_learnings)
             if consent and state in SHARED_STATES else ""
             for sheet_id, case_id, title, state, consent, client_learnings, group_learnings in rows}
    bind.execute(sa.text(f"UPDATE {TABLE} SET search_text = :text WHERE id = :id"),
                 [{"id": sheet_id, "text": text} for sheet_id, text in texts.items()])
    if bind.dialect.name == "sqlite":
        stemmer = snowballstemmer.stemmer("french")
        bind.execute(sa.text(f"INSERT INTO fts_{TABLE} (rowid, body) VALUES (:id, :body)"),
                     [{"id": sheet_id, "body": " ".join(stemmer.stemWords(_WORD.findall(text)))}
                      for sheet_id, text in texts.items()])


def _normalise(value):
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)
                   and unicodedata.category(char)[0] != "C").casefold()


def _document(*parts):
    """The text, then the singular of its plural-looking words (search.search_document)."""
    document = _normalise(" ".join(part for part in parts if part))
    singulars = dict.fromkeys(word[:-1] for word in _WORD.findall(document) if len(word) > 3 and word[-1] in "sx")
    return f"{document} {' '.join(singulars)}" if singulars else document


def _search_objects(dialect):
    if dialect == "sqlite":
        yield (f'CREATE VIRTUAL TABLE IF NOT EXISTS fts_{TABLE} USING fts5(body, '
               f'tokenize="unicode61 remove_diacritics 2")')
        yield (f"CREATE TRIGGER IF NOT EXISTS fts_{TABLE}_delete AFTER DELETE ON {TABLE} "
               f"BEGIN DELETE FROM fts_{TABLE} WHERE rowid = old.id; END")
    elif dialect == "postgresql":
        yield (f"CREATE INDEX IF NOT EXISTS fts_ix_{TABLE} ON {TABLE} "
               f"USING gin (to_tsvector('french'::regconfig, search_text))")


def _drop_search_objects(dialect):
    if dialect == "sqlite":
        yield f"DROP TRIGGER IF EXISTS fts_{TABLE}_delete"
        yield f"DROP TABLE IF EXISTS fts_{TABLE}"
    elif dialect == "postgresql":
        yield f"DROP INDEX IF EXISTS fts_ix_{TABLE}"
