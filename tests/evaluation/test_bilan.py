"""The experiment's national report (Bilan de l'expérimentation) and its frozen publications: admins only, every
network side by side over chosen years with the total and the trajectories, page = PDF = XLSX, « effectif
insuffisant » below the group threshold; a publication reproduces its figures exactly and notes later corrections.
Expected values computed by hand."""

import html
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from network.codev.enums import CaseState
from network.database import utcnow
from network.errors import DomainError
from network.evaluation import bilan, services
from network.evaluation.models import GridActivity, GridRubric, Publication, SelfEfficacyResponse
from network.extensions import db
from network.members import services as member_services
from network.resources.enums import MinutesStatus, ResourceStatus
from network.resources.models import Minutes, NewsItem, ResourceDownload, SharedCaseSheet
from network.sessions.models import Attendance
from tests import factories
from tests.clock import SUITE_NOW
from tests.codev.factories import create_case
from tests.evaluation.conftest import create_meeting, invite_and_record
from tests.evaluation.resource_rows import link_on

THIS_YEAR = SUITE_NOW.year
Y1, Y2 = THIS_YEAR - 2, THIS_YEAR - 1
NBSP = "\u00a0"


def _answer(member, wave, score, taken_on):
    db.session.add(SelfEfficacyResponse(member_id=member.id, network_id=member.network_id, wave=wave,
                                        taken_on=taken_on, score=score))


@pytest.fixture
def two_networks(db):
    """
    Réseau A: a1…a5 (joined 1 January Y1). Y1 meeting: a1 a2 a3 present, a4 a5 absent → 3 sur 5; Y2 meeting:
    a1…a4 present, a5 absent → 4 sur 5. Over Y1–Y2: 7 sur 10; assiduity ≥ 75 %: a1 a2 a3 a4 (a4 1 of 2 = 50 %: no)
    → a1 a2 a3 = 3 of 5. Self-efficacy T0 20 22 24 26 28 (Y1), T1 25 25 25 30 30 (Y2): 24,0 → 27,0, +3,0, n = 5.
    Réseau B: b1, b2. Y2 meeting: b1 present, b2 absent → 1 sur 2 (Y1: no meeting, 0 sur 0); b1 T0 20, T1 30:
    n = 1 → effectif insuffisant.
    Total: 8 sur 12; Y1 3 sur 5, Y2 5 sur 7; assiduity 4 of 7; self-efficacy n = 6 → 23,3 → 27,5, +4,2.
    """
    network_a = factories.create_network(name="Réseau A", slug="reseau-a")
    network_b = factories.create_network(name="Réseau B", slug="reseau-b")
    a = [factories.create_member(network=network_a, joined_on=date(Y1, 1, 1)) for _ in range(5)]
    b = [factories.create_member(network=network_b, joined_on=date(Y1, 1, 1)) for _ in range(2)]
    early = create_meeting(network_a, datetime(Y1, 3, 10, 9, tzinfo=UTC))
    invite_and_record(early, {a[0]: "present", a[1]: "present", a[2]: "present", a[3]: "absent", a[4]: "absent"})
    late = create_meeting(network_a, datetime(Y2, 3, 10, 9, tzinfo=UTC))
    invite_and_record(late, {a[0]: "present", a[1]: "present", a[2]: "present", a[3]: "present", a[4]: "absent"})
    meeting_b = create_meeting(network_b, datetime(Y2, 6, 10, 9, tzinfo=UTC))
    invite_and_record(meeting_b, {b[0]: "present", b[1]: "absent"})
    for member, t0, t1 in zip(a + b[:1], (20, 22, 24, 26, 28, 20), (25, 25, 25, 30, 30, 30), strict=True):
        _answer(member, 0, float(t0), date(Y1, 2, 1))
        _answer(member, 1, float(t1), date(Y2, 2, 1))
    db.session.commit()
    # the grid, one rubric of one activity: A's five score 1 1 2 2 3 at T0 (mean share 60 %), 3 at T1 (100 %);
    # B's one member 3 then 3 (one respondent: effectif insuffisant)
    for network, members, t0_scores in ((network_a, a, (1, 1, 2, 2, 3)), (network_b, b[:1], (3,))):
        rubric = GridRubric(network_id=network.id, title="Rubrique unique", short_title="Un", position=1)
        db.session.add(rubric)
        db.session.flush()
        activity = GridActivity(rubric_id=rubric.id, label="Activité", position=1)
        db.session.add(activity)
        db.session.commit()
        for member, score in zip(members, t0_scores, strict=True):
            services.record_self_assessment(member, {activity.id: score}, actor=member, today=date(Y1, 2, 1))
            services.record_self_assessment(member, {activity.id: 3}, actor=member, today=date(Y2, 2, 1))
    db.session.commit()
    return dict(a=network_a, b=network_b, members_a=a, late=late, early=early, meeting_b=meeting_b)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _url(path="/evaluation/bilan", first=Y1, last=Y2):
    return f"{path}?de={first}&a={last}"


