"""Pages, exports and CLI: access rules, the same numbers everywhere, bounded queries, privacy."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from network.database import utcnow
from network.evaluation import services
from network.evaluation.exports import neutralise
from network.evaluation.models import SelfEfficacyResponse
from network.evaluation.periods import PARIS
from network.extensions import db
from tests import factories
from tests.evaluation.conftest import create_meeting, invite_and_record

THIS_YEAR = utcnow().astimezone(PARIS).year


def _meetings(network, members, count):
    """`count` meetings early this year: everyone invited, the first member absent, the others present."""
    for month in range(1, count + 1):
        meeting = create_meeting(network, datetime(THIS_YEAR, 1, 2 * month, 9, tzinfo=UTC), topic_id=month)
        invite_and_record(meeting, {member: "absent" if index == 0 else "present"
                                    for index, member in enumerate(members)})


@pytest.fixture
def populated(network, facilitator):
    members = [factories.create_member(network=network) for _ in range(4)]
    _meetings(network, members, 2)
    return members


@pytest.mark.parametrize("endpoint", ["/evaluation/", "/evaluation/export.xlsx", "/evaluation/export.csv",
                                      "/evaluation/rapport", "/evaluation/rapport.pdf", "/evaluation/reseaux"])
def test_coordinators_are_refused_indicators(client, login, coordinator, endpoint):
    login(coordinator)

    assert client.get(endpoint).status_code == 403


def test_facilitator_of_another_network_is_refused(client, login, network, facilitator):
    other = factories.create_network(slug="ailleurs")
    login(facilitator)

    assert client.get("/evaluation/?reseau=ailleurs").status_code == 403
    assert client.get("/evaluation/export.xlsx?reseau=ailleurs").status_code == 403
    assert client.get("/evaluation/reseaux").status_code == 403
    assert other.id


def test_facilitators_cannot_open_members_own_pages(client, login, facilitator):
    login(facilitator)

    assert client.get("/evaluation/moi").status_code == 403
    assert client.get("/evaluation/efficacite").status_code == 403


def test_dashboard_shows_counts_beside_rates(client, login, facilitator, populated):
    login(facilitator)

    page = client.get("/evaluation/").get_data(as_text=True)

    assert "6 sur 8" in page  # 3 of 4 present, twice
    assert "effectif insuffisant (n &lt; 5)" in page
    assert "À venir" in page
    assert "<svg" in page and "<script" not in page.split("</header>")[1]


def test_dashboard_query_count_does_not_grow_with_meetings_or_members(client, login, network, facilitator,
                                                                     count_queries):
    members = [factories.create_member(network=network) for _ in range(3)]
    _meetings(network, members, 1)
    login(facilitator)
    client.get("/evaluation/")  # warm-up: the login loader's first lookup is not the page's
    with count_queries() as small:
        assert client.get("/evaluation/").status_code == 200
    more = [factories.create_member(network=network) for _ in range(27)]
    _meetings(network, members + more, 3)
    client.get("/evaluation/")
    with count_queries() as large:
        assert client.get("/evaluation/").status_code == 200

    assert large.count == small.count


def test_admin_overview_lists_each_network_and_the_total(client, login, admin, network, populated):
    factories.create_network(name="Réseau vide")
    login(admin)

    redirect = client.get("/evaluation/")
    followed = client.get("/evaluation/", follow_redirects=True).get_data(as_text=True)

    assert (redirect.status_code, redirect.location) == (302, "/evaluation/reseaux")
    assert "Réseau vide" in followed and "Total" in followed and followed.count("6 sur 8") == 2


def test_dashboard_xlsx_csv_and_cli_agree(app, client, login, network, facilitator, populated):
    login(facilitator)

    workbook = load_workbook(io.BytesIO(client.get("/evaluation/export.xlsx").data))
    synthesis = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True)}
    csv_text = client.get("/evaluation/export.csv").data.decode("utf-8-sig")
    result = app.test_cli_runner().invoke(args=["indicators", "--network", network.slug, "--format", "json"])
    record = json.loads(result.output)["networks"][0]
    csv_result = app.test_cli_runner().invoke(args=["indicators", "--network", network.slug, "--format", "csv"])
    cli_csv = next(csv.DictReader(io.StringIO(csv_result.output)))

    assert (synthesis["Présences (présents + partiels)"], synthesis["Invitations de membres"]) == (6, 8)
    assert synthesis["Taux de présence (agrégé)"] == 0.75
    assert "Présences (présents + partiels);6" in csv_text
    assert (record["attended"], record["invited"], record["attendance_rate"]) == (6, 8, 0.75)
    assert (cli_csv["attended"], cli_csv["invited"], cli_csv["attendance_rate"]) == ("6", "8", "0.75")
    assert set(workbook.sheetnames) >= {"Synthèse", "Présence par rencontre", "Définitions", "CODEV"}


def test_cli_without_network_covers_every_network_and_the_total(app, network, populated):
    factories.create_network(name="Autre")

    result = app.test_cli_runner().invoke(args=["indicators", "--year", str(THIS_YEAR)])
    names = [entry["name"] for entry in json.loads(result.output)["networks"]]

    assert names == ["Autre", network.name, "Total"]


def test_exports_never_carry_an_individual_score(client, login, network, facilitator, coordinator):
    db.session.add(SelfEfficacyResponse(member_id=coordinator.id, network_id=network.id, wave=0,
                                        taken_on=date(THIS_YEAR, 1, 1), score=37.3))
    db.session.commit()
    login(facilitator)

    for url in ("/evaluation/", "/evaluation/export.csv", "/evaluation/rapport"):
        body = client.get(url).get_data(as_text=True)
        assert "37,3" not in body and "37.3" not in body


@pytest.mark.parametrize(("value", "expected"), [("=1+1", "'=1+1"), ("+33", "'+33"), ("-x", "'-x"),
                                                 ("@SUM", "'@SUM"), ("\tx", "'\tx"), ("\rx", "'\rx"),
                                                 ("Caf", "Caf"), (3, 3)])
def test_spreadsheet_formulas_are_neutralised(value, expected):
    assert neutralise(value) == expected


def test_territory_name_with_a_formula_is_neutralised_in_the_xlsx(client, login, network, facilitator):
    territory = factories.create_territory(network, "=HYPERLINK(\"http://x\")")
    member = factories.create_member(network=network, territory_id=territory.id)
    _meetings(network, [member], 1)
    login(facilitator)

    workbook = load_workbook(io.BytesIO(client.get("/evaluation/export.xlsx").data))

    assert workbook["Présence par territoire"]["A2"].value == "'=HYPERLINK(\"http://x\")"


def test_report_pdf_is_a_pdf(client, login, network, facilitator, populated):
    territory = factories.create_territory(network, "Communauté de communes du Haut-Pays œcuménique ≥ très long")
    member = factories.create_member(network=network, territory_id=territory.id)
    _meetings(network, [member], 1)
    login(facilitator)

    response = client.get("/evaluation/rapport.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_member_answers_the_questionnaire_and_sees_only_their_score(client, login, coordinator):
    login(coordinator)

    answers = {f"item_{n}": "3" for n in range(1, 8)}
    response = client.post("/evaluation/efficacite", data=answers)
    page = client.get("/evaluation/moi").get_data(as_text=True)

    assert response.status_code == 302
    assert db.session.scalar(db.select(SelfEfficacyResponse.score)) == 30.0
    assert "30,0" in page and "3 réponse(s) manquante(s)" in page


def test_member_fills_the_grid_and_sees_the_radar(client, login, network, facilitator, coordinator):
    services.create_default_grid(network, actor=facilitator)
    db.session.commit()
    login(coordinator)
    form = client.get("/evaluation/grille").get_data(as_text=True)
    names = sorted(set(name for name in form.split('name="')[1:] for name in [name.split('"')[0]]
                       if name.startswith("activity_")))

    response = client.post("/evaluation/grille", data={name: "2" for name in names})
    invalid = client.post("/evaluation/grille", data={names[0]: "2"})
    page = client.get("/evaluation/moi").get_data(as_text=True)

    assert len(names) == 28
    assert response.status_code == 302
    assert invalid.status_code == 200 and "Notez cette activité" in invalid.get_data(as_text=True)
    assert "67\u00a0%" in page and "<polygon" in page


def test_facilitator_edits_the_grid(client, login, network, facilitator):
    login(facilitator)

    client.post("/evaluation/grille/initialiser")
    added = client.post("/evaluation/grille/rubriques", data={"title": "Mission 5", "short_title": "M5",
                                                               "is_active": "y"})
    invalid = client.post("/evaluation/grille/rubriques", data={"title": "", "short_title": ""})
    page = client.get("/evaluation/grille/modifier").get_data(as_text=True)

    assert added.status_code == 302 and invalid.status_code == 302
    assert "Mission 5" in page and "Suit le partenariat contractuel" in page


def test_coordinator_cannot_edit_the_grid(client, login, coordinator):
    login(coordinator)

    assert client.get("/evaluation/grille/modifier").status_code == 403
    assert client.post("/evaluation/grille/initialiser").status_code == 403


def test_send_invitations_command(app, network, coordinator):
    result = app.test_cli_runner().invoke(args=["evaluation", "send-self-efficacy-invitations"])

    assert result.output.strip() == "invitations queued=1"
