"""Migration 0019_codev_sheet_search indexes the sheets already shared with every network (only what the sheet
shows; an empty text for a sheet whose client withdrew their consent), on the engine under test."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from network.codev.enums import CaseState, Theme
from network.codev.models import CaseAction, CaseRecord
from network.extensions import db
from network.resources import queries, search
from tests import factories
from tests.codev import factories as codev_factories
from tests.test_migrations import migration_app, migration_database_url  # noqa: F401 (fixtures)

BEFORE = "0018_network_versions"  # the revision migration 0019_codev_sheet_search revises


def _shared_case(client, meeting, *, title, consent, learnings):
    case = codev_factories.create_case(client, state=CaseState.WORKED, meeting=meeting, theme=Theme.HOUSING,
                                       title=title, has_capitalisation_consent=consent)
    db.session.add_all([CaseRecord(case_id=case.id, client_learnings=learnings, exposition="Le secret du zibeline."),
                        CaseAction(case_id=case.id, description="Réunir les élus")])
    db.session.flush()
    # the ORM model has search_text, which 0018_network_versions does not have
    db.session.execute(text("INSERT INTO shared_case_sheets (case_id, network_id, created_at) "
                            "VALUES (:case, :network, CURRENT_TIMESTAMP)"),
                       {"case": case.id, "network": case.network_id})
    return case


def test_existing_shared_sheets_become_searchable(migration_app):  # noqa: F811
    upgrade(revision=BEFORE)
    network = factories.create_network()
    client = factories.create_member(network=network)
    held = codev_factories.create_meeting(network, days_from_now=-30, status="held")
    _shared_case(client, held, title="Loger les apprentis", consent=True, learnings="Associer le bailleur.")
    _shared_case(client, held, title="Retiré par sa porteuse", consent=False, learnings="Associer le bailleur.")
    db.session.commit()

    upgrade()

    texts = [value for (value,) in db.session.execute(text(
        "SELECT search_text FROM shared_case_sheets ORDER BY id"))]
    assert texts == ["loger les apprentis reunir les elus associer le bailleur. apprenti elu", ""]
    assert [sheet.title for sheet in queries.shared_case_sheets(None, search.query_words("élu"))] == [
        "Loger les apprentis"]
    assert queries.shared_case_sheets(None, search.query_words("zibeline")) == []
    db.session.commit()  # end the reads: on PostgreSQL the downgrade's DROP would wait for their locks
    downgrade(revision=BEFORE)
    assert "search_text" not in {column["name"] for column in db.inspect(db.engine).get_columns("shared_case_sheets")}