def test_bilan_page_shows_every_network_the_total_and_the_trajectories(client, login, admin, two_networks):
    login(admin)

    page = _text(client.get(_url()))

    assert f"Bilan de l'expérimentation — Années {Y1} à {Y2}" in page
    assert "<strong>7 sur 10</strong>" in page and "<strong>1 sur 2</strong>" in page
    assert "<strong>8 sur 12</strong>" in page  # the national total
    assert "<strong>3 sur 5</strong>" in page and "<strong>5 sur 7</strong>" in page  # Y1 (A, total), Y2 total
    assert "24,0 → 27,0" in page and "n = 5" in page
    assert "23,3 → 27,5" in page  # total: T0 (20+22+24+26+28+20)/6, T1 (25+25+25+30+30+30)/6
    assert page.count("effectif insuffisant</span> <span class=\"muted\">(n = 1)") == 1  # Réseau B only
    assert page.count(f"60{NBSP}% → 100{NBSP}%") == 2  # the grid: Réseau A and the total; B insufficient


def test_bilan_xlsx_has_the_same_numbers(client, login, admin, two_networks):
    login(admin)

    workbook = load_workbook(io.BytesIO(client.get(_url("/evaluation/bilan.xlsx")).data))
    networks = {row[0]: row for row in workbook["Réseaux"].iter_rows(min_row=2, values_only=True)}
    trajectories = [row[:4] for row in workbook["Trajectoires"].iter_rows(min_row=2, values_only=True)]

    assert networks["Réseau A"][1:7] == (5, 7, 10, 0.7, 3, 5)
    assert networks["Réseau B"][1:5] == (2, 1, 2, 0.5)
    assert networks["Total"][1:5] == (7, 8, 12, 8 / 12)
    assert networks["Réseau A"][18:22] == (5, 24.0, 27.0, 3.0)
    assert networks["Réseau B"][18:22] == (1, "effectif insuffisant", "effectif insuffisant", "effectif insuffisant")
    assert (networks["Réseau A"][22:24], networks["Réseau B"][22:24], networks["Total"][22:24]) == (
        (0.6, 1.0), ("effectif insuffisant", "effectif insuffisant"), (0.6, 1.0))
    assert trajectories == [("Réseau A", Y1, 3, 5), ("Réseau A", Y2, 4, 5), ("Réseau B", Y1, 0, 0),
                            ("Réseau B", Y2, 1, 2), ("Total", Y1, 3, 5), ("Total", Y2, 5, 7)]
    assert set(workbook.sheetnames) == {"Réseaux", "Trajectoires", "Définitions"}


def test_bilan_pdf_is_a_pdf(client, login, admin, two_networks):
    login(admin)

    response = client.get(_url("/evaluation/bilan.pdf"))

    assert (response.status_code, response.mimetype, response.data[:5]) == (200, "application/pdf", b"%PDF-")


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
def test_bilan_and_publications_refused_to_non_admins(client, login, network, role, two_networks):
    member = factories.create_member(network=network, role=role)
    publication = services.publish_bilan(Y1, Y2, actor=factories.create_member(role="admin"), now=utcnow())
    db.session.commit()
    login(member)

    for path in ("/evaluation/bilan", "/evaluation/bilan.pdf", "/evaluation/bilan.xlsx",
                 f"/evaluation/publications/{publication.id}", f"/evaluation/publications/{publication.id}.pdf",
                 f"/evaluation/publications/{publication.id}.xlsx"):
        assert client.get(path).status_code == 403, path
    assert client.post("/evaluation/bilan/publier", data={"de": Y1, "a": Y2}).status_code == 403
    assert db.session.scalar(select(db.func.count(Publication.id))) == 1


