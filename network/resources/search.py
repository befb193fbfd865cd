"""French full-text search with each database's own engine.

- PostgreSQL: `to_tsvector('french', search_text)` kept in a stored generated column, `fts_vector`, with a GIN index;
  queries go through `to_tsquery('french', …)`, so PostgreSQL's Snowball stemmer works on both sides. Stored, the
  vector is worked out once per write: a network's search that filters its own rows reads it instead of working it
  out for each row on every request (about 30 µs a row).
- SQLite: an FTS5 table per searchable table (`tokenize="unicode61 remove_diacritics 2"`), holding the words
  stemmed by the same Snowball French stemmer (the `snowballstemmer` package) on the index and the query side.

`search_text` is the searchable text with accents removed and in lower case, so « reunion » finds « réunion » on
both engines. Snowball leaves « élus » as is while « élu », « élue », « élues » become « élu »: a query word
ending in s or x also asks for its form without it, so « élus » finds « élu »; and the indexed text ends with the
singular of its plural-looking words, so « élu » finds « élus ».

The FTS objects live outside the models (names starting with `fts_`: tables, indexes and PostgreSQL's column): they
are created by `after_create` DDL events here (create_all, the tests) and by the migrations, and `include_name` hides
them from autogenerate.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from sqlalchemy import DDL, String, bindparam, event, func, literal_column, select, text

from network.extensions import db

PREFIX = "fts_"
MAX_QUERY_WORDS = 8
MAX_QUERY_LENGTH = 200
_WORD = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("french")
FRENCH = literal_column("'french'::regconfig")  # a constant, as in the stored column's expression
VECTOR = PREFIX + "vector"  # PostgreSQL's stored tsvector column


def include_name(name, type_, _parent_names) -> bool:
    """Alembic's autogenerate filter: the FTS tables, indexes and columns are not in the models."""
    return not (type_ in ("table", "index", "column") and (name or "").startswith(PREFIX))


def normalise(value: str | None) -> str:
    """Lower case, no accents, no control characters."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)
                   and unicodedata.category(char)[0] != "C").casefold()


def search_document(*parts: str | None) -> str:
    """What is indexed: the text, then the singular of its plural-looking words (so « élu » finds « élus »)."""
    document = normalise(" ".join(part for part in parts if part))
    singulars = dict.fromkeys(variants[1] for word in _WORD.findall(document) if len(variants := _variants(word)) > 1)
    return f"{document} {' '.join(singulars)}" if singulars else document


def stems(document: str) -> str:
    return " ".join(_stemmer.stemWords(_WORD.findall(document)))


def query_words(query: str | None) -> list[str]:
    return _WORD.findall(normalise((query or "")[:MAX_QUERY_LENGTH]))[:MAX_QUERY_WORDS]


def _variants(word: str) -> list[str]:
    """The word, and for a plural-looking word (-s, -x) its singular: Snowball keeps « élus » apart from « élu »."""
    if len(word) > 3 and word[-1] in "sx":
        return [word, word[:-1]]
    return [word]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- the FTS objects ----------------------------------------------------------------------------------

def sqlite_ddl(table: str) -> list[str]:
    fts = PREFIX + table
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(body, tokenize=\"unicode61 remove_diacritics 2\")",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} "
        f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; END",
    ]


def postgresql_ddl(table: str) -> list[str]:
    return [f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {VECTOR} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('french'::regconfig, search_text)) STORED",
            f"CREATE INDEX IF NOT EXISTS {PREFIX}ix_{table} ON {table} USING gin ({VECTOR})"]


def drop_ddl(table: str, dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {PREFIX}{table}_delete", f"DROP TABLE IF EXISTS {PREFIX}{table}"]
    return [f"DROP INDEX IF EXISTS {PREFIX}ix_{table}"]


def install_search_objects(table) -> None:
    """create_all/drop_all create and drop the FTS objects of `table` with it."""
    for statement in sqlite_ddl(table.name):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in postgresql_ddl(table.name):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in drop_ddl(table.name, "sqlite"):
        event.listen(table, "before_drop", DDL(statement).execute_if(dialect="sqlite"))


# --- keeping the index and querying it ----------------------------------------------------------------

def reindex(model, rows) -> None:
    """After a flush: SQLite's FTS table follows `search_text` (PostgreSQL's stored vector and its index follow by
    themselves)."""
    if _dialect() != "sqlite" or not rows:
        return
    fts = PREFIX + model.__tablename__
    ids = [{"id": row.id} for row in rows]
    db.session.execute(text(f"DELETE FROM {fts} WHERE rowid = :id"), ids)
    db.session.execute(text(f"INSERT INTO {fts} (rowid, body) VALUES (:id, :body)"),
                       [{"id": row.id, "body": stems(row.search_text or "")} for row in rows])


SEARCH_QUERY = "search_query"  # the bound parameter that match_clause reads: search_parameters(words)


def match_clause(model):
    """A WHERE clause: rows of `model` whose text matches the bound :search_query. A statement built with it once
    serves every search, the words bound at execution (search_parameters); a statement built for each search cost
    its page more than PostgreSQL's search did."""
    return _bound_match_clause(model, _dialect())


def searched_on(words: list[str]) -> str | None:
    """The database whose full-text search a statement of these words asks, None without words: what a statement
    built once per filter shape is keyed by, its match_clause being that database's."""
    return _dialect() if words else None


def search_parameters(words: list[str]) -> dict:
    """The bound :search_query of a statement keyed by searched_on(words): every word (any of its variants) in the
    text; None without words."""
    return {SEARCH_QUERY: _query_text(tuple(words), _dialect()) if words else None}


def matches(model, words: list[str]):
    """A WHERE clause: rows of `model` whose text holds every word (any of its variants), the words in it."""
    return _match_clause(model, tuple(words), _dialect())


@lru_cache(maxsize=16)
def _bound_match_clause(model, dialect: str):
    return _clause(model, dialect, bindparam(SEARCH_QUERY, type_=String))


@lru_cache(maxsize=512)
def _query_text(words: tuple[str, ...], dialect: str) -> str:
    """Worked out once per words and database: stemming a word in pure Python cost more than the search itself."""
    if dialect == "sqlite":
        return " AND ".join(
            "(" + " OR ".join(f'"{stem}"' for stem in dict.fromkeys(_stemmer.stemWords(_variants(word)))) + ")"
            for word in words)
    return " & ".join("(" + " | ".join(_variants(word)) + ")" for word in words)


@lru_cache(maxsize=512)
def _match_clause(model, words: tuple[str, ...], dialect: str):
    """Built once per table, words and database (the clause is immutable, so statements share it)."""
    return _clause(model, dialect, bindparam(SEARCH_QUERY, _query_text(words, dialect), type_=String))


def _clause(model, dialect: str, query):
    """`model`'s rows whose text matches `query`, a bound parameter named SEARCH_QUERY (one such clause a
    statement)."""
    if dialect == "sqlite":
        fts = PREFIX + model.__tablename__
        return model.id.in_(select(literal_column("rowid")).select_from(text(fts))
                            .where(literal_column(fts).op("MATCH")(query)))
    vector = literal_column(f"{model.__tablename__}.{VECTOR}")
    return vector.op("@@")(func.to_tsquery(FRENCH, query))
