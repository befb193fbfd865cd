"""Pages, exports and CLI: access rules, the same numbers everywhere, bounded queries, privacy."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from network.codev.enums import CaseState, Outcome, Theme
from network.evaluation import services
from network.evaluation.exports import neutralise
from network.evaluation.models import SelfEfficacyResponse
from network.extensions import db
from network.topics.enums import VoteStatus
from network.topics.models import Ballot
from tests import factories
from tests.clock import SUITE_NOW
from tests.codev.factories import CONTEXT, QUESTION, create_case
from tests.evaluation.conftest import create_meeting, invite_and_record
from tests.topics.factories import create_topic, create_vote

THIS_YEAR = SUITE_NOW.year
# The figures of this year need meetings held earlier this year: every test runs on 15 June (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("mid_year")


def _meetings(network, members, count):
    """`count` meetings early this year: everyone invited, the first member absent, the others present."""
    meetings = []
    for month in range(1, count + 1):
        meeting = create_meeting(network, datetime(THIS_YEAR, 1, 2 * month, 9, tzinfo=UTC), topic_id=month)
        invite_and_record(meeting, {member: "absent" if index == 0 else "present"
                                    for index, member in enumerate(members)})
        meetings.append(meeting)
    return meetings


def _worked(client, meeting, theme, outcome=None, **values):
    return create_case(client, state=CaseState.FOLLOWED_UP if outcome else CaseState.WORKED, meeting=meeting,
                       theme=theme, worked_at=meeting.starts_at, outcome=outcome, **values)


def _codev_and_votes(network, members, meetings):
    """5 cases worked by 3 clients on 3 themes, 4 followed up (one « sans objet »): completion 4 sur 5, resolved
    1 sur 3, resolved or overcome 2 sur 3. One closed round: 3 ballots of 5 members entitled (facilitator
    included)."""
    first, second = meetings[0], meetings[-1]
    _worked(members[1], first, Theme.EARLY_CHILDHOOD, Outcome.RESOLVED, title=SECRET_TITLE)
    _worked(members[2], first, Theme.PARENTING, Outcome.OVERCOME)
    _worked(members[3], second, Theme.HOUSING, Outcome.NOT_APPLICABLE)
    _worked(members[1], second, Theme.EARLY_CHILDHOOD)
    _worked(members[2], second, Theme.PARENTING, Outcome.NOT_RESOLVED)
    vote = create_vote(first, [create_topic(network)], status=VoteStatus.CLOSED,
                       closes_at=first.starts_at + timedelta(days=7))
    db.session.add_all(Ballot(vote_id=vote.id, member_id=member.id) for member in members[1:])
    db.session.commit()


SECRET_TITLE = "Le maire de Saint-Omerville et la crèche"


@pytest.fixture
def populated(network, facilitator):
    members = [factories.create_member(network=network) for _ in range(4)]
    _meetings(network, members, 2)
    return members


@pytest.fixture
def with_codev(network, facilitator):
    members = [factories.create_member(network=network) for _ in range(4)]
    _codev_and_votes(network, members, _meetings(network, members, 2))
    return members


@pytest.mark.parametrize("endpoint", ["/evaluation/", "/evaluation/export.xlsx", "/evaluation/export.csv",
                                      "/evaluation/rapport", "/evaluation/rapport.pdf", "/evaluation/reseaux",
                                      "/evaluation/evolution", "/evaluation/evolution.csv",
                                      "/evaluation/evolution.xlsx"])
def test_coordinators_are_refused_indicators(client, login, coordinator, endpoint):
    login(coordinator)

    assert client.get(endpoint).status_code == 403


def test_facilitator_of_another_network_is_refused(client, login, network, facilitator):
    other = factories.create_network(slug="ailleurs")
    login(facilitator)

    # another network answers like a missing one (issue #14: no discovery); the national view stays forbidden
    assert client.get("/evaluation/?reseau=ailleurs").status_code == 404
    assert client.get("/evaluation/export.xlsx?reseau=ailleurs").status_code == 404
    assert client.get("/evaluation/evolution?reseau=ailleurs").status_code == 404
    assert client.get("/evaluation/evolution.csv?reseau=ailleurs").status_code == 404
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
    assert "venir" not in page  # no "à venir" placeholder left
    assert "<svg" in page and "<script" not in page.split("</header>")[1]


def test_dashboard_says_how_many_entry_answers_were_too_incomplete_to_score(client, login, network, facilitator,
                                                                            populated):
    for member, score in zip(populated, (24.0, None, None), strict=False):
        db.session.add(SelfEfficacyResponse(member_id=member.id, network_id=network.id, wave=0,
                                            taken_on=date(THIS_YEAR, 1, 1), score=score))
    db.session.commit()
    login(facilitator)

    page = client.get("/evaluation/").get_data(as_text=True)

    assert "<dt>Répondants à l'entrée (T0) avec un score</dt><dd>1</dd>" in page
    assert "<dt>Questionnaires d'entrée trop incomplets pour un score</dt><dd>2 " in page


def test_dashboard_filters_show_the_chosen_period_and_territory(client, login, network, facilitator):
    arras = factories.create_territory(network, "Arras & <Lens>")
    factories.create_territory(network, "Béthune")
    login(facilitator)

    page = client.get(f"/evaluation/?annee={THIS_YEAR - 1}&trimestre=2&territoire={arras.id}").get_data(as_text=True)

    assert (f'<label for="annee">Année</label><select id="annee" name="annee"><option value="{THIS_YEAR}">'
            f'{THIS_YEAR}</option><option value="{THIS_YEAR - 1}" selected>{THIS_YEAR - 1}</option>') in page
    assert ('<select id="trimestre" name="trimestre"><option value="">Toute l&#39;année</option>'
            '<option value="1">1er trimestre</option><option value="2" selected>2e trimestre</option>') in page
    assert (f'<select id="territoire" name="territoire"><option value="">Tous les territoires</option>'
            f'<option value="{arras.id}" selected>Arras &amp; &lt;Lens&gt;</option>') in page


def test_dashboard_filters_left_out_or_wrong_show_this_year(client, login, network, facilitator):
    login(facilitator)

    page = client.get("/evaluation/?annee=1900&trimestre=9").get_data(as_text=True)

    assert f'<option value="{THIS_YEAR}" selected>{THIS_YEAR}</option>' in page
    assert ' selected>' not in page.split('id="trimestre"')[1].split("</select>")[0]
    assert 'id="territoire"' not in page  # a network without territories has nothing to choose


def test_dashboard_shows_codev_and_vote_figures_with_counts(client, login, facilitator, with_codev):
    login(facilitator)

    page = client.get("/evaluation/").get_data(as_text=True)
    codev = page.split('id="codev"')[1].split("</section>")[0]

    stats = [" ".join(stat.split()) for stat in codev.split('class="stat"')[1:]]
    assert [stat.split("</p>")[0].split(">")[-1] for stat in stats] == [
        "Cas CODEV travaillés", "Porteurs distincts", "Thèmes distincts", "Complétude des suivis",
        "Problèmes résolus", "Résolus ou surmontés", "Participation aux votes"]
    assert [stat.split('stat__value">')[1].split("<")[0] for stat in stats] == [
        "5", "3", "3", "80 %", "33 %", "67 %", "60 %"]
    assert [stat.split('stat__counts">')[1].split("<")[0] for stat in stats[3:]] == [
        "4 sur 5", "1 sur 3", "2 sur 3", "3 sur 5"]
    assert "1 tour de vote clos" in codev
    assert "<title>Issues des cas CODEV suivis (part des suivis)</title>" in codev
    for label in ("Résolu", "Surmonté / en bonne voie", "Partiellement résolu", "Non résolu", "Sans objet"):
        assert f">{label}<" in codev
    assert "1 sur 4 (25\u00a0%)" in codev and "0 sur 4 (0\u00a0%)" in codev


def test_codev_content_never_reaches_pages_or_exports(client, login, facilitator, with_codev):
    login(facilitator)

    for url in ("/evaluation/", "/evaluation/rapport", "/evaluation/export.csv"):
        body = client.get(url).data.decode("utf-8-sig")
        assert SECRET_TITLE not in body and CONTEXT not in body and QUESTION not in body
    workbook = load_workbook(io.BytesIO(client.get("/evaluation/export.xlsx").data))
    cells = [str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row]
    assert not [cell for cell in cells if SECRET_TITLE in cell or "Saint-Omerville" in cell]


def test_dashboard_query_count_does_not_grow_with_meetings_or_members(client, login, network, facilitator,
                                                                     count_queries):
    members = [factories.create_member(network=network) for _ in range(3)]
    _meetings(network, members, 1)
    login(facilitator)
    client.get("/evaluation/")  # warm-up: the login loader's first lookup is not the page's
    with count_queries() as small:
        assert client.get("/evaluation/").status_code == 200
    more = [factories.create_member(network=network) for _ in range(27)]
    _codev_and_votes(network, more, _meetings(network, members + more, 3))
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


def test_admin_overview_shows_codev_and_votes_per_network_and_total(client, login, admin, network, with_codev):
    factories.create_network(name="Réseau vide")
    login(admin)

    page = client.get("/evaluation/reseaux").get_data(as_text=True)
    codev_cells = [" ".join(cell.split("</td>")[0].split()) for cell in page.split('data-label="CODEV">')[1:]]
    vote_cells = [" ".join(cell.split("</td>")[0].split()) for cell in page.split('data-label="Votes">')[1:]]

    assert [cell.split(" cas")[0] for cell in codev_cells] == ["5", "0", "5"]  # network, empty network, total
    assert "<strong>2 sur 3</strong>" in codev_cells[0] and "<strong>4 sur 5</strong>" in codev_cells[2]
    assert [cell.split("</strong>")[0].split(">")[-1] for cell in vote_cells] == ["3 sur 5", "0 sur 0", "3 sur 5"]


def test_admin_exports_have_codev_and_votes_sheets_per_network_and_total(client, login, admin, network,
                                                                       with_codev):
    factories.create_network(name="Réseau vide")
    login(admin)

    workbook = load_workbook(io.BytesIO(client.get("/evaluation/export.xlsx").data))
    codev = list(workbook["CODEV"].iter_rows(values_only=True))
    votes = list(workbook["Votes"].iter_rows(values_only=True))
    csv_text = client.get("/evaluation/export.csv").data.decode("utf-8-sig")

    assert codev[0][:4] == ("Réseau", "Cas travaillés", "Porteurs distincts", "Thèmes distincts")
    assert [row[:8] for row in codev[1:]] == [(network.name, 5, 3, 3, 4, 0.8, 1, 2),
                                              ("Réseau vide", 0, 0, 0, 0, None, 0, 0), ("Total", 5, 3, 3, 4, 0.8, 1, 2)]
    assert votes[1:] == [(network.name, 1, 3, 5, 0.6), ("Réseau vide", 0, 0, 0, None), ("Total", 1, 3, 5, 0.6)]
    assert "# Votes\r\nRéseau;Tours de vote clos;" in csv_text and f"{network.name};1;3;5;0.6" in csv_text


def test_dashboard_xlsx_csv_and_cli_agree(app, client, login, network, facilitator, with_codev):
    login(facilitator)

    page = client.get("/evaluation/").get_data(as_text=True)
    workbook = load_workbook(io.BytesIO(client.get("/evaluation/export.xlsx").data))
    synthesis = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True)}
    codev_sheet = {row[0]: row[1:] for row in workbook["CODEV"].iter_rows(values_only=True)}
    vote_sheet = {row[0]: row[1:] for row in workbook["Votes"].iter_rows(values_only=True)}
    csv_text = client.get("/evaluation/export.csv").data.decode("utf-8-sig")
    result = app.test_cli_runner().invoke(args=["indicators", "--network", network.slug, "--format", "json"])
    record = json.loads(result.output)["networks"][0]
    csv_result = app.test_cli_runner().invoke(args=["indicators", "--network", network.slug, "--format", "csv"])
    cli_csv = next(csv.DictReader(io.StringIO(csv_result.output)))

    assert "6 sur 8" in page and "4 sur 5" in page and "2 sur 3" in page and "3 sur 5" in page
    assert (synthesis["Présences (présents + partiels)"], synthesis["Invitations de membres"]) == (6, 8)
    assert synthesis["Taux de présence (agrégé)"] == 0.75
    assert "Présences (présents + partiels);6" in csv_text
    assert (record["attended"], record["invited"], record["attendance_rate"]) == (6, 8, 0.75)
    assert (cli_csv["attended"], cli_csv["invited"], cli_csv["attendance_rate"]) == ("6", "8", "0.75")
    # CODEV: 5 worked, 3 clients, 3 themes, 4 sur 5 followed up, 1 and 2 sur 3 resolved (or overcome)
    codev = {"codev_cases_worked": 5, "codev_distinct_clients": 3, "codev_distinct_themes": 3,
             "codev_followed_up": 4, "codev_follow_up_rate": 0.8, "codev_resolved": 1,
             "codev_resolved_or_overcome": 2, "codev_with_outcome": 3, "codev_resolved_rate": 0.3333,
             "codev_resolved_or_overcome_rate": 0.6667, "codev_outcome_resolved": 1, "codev_outcome_overcome": 1,
             "codev_outcome_partially_resolved": 0, "codev_outcome_not_resolved": 1,
             "codev_outcome_not_applicable": 1}
    votes = {"vote_rounds": 1, "vote_ballots": 3, "vote_eligible": 5, "vote_turnout_rate": 0.6}
    assert {key: record[key] for key in {**codev, **votes}} == {**codev, **votes}
    assert {key: cli_csv[key] for key in {**codev, **votes}} == {key: str(value) for key, value in
                                                                 {**codev, **votes}.items()}
    assert (synthesis["CODEV : cas travaillés"], synthesis["CODEV : taux de résolus ou surmontés"],
            synthesis["Votes : participation aux votes"]) == (5, 0.6667, 0.6)
    assert codev_sheet["Cas travaillés"][0] == 5
    assert codev_sheet["Complétude des suivis (cas avec un suivi ÷ cas travaillés)"] == (4, 5, 0.8)
    assert codev_sheet["Problèmes résolus (÷ suivis hors « sans objet »)"] == (1, 3, 0.3333)
    assert codev_sheet["Résolus ou surmontés (÷ suivis hors « sans objet »)"] == (2, 3, 0.6667)
    assert codev_sheet["Issue « surmonté / en bonne voie » (÷ suivis)"] == (1, 4, 0.25)
    assert vote_sheet["Participation aux votes (bulletins ÷ membres appelés à voter)"] == (3, 5, 0.6)
    assert "CODEV : cas travaillés;5" in csv_text
    assert "Participation aux votes (bulletins ÷ membres appelés à voter);3;5;0.6" in csv_text
    assert set(workbook.sheetnames) >= {"Synthèse", "Présence par rencontre", "Définitions", "CODEV", "Votes"}
    definitions = {row[0]: row[1] for row in workbook["Définitions"].iter_rows(values_only=True)}
    assert not [name for name in definitions if "venir" in name or "venir" in definitions[name]]


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


def test_report_pdf_is_a_pdf(client, login, network, facilitator, with_codev):
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
    asked = client.post("/evaluation/efficacite", data=answers)
    response = client.post("/evaluation/efficacite", data={**answers, "skip": "8,9,10"})
    page = client.get("/evaluation/moi").get_data(as_text=True)

    assert asked.status_code == 200 and "Vous n&#39;avez pas répondu aux questions 8, 9 et 10." in asked.get_data(
        as_text=True)
    assert response.status_code == 302
    assert db.session.scalar(db.select(SelfEfficacyResponse.score)) == 30.0
    assert "30,0" in page and "3 réponses manquantes" in page


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