def test_bilan_years_in_the_wrong_order_get_a_french_error(client, login, admin, two_networks):
    login(admin)

    response = client.get(_url(first=Y2, last=Y1))

    assert response.status_code == 200
    assert "L'année de fin doit suivre l'année de début (ou être la même)." in _text(response)


def test_publication_freezes_the_figures_and_notes_a_later_correction(client, login, admin, two_networks):
    login(admin)

    response = client.post("/evaluation/bilan/publier", data={"de": Y1, "a": Y2})
    publication = db.session.scalars(select(Publication)).one()
    assert response.headers["Location"].endswith(f"/evaluation/publications/{publication.id}")
    assert (publication.first_year, publication.last_year, publication.published_by_id) == (Y1, Y2, admin.id)
    assert publication.digest == bilan.digest(publication.payload)
    assert json.loads(publication.payload)["total"]["attended"] == 8
    frozen_page = _text(client.get(f"/evaluation/publications/{publication.id}"))
    frozen_xlsx = load_workbook(io.BytesIO(client.get(f"/evaluation/publications/{publication.id}.xlsx").data))
    assert f"Aucune{NBSP}: recalculés aujourd'hui, les chiffres sont identiques à ceux publiés." in frozen_page
    assert f"par {admin.full_name}" in frozen_page

    # a correction of the records of Y2: a5 was in fact present at Réseau A's meeting
    attendance = db.session.scalar(select(Attendance).where(Attendance.meeting_id == two_networks["late"].id,
                                                            Attendance.member_id == two_networks["members_a"][4].id))
    attendance.status = "present"
    db.session.commit()

    page = _text(client.get(f"/evaluation/publications/{publication.id}"))
    assert "<strong>7 sur 10</strong>" in page and "<strong>8 sur 12</strong>" in page  # as published
    assert f"Réseau A, présents{NBSP}: 7 publié, 8 aujourd'hui." in page
    assert f"Réseau A, {Y2}, présents{NBSP}: 4 publié, 5 aujourd'hui." in page
    assert f"Total national, présents{NBSP}: 8 publié, 9 aujourd'hui." in page
    again = load_workbook(io.BytesIO(client.get(f"/evaluation/publications/{publication.id}.xlsx").data))
    for sheet in ("Réseaux", "Trajectoires"):  # the frozen figures, to the cell
        assert list(again[sheet].values) == list(frozen_xlsx[sheet].values)
    notes = [row[1] for row in again["Publication"].iter_rows(min_row=2, values_only=True)
             if row[0] == "Correction depuis la publication"]
    assert f"Réseau A, présents{NBSP}: 7 publié, 8 aujourd'hui." in notes
    assert _text(client.get(f"/evaluation/bilan?de={Y1}&a={Y2}")).count("<strong>9 sur 12</strong>")


@pytest.mark.usefixtures("mid_year")  # figures of this year: meetings already held
def test_publication_is_not_corrected_by_a_later_reactivation(client, login, admin, two_networks):
    facilitator = factories.create_member(network=two_networks["a"], role="facilitator", joined_on=date(Y1, 1, 1))
    leaver = two_networks["members_a"][4]
    member_services.deactivate_member(actor=facilitator, member=leaver, now=datetime(Y2, 1, 15, tzinfo=UTC))
    db.session.commit()
    publication = services.publish_bilan(Y1, Y2, actor=admin, now=utcnow())
    db.session.commit()
    member_services.reactivate_member(actor=facilitator, member=leaver)
    db.session.commit()
    login(admin)

    page = _text(client.get(f"/evaluation/publications/{publication.id}"))

    assert f"Aucune{NBSP}: recalculés aujourd'hui" in page


def test_publish_refuses_the_current_year(admin, two_networks):
    with pytest.raises(DomainError, match=f"Seules des années closes se publient \\(jusqu'à {Y2}\\)"):
        services.publish_bilan(Y2, THIS_YEAR, actor=admin, now=utcnow())


def test_publish_refused_in_the_page_flashes_and_writes_nothing(client, login, admin, two_networks):
    login(admin)

    response = client.post("/evaluation/bilan/publier", data={"de": THIS_YEAR, "a": THIS_YEAR}, follow_redirects=True)

    assert "Seules des années closes se publient" in _text(response)
    assert db.session.scalar(select(db.func.count(Publication.id))) == 0


