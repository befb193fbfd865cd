"""The national library's full-text search finds the CODEV capitalisation sheets shared with every network, by what
the sheet shows (title, action plan, learnings), never by the case's confidential record; a sheet whose client
withdrew their consent, or that its network stopped sharing, is not found."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import undefer

from network.codev import services as codev_services
from network.codev.enums import CaseState, Theme
from network.codev.models import CaseAction, CaseRecord
from network.extensions import db
from network.resources import queries, search, services
from network.resources.models import SharedCaseSheet
from tests.codev.factories import CONTEXT, create_case
from tests.sessions.factories import page_text

TITLE = "Mobiliser les partenaires du logement"


@pytest.fixture
def sheet_case(coordinator, facilitator, meeting):
    case = create_case(coordinator, state=CaseState.WORKED, meeting=meeting, theme=Theme.HOUSING, title=TITLE,
                       has_capitalisation_consent=True)
    db.session.add_all([
        CaseRecord(case_id=case.id, client_learnings="Présenter le projet à l'élu référent avant le conseil.",
                   group_learnings="Une réunion commune évite les allers-retours.",
                   exposition="Le bailleur Hippocampe Habitat bloque tout.", synthesis="Confidentiel : la zibeline."),
        CaseAction(case_id=case.id, description="Écrire au bailleur social")])
    db.session.commit()
    services.share_case_sheet(case, actor=facilitator)
    db.session.commit()
    return case


def found(query: str) -> list[str]:
    return [sheet.title for sheet in queries.shared_case_sheets(None, search.query_words(query))]


@pytest.mark.parametrize("query", ["élus", "elu", "ÉLU", "reunion commune", "ecrire bailleur", "partenaires",
                                   "partenaire", "mobiliser logement"])
def test_sheet_found_by_its_own_words_in_french(sheet_case, query):
    assert found(query) == [TITLE]


@pytest.mark.parametrize("query", ["hippocampe", "zibeline", "Omerville", "crèche", "logement zibeline"])
def test_the_confidential_record_and_case_content_are_never_searchable(sheet_case, query):
    assert found(query) == []


def test_the_stored_text_holds_only_the_sheet(sheet_case):
    stored = db.session.scalar(select(SharedCaseSheet.search_text).where(SharedCaseSheet.case_id == sheet_case.id))
    assert stored.startswith("mobiliser les partenaires du logement ecrire au bailleur social presenter le projet a")
    assert "hippocampe" not in stored and "omerville" not in stored and "zibeline" not in stored


def test_withdrawn_consent_takes_the_sheet_out_of_the_search(sheet_case, coordinator):
    codev_services.set_capitalisation_consent(sheet_case, actor=coordinator, consent=False)
    db.session.commit()

    assert found("élus") == []
    assert db.session.scalar(select(SharedCaseSheet.search_text)) == ""
    # Shared again by its client: found again.
    codev_services.set_capitalisation_consent(sheet_case, actor=coordinator, consent=True)
    db.session.commit()
    assert found("élus") == [TITLE]


def test_unshared_sheet_is_not_found(sheet_case, facilitator):
    services.unshare_case_sheet(sheet_case, actor=facilitator)
    db.session.commit()

    assert found("élus") == []
    assert found("") == []
    if db.session.get_bind().dialect.name == "sqlite":  # the delete trigger empties its FTS row
        assert db.session.scalar(text("SELECT count(*) FROM fts_shared_case_sheets")) == 0


def test_an_edit_after_sharing_is_searchable_at_once(sheet_case):
    db.session.add(CaseAction(case_id=sheet_case.id, description="Solliciter la préfecture"))
    db.session.commit()
    assert found("prefecture") == [TITLE]

    record = db.session.scalar(select(CaseRecord).where(CaseRecord.case_id == sheet_case.id))
    record.client_learnings = "Rien de plus."
    db.session.commit()
    assert found("élus") == []
    assert found("reunion") == [TITLE]  # the group's learnings stay


def test_national_page_shows_the_sheets_found(login, client, outsider, sheet_case, network):
    login(outsider)

    page = page_text(client.get("/ressources/national", query_string={"q": "élus"}))

    assert "Aucune ressource partagée pour « élus » ; 1 fiche de capitalisation CODEV." in page
    assert TITLE in page and network.name in page and CONTEXT not in page
    assert TITLE not in page_text(client.get("/ressources/national", query_string={"q": "zibeline"}))
    assert TITLE in page_text(client.get("/ressources/national", query_string={"q": "élus", "theme": "housing"}))
    assert TITLE not in page_text(client.get("/ressources/national",
                                             query_string={"q": "élus", "theme": "early_childhood"}))


def test_erasure_of_the_client_empties_the_sheet_text(login, client, admin, coordinator, sheet_case):
    login(admin)

    assert client.post(f"/donnees/membres/{coordinator.id}/effacement", data={"confirm": "y"}).status_code == 302

    assert found("élus") == [] and found("bailleur") == []
    sheet = db.session.scalar(select(SharedCaseSheet).options(undefer(SharedCaseSheet.search_text)))
    assert sheet.search_text == "cas anonymise"


def test_postgresql_sheet_search_uses_the_gin_index(sheet_case):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's")
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    statement = select(SharedCaseSheet.id).where(search.matches(SharedCaseSheet, ["elus"]))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "fts_ix_shared_case_sheets" in plan
    db.session.rollback()
