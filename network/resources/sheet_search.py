"""The national library's full-text search over the CODEV capitalisation sheets shared with every network.

What a sheet makes searchable is what the sheet shows, and only that: the case's title, its action plan and the
client's and group's learnings (`SHEET_FIELDS`; the theme is the library's filter), never the case's context,
question or help wanted, nor the rest of its confidential record (exposition, clarifications, contract,
suggestions, synthesis). A sheet whose client withdrew their consent keeps an empty text (the library does not
list it either).

`shared_case_sheets.search_text` follows the case: after every flush that touches a case, its record or its actions
(`after_flush` below), and after the bulk updates of an erasure (`refresh`, called by network.privacy). The engines
are those of network/resources/search.py: a GIN index on PostgreSQL, an FTS5 table on SQLite.
"""

import weakref

from sqlalchemy import bindparam, event, inspect, select, text, update
from sqlalchemy.orm import Session

from network.codev.enums import AFTER_WORKSHOP_STATES
from network.codev.models import Case, CaseAction, CaseRecord
from network.resources import search
from network.resources.models import SharedCaseSheet

SHEET_FIELDS = ("title", "actions", "client_learnings", "group_learnings")
_SHEETS_TABLE_FOUND: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # engine → True once seen


def sheet_document(*, title: str, actions: list[str], client_learnings: str, group_learnings: str) -> str:
    """The searchable text of one sheet (SHEET_FIELDS; migration 0019 writes the same for the sheets it finds)."""
    return search.search_document(title, *actions, client_learnings, group_learnings)


def refresh(connection, case_ids) -> None:
    """Recompute the search text of the shared sheets of `case_ids` (three statements, plus the FTS rows on
    SQLite); a case without a shared sheet costs nothing more than the first."""
    case_ids = sorted(set(case_ids))
    if not case_ids:
        return
    rows = connection.execute(
        select(SharedCaseSheet.id.label("sheet_id"), Case.id.label("case_id"), Case.title, Case.state,
               Case.has_capitalisation_consent, CaseRecord.client_learnings, CaseRecord.group_learnings)
        .join(Case, Case.id == SharedCaseSheet.case_id).outerjoin(CaseRecord, CaseRecord.case_id == Case.id)
        .where(SharedCaseSheet.case_id.in_(case_ids))).all()
    if not rows:
        return
    actions: dict[int, list[str]] = {}
    for case_id, description in connection.execute(
            select(CaseAction.case_id, CaseAction.description)
            .where(CaseAction.case_id.in_([row.case_id for row in rows])).order_by(CaseAction.id)):
        actions.setdefault(case_id, []).append(description)
    texts = {row.sheet_id: sheet_document(title=row.title, actions=actions.get(row.case_id, []),
                                          client_learnings=row.client_learnings or "",
                                          group_learnings=row.group_learnings or "")
             if row.has_capitalisation_consent and row.state in AFTER_WORKSHOP_STATES else ""
             for row in rows}
    table = SharedCaseSheet.__table__
    connection.execute(update(table).where(table.c.id == bindparam("sheet_id"))
                       .values(search_text=bindparam("text")),
                       [{"sheet_id": sheet_id, "text": value} for sheet_id, value in texts.items()])
    if connection.dialect.name == "sqlite":
        fts = search.PREFIX + table.name
        connection.execute(text(f"DELETE FROM {fts} WHERE rowid = :id"), [{"id": sheet_id} for sheet_id in texts])
        connection.execute(text(f"INSERT INTO {fts} (rowid, body) VALUES (:id, :body)"),
                           [{"id": sheet_id, "body": search.stems(value)} for sheet_id, value in texts.items()])


def _touched_cases(session: Session) -> set[int]:
    ids = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Case) and instance not in session.deleted:
            ids.add(instance.id)
        elif isinstance(instance, (CaseRecord, CaseAction)):
            ids.add(instance.case_id)
    return {case_id for case_id in ids if case_id is not None}


def _has_sheets_table(connection) -> bool:
    """Whether the database has the sheets table yet: not when the migration tests build cases on an older schema.
    Looked up until found, then remembered for the engine (one query per engine)."""
    engine = connection.engine
    if not _SHEETS_TABLE_FOUND.get(engine):
        _SHEETS_TABLE_FOUND[engine] = inspect(connection).has_table(SharedCaseSheet.__tablename__)
    return _SHEETS_TABLE_FOUND[engine]


@event.listens_for(Session, "after_flush")
def _follow_the_cases(session: Session, _context) -> None:
    touched = _touched_cases(session)
    new_sheets = {sheet.case_id for sheet in session.new if isinstance(sheet, SharedCaseSheet)}
    if (touched or new_sheets) and _has_sheets_table(connection := session.connection()):
        refresh(connection, touched | new_sheets)