def test_bilan_query_count_does_not_grow_with_networks(client, login, admin, two_networks, count_queries):
    login(admin)
    client.get(_url())
    with count_queries() as small:
        assert client.get(_url()).status_code == 200
    for number in range(3):
        network = factories.create_network(name=f"Réseau {number}")
        members = [factories.create_member(network=network, joined_on=date(Y1, 1, 1)) for _ in range(3)]
        invite_and_record(create_meeting(network, datetime(Y2, 5, 5, 9, tzinfo=UTC)),
                          {member: "present" for member in members})
    client.get(_url())
    with count_queries() as large:
        assert client.get(_url()).status_code == 200

    assert large.count == small.count


# --- « Ressources partagées » (payload FORMAT 2) -----------------------------------------------------------------

@pytest.fixture
def shared(two_networks):
    return _share_resources(two_networks)


def _share_resources(two_networks):
    """
    Réseau A. Y1: a link and the published minutes of its meeting, a news item → 3 (1 + 1 + 1). Y2: two links on its
    meeting (one shared with every network in April, downloaded 3 times in Y2 and 4 times this year) and one pending
    (not counted), a news item → 3 (2 + 0 + 1); a CODEV sheet of a case worked before Y1 shared in Y2. Over Y1–Y2:
    6 (3 documents ou liens, 1 compte rendu, 2 actualités); shares 2 (1 document, 1 fiche CODEV); downloads 3.
    Réseau B: a link on its Y2 meeting → 1 (Y1 0, Y2 1), no share, no download.
    Total: 7 (4, 1, 2), shares 2, downloads 3; Y1 3, Y2 4.
    """
    network_a = two_networks["a"]
    link_on(two_networks["early"])
    downloaded = link_on(two_networks["late"], shared_at=datetime(Y2, 4, 2, 10, tzinfo=UTC))
    link_on(two_networks["late"])
    link_on(two_networks["late"], status=ResourceStatus.PENDING)
    link_on(two_networks["meeting_b"])
    before = create_meeting(network_a, datetime(Y1 - 1, 5, 5, 9, tzinfo=UTC))
    case = create_case(two_networks["members_a"][0], state=CaseState.WORKED, meeting=before,
                       has_capitalisation_consent=True)
    db.session.add_all([
        Minutes(meeting_id=two_networks["early"].id, network_id=network_a.id, status=MinutesStatus.PUBLISHED, year=Y1),
        NewsItem(network_id=network_a.id, title="Appel à projets", created_at=datetime(Y1, 5, 1, tzinfo=UTC)),
        NewsItem(network_id=network_a.id, title="Nouvelle offre", created_at=datetime(Y2, 2, 1, tzinfo=UTC)),
        SharedCaseSheet(case_id=case.id, network_id=network_a.id, created_at=datetime(Y2, 7, 1, tzinfo=UTC)),
        ResourceDownload(resource_id=downloaded.id, day=date(Y2, 4, 3), count=3),
        ResourceDownload(resource_id=downloaded.id, day=date(THIS_YEAR, 1, 2), count=4),
    ])
    db.session.commit()
    return two_networks


def test_bilan_query_count_is_the_same_with_shared_resources(client, login, admin, two_networks, count_queries):
    login(admin)
    client.get(_url())
    with count_queries() as without:
        assert client.get(_url()).status_code == 200
    _share_resources(two_networks)
    client.get(_url())
    with count_queries() as with_resources:
        page = _text(client.get(_url()))

    assert with_resources.count == without.count
    assert _cells(page, "Ressources partagées")[2].startswith("<strong>7</strong>")


def _cells(page: str, label: str) -> list[str]:
    page = re.sub(r"[ \t\r\n]+", " ", page)  # ASCII whitespace collapsed, the no-break spaces kept
    return [cell.split("</td>")[0] for cell in page.split(f'<td data-label="{label}">')[1:]]


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


RESOURCE_COLUMNS = ["Ressources partagées", f"Ressources{NBSP}: documents ou liens",
                    f"Ressources{NBSP}: comptes rendus publiés", f"Ressources{NBSP}: actualités",
                    "Partages avec tous les réseaux", f"Partages{NBSP}: documents", f"Partages{NBSP}: fiches CODEV",
                    "Téléchargements (comptés sans savoir par qui)"]


