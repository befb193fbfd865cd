"""The experiment's national report (Bilan de l'expérimentation) and its frozen publications: admins only, every
network side by side over chosen years with the total and the trajectories, page = PDF = XLSX, « effectif
insuffisant » below the group threshold; a publication reproduces its figures exactly and notes later corrections.
Expected values computed by hand."""

import html
import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from network.database import utcnow
from network.errors import DomainError
from network.evaluation import bilan, services
from network.evaluation.models import GridActivity, GridRubric, Publication, SelfEfficacyResponse
from network.periods import PARIS
from network.extensions import db
from network.members import services as member_services
from network.sessions.models import Attendance
from tests import factories
from tests.evaluation.conftest import create_meeting, invite_and_record

THIS_YEAR = utcnow().astimezone(PARIS).year
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
    invite_and_record(create_meeting(network_a, datetime(Y1, 3, 10, 9, tzinfo=UTC)),
                      {a[0]: "present", a[1]: "present", a[2]: "present", a[3]: "absent", a[4]: "absent"})
    late = create_meeting(network_a, datetime(Y2, 3, 10, 9, tzinfo=UTC))
    invite_and_record(late, {a[0]: "present", a[1]: "present", a[2]: "present", a[3]: "present", a[4]: "absent"})
    invite_and_record(create_meeting(network_b, datetime(Y2, 6, 10, 9, tzinfo=UTC)), {b[0]: "present",
                                                                                      b[1]: "absent"})
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
    return dict(a=network_a, b=network_b, members_a=a, late=late)


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
    assert (networks["Réseau A"][22:], networks["Réseau B"][22:], networks["Total"][22:]) == (
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
