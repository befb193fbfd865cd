"""« Ressources partagées » per network and period (issue #16): documents and links published on the period's
meetings + their published minutes + news posted in the period; beside it, the shares with every network made in the
period and the downloads of the network's files (a count per day, never who). Hand-counted figures."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from network.codev.enums import CaseState
from network.evaluation import indicators
from network.evaluation.figures import SharedResources
from network.periods import Period, Scope, Series
from network.extensions import db
from network.resources.enums import MinutesStatus, ResourceStatus
from network.resources.models import Minutes, NewsItem, ResourceDownload, SharedCaseSheet
from network.resources.queries import ResourceFigures, resource_figures
from network.sessions.enums import MeetingKind, MeetingStatus
from tests import factories
from tests.codev.factories import create_case
from tests.sessions.factories import create_meeting
from tests.evaluation.resource_rows import link_on

NOW = datetime(2026, 2, 1, tzinfo=UTC)


def _collapsed(html: str) -> str:
    """Runs of spaces and line breaks as one space; no-break spaces kept (str.split would turn them into spaces)."""
    return re.sub(r"[ \t\r\n]+", " ", html).strip()


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def shared_world():
    network = factories.create_network(name="Réseau A", slug="reseau-a")
    other = factories.create_network(name="Réseau B", slug="reseau-b")
    spring = create_meeting(network, starts_at=at(2025, 3, 12, 9), status=MeetingStatus.HELD)
    training = create_meeting(network, starts_at=at(2025, 6, 3, 9), status=MeetingStatus.HELD,
                              kind=MeetingKind.TRAINING)
    december = create_meeting(network, starts_at=at(2024, 12, 10, 9), status=MeetingStatus.HELD)
    cancelled = create_meeting(network, starts_at=at(2025, 9, 10, 9), status=MeetingStatus.CANCELLED)
    elsewhere = create_meeting(other, starts_at=at(2025, 5, 20, 9), status=MeetingStatus.HELD)
    downloaded = link_on(spring, shared_at=at(2025, 4, 2, 10))
    link_on(training)
    link_on(spring, status=ResourceStatus.PENDING)  # a guest's slides not published: not shared
    link_on(december)
    link_on(cancelled)
    link_on(elsewhere)
    db.session.add_all([
        Minutes(meeting_id=spring.id, network_id=network.id, status=MinutesStatus.PUBLISHED, year=2025),
        Minutes(meeting_id=training.id, network_id=network.id, status=MinutesStatus.DRAFT, year=2025),
        Minutes(meeting_id=december.id, network_id=network.id, status=MinutesStatus.PUBLISHED, year=2024),
        NewsItem(network_id=network.id, title="Appel à projets", created_at=at(2025, 2, 1)),
        NewsItem(network_id=network.id, title="Nouvelle offre", created_at=at(2025, 12, 31, 23, 30)),  # 2026 in Paris
        NewsItem(network_id=network.id, title="Vœux", created_at=at(2024, 12, 31, 23, 30)),  # 2025 in Paris
        # Paris days: 31 December 2024 is 2024, 1 January and 31 December 2025 are 2025
        ResourceDownload(resource_id=downloaded.id, day=date(2024, 12, 31), count=2),
        ResourceDownload(resource_id=downloaded.id, day=date(2025, 1, 1), count=3),
        ResourceDownload(resource_id=downloaded.id, day=date(2025, 12, 31), count=4),
        ResourceDownload(resource_id=downloaded.id, day=date(2026, 1, 1), count=8),
    ])
    client = factories.create_member(network=network)
    case = create_case(client, state=CaseState.WORKED, meeting=spring, has_capitalisation_consent=True)
    db.session.add(SharedCaseSheet(case_id=case.id, network_id=network.id, created_at=at(2025, 7, 1)))
    db.session.commit()
    return {"network": network, "other": other}


A_2025 = SharedResources(materials=2, minutes=1, news=2, shared_resources=1, shared_sheets=1, downloads=7)
B_2025 = SharedResources(materials=1)


def test_per_network_and_total(shared_world):
    rows, total = indicators.network_summaries(Scope(Period(2025), NOW))

    assert [(row.name, row.resources) for row in rows] == [("Réseau A", A_2025), ("Réseau B", B_2025)]
    assert total.resources == SharedResources(materials=3, minutes=1, news=2, shared_resources=1, shared_sheets=1,
                                              downloads=7)
    assert (rows[0].resources.total, rows[0].resources.national_shares, total.resources.total) == (5, 2, 6)


def test_a_quarter_and_a_series_group_by_period(shared_world):
    network_ids = (shared_world["network"].id,)
    first_quarter = indicators.network_summary(Scope(Period(2025, 1), NOW, network_ids=network_ids))
    assert first_quarter.resources == SharedResources(materials=1, minutes=1, news=2, downloads=3)

    years = indicators.series_summaries(Series.of_years(2024, 2025, NOW, network_ids=network_ids), with_total=False)

    assert [(scope.period.year, rows[0].resources) for scope, rows, _total in years] == [
        (2024, SharedResources(materials=1, minutes=1, downloads=2)), (2025, A_2025)]


def test_cli_exports_and_dashboard_show_it(app, client, login, shared_world):
    network = shared_world["network"]
    runner = app.test_cli_runner()

    as_json = json.loads(runner.invoke(args=["indicators", "--year", "2025"]).output)
    as_csv = runner.invoke(args=["indicators", "--network", network.slug, "--year", "2025", "--format", "csv"])

    keys = ("resources_shared", "resources_materials", "resources_minutes", "resources_news",
            "resources_national_shares", "resources_downloads")
    assert [[line[key] for key in ("name", *keys)] for line in as_json["networks"]] == [
        ["Réseau A", 5, 2, 1, 2, 2, 7], ["Réseau B", 1, 1, 0, 0, 0, 0], ["Total", 6, 3, 1, 2, 2, 7]]
    assert [[row[key] for key in keys] for row in csv.DictReader(io.StringIO(as_csv.output))] == [
        ["5", "2", "1", "2", "2", "7"]]

    login(factories.create_member(network=network, role="facilitator"))
    csv_text = client.get("/evaluation/export.csv?annee=2025").data.decode("utf-8-sig")
    assert "Ressources partagées;5\r\n" in csv_text
    assert "Ressources : téléchargements (sans savoir par qui);7\r\n" in csv_text
    workbook = load_workbook(io.BytesIO(client.get("/evaluation/export.xlsx?annee=2025").data))
    synthesis = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(min_row=2, values_only=True)}
    assert (synthesis["Ressources partagées"], synthesis["Ressources : partages avec tous les réseaux"]) == (5, 2)
    assert "Ressources partagées" in [row[0] for row in workbook["Définitions"].iter_rows(values_only=True)]
    page = _collapsed(client.get("/evaluation/?annee=2025").get_data(as_text=True))
    assert ('<p class="stat__label">Ressources partagées</p> <p class="stat__value">5</p> <p class="stat__note">2 '
            'documents ou liens, 1 compte rendu publié, 2 actualités</p>') in page
    assert "dans la bibliothèque nationale : 1 document, 1 fiche CODEV" in page


def test_admin_overview_has_a_column_per_network_and_total(client, login, admin, shared_world):
    login(admin)

    page = _collapsed(client.get("/evaluation/reseaux?annee=2025").get_data(as_text=True))

    assert "<th>Ressources partagées</th>" in page
    cells = [cell.split("</td>")[0] for cell in page.split('<td data-label="Ressources partagées">')[1:]]
    assert cells == [f"{total}<br><span class=\"muted\">avec tous les réseaux :</span> {shares}<br>"
                     f"<span class=\"muted\">téléchargements :</span> {downloads}"
                     for total, shares, downloads in ((5, 2, 7), (1, 0, 0), (6, 2, 7))]


def test_the_annual_report_gives_it_on_the_page_and_in_the_pdf(client, login, shared_world):
    login(factories.create_member(network=shared_world["network"], role="facilitator"))

    # ASCII whitespace collapsed, the no-break spaces of French typography kept (str.split would take them)
    page = re.sub(r"[ \t\r\n]+", " ", client.get("/evaluation/rapport?annee=2025").get_data(as_text=True))
    pdf = PdfReader(io.BytesIO(client.get("/evaluation/rapport.pdf?annee=2025").data))
    text = " ".join(" ".join(page_.extract_text() for page_ in pdf.pages).split())

    assert ("Ressources partagées\u00a0: <strong>5</strong> (2 documents ou liens, 1 compte rendu publié, 2 actualités)"
            "\u00a0; partages avec tous les réseaux\u00a0: 2\u00a0; téléchargements des fichiers du réseau\u00a0: 7, "
            "comptés sans savoir par qui.") in page
    assert "Ressources partagées (documents et liens, comptes rendus, actualités) 5" in text
    assert "Partages avec tous les réseaux / téléchargements 2 / 7" in text


def test_dashboard_and_overview_put_a_no_break_space_before_their_colons(client, login, admin, shared_world):
    login(admin)

    overview = client.get("/evaluation/reseaux?annee=2025").get_data(as_text=True)
    dashboard = client.get("/evaluation/?annee=2025&reseau=reseau-a").get_data(as_text=True)

    assert (overview.count("avec tous les réseaux\u00a0:</span>"), overview.count("téléchargements\u00a0:</span>")) == (
        3, 3)
    assert "dans la bibliothèque nationale\u00a0: 1 document, 1 fiche CODEV" in dashboard


def test_library_figures_per_network_and_of_one_network(shared_world):
    """The library's figures (the facilitators' counters, the admin's national table): the materials of the year's
    meetings, the cancelled one's included, the pending one not; published minutes; shares; downloads by Paris day."""
    network, other = shared_world["network"], shared_world["other"]

    assert resource_figures(2025) == [ResourceFigures("Réseau A", materials=3, minutes=1, shared=1, downloads=7),
                                      ResourceFigures("Réseau B", materials=1, minutes=0, shared=0, downloads=0)]
    assert resource_figures(2025, network_id=other.id) == [ResourceFigures("Réseau B", 1, 0, 0, 0)]
    assert resource_figures(2024, network_id=network.id) == [ResourceFigures("Réseau A", 1, 1, 0, 2)]
    assert resource_figures(2026, network_id=network.id) == [ResourceFigures("Réseau A", 0, 0, 0, 8)]
    assert resource_figures(2023) == []