def test_bilan_shows_shared_resources_per_network_total_and_year(client, login, admin, shared):
    login(admin)

    page = _text(client.get(_url()))

    assert _cells(page, "Ressources partagées") == [
        "<strong>6</strong><br><span class=\"muted\">3 documents ou liens, 1 compte rendu publié, 2 actualités</span>",
        "<strong>1</strong><br><span class=\"muted\">1 document ou lien, 0 compte rendu publié, 0 actualité</span>",
        "<strong>7</strong><br><span class=\"muted\">4 documents ou liens, 1 compte rendu publié, 2 actualités</span>"]
    assert _cells(page, "Partages avec tous les réseaux") == [
        "<strong>2</strong><br><span class=\"muted\">1 document, 1 fiche CODEV</span>",
        "<strong>0</strong><br><span class=\"muted\">0 document, 0 fiche CODEV</span>",
        "<strong>2</strong><br><span class=\"muted\">1 document, 1 fiche CODEV</span>"]
    assert _cells(page, "Téléchargements") == ["<strong>3</strong>", "<strong>0</strong>", "<strong>3</strong>"]
    assert [cell.split("cas CODEV</span>")[1] for year in (Y1, Y2) for cell in _cells(page, str(year))] == [
        f'<br><span class="muted">{text}</span>' for text in (
            "3 ressources partagées", "0 ressource partagée", "3 ressources partagées",  # Y1: A, B, total
            "3 ressources partagées", "1 ressource partagée", "4 ressources partagées")]  # Y2
    assert (f"Partages avec tous les réseaux{NBSP}: documents et fiches CODEV mis dans la bibliothèque nationale "
            "pendant ces années.") in page


def test_bilan_pdf_and_xlsx_show_shared_resources(client, login, admin, shared):
    login(admin)

    text = _pdf_text(client.get(_url("/evaluation/bilan.pdf")).data)
    workbook = load_workbook(io.BytesIO(client.get(_url("/evaluation/bilan.xlsx")).data))
    networks = [row for row in workbook["Réseaux"].values]
    years = [row for row in workbook["Trajectoires"].values]

    assert ("5. Ressources partagées Réseau Ressources partagées Partages avec tous les réseaux Téléchargements "
            "Réseau A 6 3 documents ou liens, 1 compte rendu publié, 2 actualités 2 1 document, 1 fiche CODEV 3 "
            "Réseau B 1 1 document ou lien, 0 compte rendu publié, 0 actualité 0 0 document, 0 fiche CODEV 0 "
            "Total 7 4 documents ou liens, 1 compte rendu publié, 2 actualités 2 1 document, 1 fiche CODEV 3") in text
    # the no-break space prints with the space's glyph (DejaVu): read back from the PDF, it is a space
    assert (f"6. Trajectoires : ressources partagées année par année Réseau {Y1} {Y2} Réseau A 3 3 "
            "Réseau B 0 1 Total 3 4") in text
    assert [row[24:] for row in networks] == [tuple(RESOURCE_COLUMNS), (6, 3, 1, 2, 2, 1, 1, 3),
                                              (1, 1, 0, 0, 0, 0, 0, 0), (7, 4, 1, 2, 2, 1, 1, 3)]
    assert [(row[0], row[1], *row[8:]) for row in years[1:]] == [
        ("Réseau A", Y1, 3, 1, 1, 1, 0, 0, 0, 0), ("Réseau A", Y2, 3, 2, 0, 1, 2, 1, 1, 3),
        ("Réseau B", Y1, 0, 0, 0, 0, 0, 0, 0, 0), ("Réseau B", Y2, 1, 1, 0, 0, 0, 0, 0, 0),
        ("Total", Y1, 3, 1, 1, 1, 0, 0, 0, 0), ("Total", Y2, 4, 3, 0, 1, 2, 1, 1, 3)]
    assert list(years[0][8:]) == RESOURCE_COLUMNS


def test_publication_freezes_shared_resources_and_notes_a_news_item_added_later(client, login, admin, shared):
    login(admin)
    client.post("/evaluation/bilan/publier", data={"de": Y1, "a": Y2})
    publication = db.session.scalars(select(Publication)).one()
    payload = json.loads(publication.payload)
    frozen_xlsx = load_workbook(io.BytesIO(client.get(f"/evaluation/publications/{publication.id}.xlsx").data))
    assert payload["format"] == 2
    assert {key: value for key, value in payload["total"].items() if key.startswith("resources_")} == {
        "resources_materials": 4, "resources_minutes": 1, "resources_news": 2, "resources_shared_resources": 1,
        "resources_shared_sheets": 1, "resources_downloads": 3}
    assert [(year["year"], year["resources_news"]) for year in payload["networks"][1]["years"]] == [(Y1, 0), (Y2, 0)]
    assert f"Aucune{NBSP}: recalculés aujourd'hui" in _text(client.get(f"/evaluation/publications/{publication.id}"))

    # a news item of Réseau B's, posted in Y2, restored after the publication
    db.session.add(NewsItem(network_id=shared["b"].id, title="Offre", created_at=datetime(Y2, 9, 1, tzinfo=UTC)))
    db.session.commit()

    page = _text(client.get(f"/evaluation/publications/{publication.id}"))
    notes = [html.unescape(note) for note in re.findall(r"<li>(.*?)</li>", page.split('id="corrections"')[1]
                                                        .split("</section>")[0])]
    assert notes == [f"Réseau B, actualités{NBSP}: 0 publié, 1 aujourd'hui.",
                     f"Réseau B, {Y2}, actualités{NBSP}: 0 publié, 1 aujourd'hui.",
                     f"Total national, actualités{NBSP}: 2 publié, 3 aujourd'hui.",
                     f"Total national, {Y2}, actualités{NBSP}: 1 publié, 2 aujourd'hui."]
    assert _cells(page, "Ressources partagées")[1] == (  # Réseau B as published
        "<strong>1</strong><br><span class=\"muted\">1 document ou lien, 0 compte rendu publié, 0 actualité</span>")
    again = load_workbook(io.BytesIO(client.get(f"/evaluation/publications/{publication.id}.xlsx").data))
    for sheet in ("Réseaux", "Trajectoires"):
        assert list(again[sheet].values) == list(frozen_xlsx[sheet].values)
    assert _cells(_text(client.get(_url())), "Ressources partagées")[1].startswith("<strong>2</strong>")  # today


def _format_1_payload(world) -> dict:
    """The two networks' report as FORMAT 1 stored it, before « Ressources partagées » (values of two_networks)."""
    zero = dict.fromkeys(("cases_worked", "distinct_clients", "distinct_topics", "excused", "followed_up",
                          "meetings_with_topic", "meetings_unrecorded", "resolved", "resolved_or_overcome",
                          "with_outcome", "gse_unscored_t0"), 0)
    no_codev = {"cases_worked": 0, "resolved_or_overcome": 0, "with_outcome": 0}

    def years(*counts):
        return [{"year": year, "attended": attended, "invited": invited, **no_codev}
                for year, (attended, invited) in zip((Y1, Y2), counts, strict=True)]

    return {"format": 1, "first_year": Y1, "last_year": Y2, "networks": [
        {**zero, "network_id": world["a"].id, "slug": "reseau-a", "name": "Réseau A", "members": 5, "attended": 7,
         "invited": 10, "meetings_recorded": 2, "assiduous": 3, "assiduity_members": 5, "meetings_held": 2,
         "gse_respondents_t0": 5, "gse_paired": 5, "gse_mean_t0": 24.0, "gse_mean_t1": 27.0, "gse_mean_change": 3.0,
         "grid_respondents_t0": 5, "grid_respondents_t1": 5, "grid_mean_t0": 0.6, "grid_mean_t1": 1.0,
         "years": years((3, 5), (4, 5))},
        {**zero, "network_id": world["b"].id, "slug": "reseau-b", "name": "Réseau B", "members": 2, "attended": 1,
         "invited": 2, "meetings_recorded": 1, "assiduous": 1, "assiduity_members": 2, "meetings_held": 1,
         "gse_respondents_t0": 1, "gse_paired": 1, "gse_mean_t0": None, "gse_mean_t1": None,
         "gse_mean_change": None, "grid_respondents_t0": 1, "grid_respondents_t1": 1, "grid_mean_t0": None,
         "grid_mean_t1": None, "years": years((0, 0), (1, 2))}],
        "total": {**zero, "network_id": None, "slug": "total", "name": "Total", "members": 7, "attended": 8,
                  "invited": 12, "meetings_recorded": 3, "assiduous": 4, "assiduity_members": 7, "meetings_held": 3,
                  "gse_respondents_t0": 6, "gse_paired": 6, "gse_mean_t0": 23.3, "gse_mean_t1": 27.5,
                  "gse_mean_change": 4.2, "grid_respondents_t0": 6, "grid_respondents_t1": 6, "grid_mean_t0": 0.6,
                  "grid_mean_t1": 1.0, "years": years((3, 5), (5, 7))}}


FORMAT_1_NETWORK_COLUMNS = [
    "Réseau", "Membres actifs", "Présents", "Invités", "Taux de présence", "Assidus", "Membres (assiduité)",
    "Rencontres avec un thème", "Rencontres tenues", "Thèmes distincts", "Cas CODEV travaillés", "Porteurs distincts",
    "Cas suivis", "Résolus", "Résolus ou surmontés", "Suivis hors « sans objet »", "SEP : répondants T0 avec un score",
    "SEP : T0 trop incomplets", "SEP : effectif apparié", "SEP : moyenne T0", "SEP : moyenne T1",
    "SEP : évolution moyenne", "Grille : moyenne T0", "Grille : moyenne T1"]


def test_a_format_1_publication_renders_as_published_and_is_not_corrected_by_resources(client, login, admin, shared):
    payload = _format_1_payload(shared)
    stored = bilan.serialise(payload)
    publication = Publication(title=f"Bilan de l'expérimentation — Années {Y1} à {Y2}", first_year=Y1, last_year=Y2,
                              published_by_id=admin.id, payload=stored, digest=bilan.digest(stored),
                              created_at=utcnow())
    db.session.add(publication)
    db.session.commit()
    login(admin)

    page = _text(client.get(f"/evaluation/publications/{publication.id}"))
    text = _pdf_text(client.get(f"/evaluation/publications/{publication.id}.pdf").data)
    workbook = load_workbook(io.BytesIO(client.get(f"/evaluation/publications/{publication.id}.xlsx").data))

    today = bilan.compute(Y1, Y2, utcnow())
    assert today["total"]["resources_materials"] == 4  # today's figures have resources: none is a correction
    assert bilan.corrections(payload, today) == []
    assert f"Aucune{NBSP}: recalculés aujourd'hui, les chiffres sont identiques à ceux publiés." in page
    assert "<strong>7 sur 10</strong>" in page and "<strong>8 sur 12</strong>" in page
    assert [needle for needle in ('id="ressources"', 'data-label="Ressources partagées"', "ressource partagée",
                                  "Téléchargements") if needle in page] == []
    assert "4. Trajectoires : cas CODEV travaillés année par année" in text
    assert "5. Ressources partagées" not in text and "ressources partagées année par année" not in text
    assert [cell.value for cell in workbook["Réseaux"][1]] == FORMAT_1_NETWORK_COLUMNS
    assert [cell.value for cell in workbook["Trajectoires"][1]] == [
        "Réseau", "Année", "Présents", "Invités", "Taux de présence", "Cas CODEV travaillés", "Résolus ou surmontés",
        "Suivis hors « sans objet »"]
    assert [row[1:4] for row in workbook["Réseaux"].iter_rows(min_row=2, values_only=True)] == [
        (5, 7, 10), (2, 1, 2), (7, 8, 12)]
    assert set(workbook.sheetnames) == {"Publication", "Réseaux", "Trajectoires", "Définitions"}


def test_a_format_1_publication_still_notes_a_correction_of_what_it_holds(client, login, admin, shared):
    published = _format_1_payload(shared)
    today = bilan.compute(Y1, Y2, utcnow())
    today["total"]["resources_news"] = 9  # a figure it never held: never a note
    today["networks"][0]["attended"] = 8
    today["networks"][0]["years"][1]["attended"] = 5

    assert bilan.corrections(published, today) == [f"Réseau A, présents{NBSP}: 7 publié, 8 aujourd'hui.",
                                                   f"Réseau A, {Y2}, présents{NBSP}: 4 publié, 5 aujourd'hui."]
