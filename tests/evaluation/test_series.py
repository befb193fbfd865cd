"""Several years computed in one pass (Series): the same figures as year by year, in the queries of one year."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from network.codev.enums import CaseState, Outcome, Theme
from network.database import utcnow
from network.evaluation import indicators
from network.evaluation.figures import Assiduity, Ratio, SelfEfficacyGroup, VoteTurnout
from network.evaluation.models import SelfEfficacyResponse
from network.periods import PARIS, Period, Series
from network.extensions import db as _db
from network.members.enums import Role
from network.sessions.enums import MeetingKind
from network.topics.enums import VoteStatus
from network.topics.models import Ballot
from tests import factories
from tests.codev.factories import create_case
from tests.evaluation.conftest import at, create_meeting, invite_and_record
from tests.topics.factories import create_topic, create_vote

NOW = datetime(2025, 12, 31, 12, tzinfo=UTC)
NEW_YEAR_EVE = datetime(2024, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Paris: still 2024
NEW_YEAR = datetime(2024, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January 2025 in Paris: 2025 already


def _answer(member, wave, score, taken_on):
    _db.session.add(SelfEfficacyResponse(member_id=member.id, network_id=member.network_id, wave=wave,
                                         taken_on=taken_on, score=score))


def _ballots(vote, *members):
    _db.session.add_all(Ballot(vote_id=vote.id, member_id=member.id) for member in members)
    _db.session.commit()


@pytest.fixture
def years(db):
    """
    Network N: A, B, C joined 2023-01-01, D joined 2024-06-01, P0–P4 joined 2023-01-01 (self-efficacy only).
      2023  M1 03-10: A present, B absent, C present (2 sur 3) · training 05-01: A present · case of A resolved
            self-efficacy: P0–P4 answer T0 (20–24): 5 respondents, none paired
      2024  M2 31/12 23:30 Paris: A present, B present, C absent, D partial (3 sur 4), topic 11
            vote round closed 2024-03-01: A voted; entitled A B C P0–P4 = 8
            P0–P4 answer T1 (24–28): paired 5, means 22 → 26 (+4)
      2025  M3 1/1 00:30 Paris: A absent, B excused, C present, D present (2 sur 4), topic 12 · case of B overcome
            M4 06-15: A present, D absent (1 sur 2) · case of C worked, no follow-up
            vote round closed 2025-03-01: A B D voted; entitled + D = 9
            P0–P4 answer T2 (30–34): the latest answer by the end of 2025, means 22 → 32 (+10)
    Another network holds one meeting in 2025: B2 present (1 sur 1).
    """
    network = factories.create_network(name="Réseau N")
    a, b, c = (factories.create_member(network=network, joined_on=date(2023, 1, 1)) for _ in range(3))
    d = factories.create_member(network=network, joined_on=date(2024, 6, 1))
    m1 = create_meeting(network, at(2023, 3, 10))
    invite_and_record(m1, {a: "present", b: "absent", c: "present"})
    invite_and_record(create_meeting(network, at(2023, 5, 1), kind=MeetingKind.TRAINING), {a: "present"})
    m2 = create_meeting(network, NEW_YEAR_EVE, topic_id=11)
    invite_and_record(m2, {a: "present", b: "present", c: "absent", d: "partial"})
    m3 = create_meeting(network, NEW_YEAR, topic_id=12)
    invite_and_record(m3, {a: "absent", b: "excused", c: "present", d: "present"})
    m4 = create_meeting(network, at(2025, 6, 15))
    invite_and_record(m4, {a: "present", d: "absent"})
    for client, meeting, state, outcome in ((a, m1, CaseState.CLOSED, Outcome.RESOLVED),
                                            (b, m3, CaseState.FOLLOWED_UP, Outcome.OVERCOME),
                                            (c, m4, CaseState.WORKED, None)):
        create_case(client, state=state, meeting=meeting, theme=Theme.PARENTING, outcome=outcome,
                    worked_at=meeting.starts_at)
    topics = [create_topic(network), create_topic(network)]
    panel = [factories.create_member(network=network, joined_on=date(2023, 1, 1)) for _ in range(5)]
    _ballots(create_vote(m1, topics, status=VoteStatus.CONFIRMED, closes_at=at(2024, 3, 1),
                         closed_at=at(2024, 3, 1)), a)
    _ballots(create_vote(m3, topics, status=VoteStatus.CONFIRMED, closes_at=at(2025, 3, 1),
                         closed_at=at(2025, 3, 1)), a, b, d)
    for index, member in enumerate(panel):
        _answer(member, 0, 20.0 + index, date(2023, 2, 1))
        _answer(member, 1, 24.0 + index, date(2024, 2, 1))
        _answer(member, 2, 30.0 + index, date(2025, 2, 1))
    other = factories.create_network(name="Autre réseau")
    b2 = factories.create_member(network=other, joined_on=date(2023, 1, 1))
    invite_and_record(create_meeting(other, at(2025, 4, 2)), {b2: "present"})
    _db.session.commit()
    return dict(network=network, other=other)


def test_a_series_gives_each_year_its_own_figures(years):
    series = Series.of_years(2023, 2025, NOW, network_ids=(years["network"].id,))

    lines = {scope.period.year: rows[0] for scope, rows, _total in indicators.series_summaries(series,
                                                                                               with_total=False)}

    assert [lines[year].attendance.counts.rate for year in (2023, 2024, 2025)] == [Ratio(2, 3), Ratio(3, 4),
                                                                                     Ratio(3, 6)]
    assert [lines[year].attendance.assiduity for year in (2023, 2024, 2025)] == [
        Assiduity(3, 2), Assiduity(4, 3), Assiduity(4, 1)]
    assert [(lines[year].topics.meetings_held, lines[year].topics.distinct_topics) for year in (2023, 2024, 2025)] \
        == [(1, 0), (1, 1), (2, 1)]
    assert [lines[year].training.participants for year in (2023, 2024, 2025)] == [1, 0, 0]
    assert [(lines[year].codev.cases_worked, lines[year].codev.resolved, lines[year].codev.resolved_or_overcome)
            for year in (2023, 2024, 2025)] == [(1, 1, 1), (0, 0, 0), (2, 0, 1)]
    assert [lines[year].votes for year in (2023, 2024, 2025)] == [VoteTurnout(), VoteTurnout(1, 1, 8),
                                                                  VoteTurnout(1, 3, 9)]
    assert [lines[year].self_efficacy for year in (2023, 2024, 2025)] == [
        SelfEfficacyGroup(5, 0), SelfEfficacyGroup(5, 5, 22.0, 26.0, 4.0), SelfEfficacyGroup(5, 5, 22.0, 32.0, 10.0)]


def test_a_series_equals_the_years_computed_one_by_one(years):
    series = Series.of_years(2022, 2025, NOW)

    together = indicators.series_summaries(series)
    apart = [indicators.network_summaries(scope) for scope in series.scopes]

    assert [(scope.period, rows, total) for scope, rows, total in together] == [
        (scope.period, rows, total) for scope, (rows, total) in zip(series.scopes, apart, strict=True)]
    assert [total.attendance.counts.rate for _scope, _rows, total in together] == [
        Ratio(0, 0), Ratio(2, 3), Ratio(3, 4), Ratio(4, 7)]


def test_ten_years_cost_the_queries_of_one(years, count_queries):
    network_ids = (years["network"].id,)
    counts = []
    for first_year in (2025, 2016):
        for with_total in (False, True):
            with count_queries() as counter:
                indicators.series_summaries(Series.of_years(first_year, 2025, NOW, network_ids=network_ids),
                                            with_total=with_total)
            counts.append(counter.count)

    assert counts == [12, 17, 12, 17]  # the total sums the networks' assiduity and votes; « ressources partagées » one statement more


def test_a_moment_falls_in_the_period_of_its_paris_date():
    series = Series.of_years(2024, 2026, NOW)

    assert [series.bucket_of(moment) for moment in (at(2024, 1, 1), NEW_YEAR_EVE, NEW_YEAR, at(2026, 7, 1))] \
        == [0, 0, 1, 2]


def test_the_periods_of_a_series_follow_each_other():
    with pytest.raises(ValueError):
        Series((Period(2023), Period(2025)), NOW)
    with pytest.raises(ValueError):
        Series((), NOW)


def test_the_indicators_command_prints_a_year_by_year_series(app, years):
    runner = app.test_cli_runner()
    slug = years["network"].slug

    as_csv = runner.invoke(args=["indicators", "--network", slug, "--from-year", "2023", "--year", "2025",
                                 "--format", "csv"])
    as_json = json.loads(runner.invoke(args=["indicators", "--from-year", "2024", "--year", "2025"]).output)
    backwards = runner.invoke(args=["indicators", "--from-year", "2026", "--year", "2025"])
    with_quarter = runner.invoke(args=["indicators", "--from-year", "2024", "--year", "2025", "--quarter", "1"])

    assert [(row["period"], row["network"], row["attendance_rate"], row["codev_cases_worked"])
            for row in csv.DictReader(io.StringIO(as_csv.output))] == [
        ("2023", slug, "0.6667", "1"), ("2024", slug, "0.75", "0"), ("2025", slug, "0.5", "2")]
    assert [(period["period"], [(line["name"], line["attendance_rate"]) for line in period["networks"]])
            for period in as_json["periods"]] == [
        ("2024", [("Autre réseau", None), ("Réseau N", 0.75), ("Total", 0.75)]),
        ("2025", [("Autre réseau", 1.0), ("Réseau N", 0.5), ("Total", 0.5714)])]
    assert (backwards.exit_code, with_quarter.exit_code) == (2, 2)
    assert "--from-year (2026) comes after the last year (2025)" in backwards.output


def _years_table(page: str) -> dict[str, str]:
    """The rows of the year-by-year table as text, keyed by year, in the page's order."""
    table = page.split('class="table table--cards table--years"')[1].split("</table>")[0]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split("<tr>")[2:]]
    return {row.split()[0]: row for row in rows}


def test_the_evolution_page_shows_each_year_since_the_first_meeting(client, login, years):
    facilitator = factories.create_member(network=years["network"], role=Role.FACILITATOR, joined_on=date(2023, 1, 1))
    login(facilitator)

    page = client.get("/evaluation/evolution").get_data(as_text=True)
    rows = _years_table(page)

    this_year = utcnow().astimezone(PARIS).year  # 2026 or later: the fixture's years are all past
    assert list(rows) == [str(year) for year in range(this_year, 2022, -1)]  # from 2023, its first meeting
    # the facilitator is one more member entitled to vote: 9 in 2024, 10 in 2025
    assert rows["2025"] == ("2025 2 50 % 3 sur 6 25 % 1 sur 4 50 % 1 sur 2 2 100 % 1 sur 1 30 % 3 sur 10 "
                            "+10,0 points T0 → T1, n = 5")
    assert rows["2024"] == ("2024 1 75 % 3 sur 4 75 % 3 sur 4 100 % 1 sur 1 0 n.d. 11 % 1 sur 9 "
                            "+4,0 points T0 → T1, n = 5")
    assert rows["2023"] == "2023 1 67 % 2 sur 3 67 % 2 sur 3 0 % 0 sur 1 1 100 % 1 sur 1 n.d. n.d. n = 0 (moins de 5)"
    assert "Taux de présence aux rencontres trimestrielles, par année" in page
    assert page.index("2 sur 3 (67") < page.index("3 sur 4 (75") < page.index("3 sur 6 (50")  # the chart, oldest first


def test_the_report_ends_with_the_years_and_the_dashboard_links_to_them(client, login, years):
    login(factories.create_member(network=years["network"], role=Role.FACILITATOR))

    report = client.get("/evaluation/rapport?annee=2024").get_data(as_text=True)
    dashboard = client.get("/evaluation/?annee=2024").get_data(as_text=True)

    assert "6. Année par année" in report and _years_table(report)["2024"].startswith("2024 1 75 % 3 sur 4")
    assert 'href="/evaluation/evolution?annee=2024"' in dashboard and "table--years" not in dashboard


def test_the_years_download_as_xlsx_and_csv_oldest_first(client, login, years):
    login(factories.create_member(network=years["network"], role=Role.FACILITATOR))
    this_year = utcnow().astimezone(PARIS).year

    xlsx = client.get("/evaluation/evolution.xlsx")
    csv_text = client.get("/evaluation/evolution.csv").data.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(xlsx.data))["Année par année"]
    header, *rows = sheet.iter_rows(values_only=True)
    rate = header.index("Taux de présence (agrégé)")
    worked = header.index("CODEV : cas travaillés")

    assert xlsx.headers["Content-Disposition"] == (
        f'attachment; filename="evaluation-{years["network"].slug}-2023-{this_year}.xlsx"')
    assert [(row[0], row[rate], row[worked]) for row in rows[:3]] == [(2023, 0.6667, 1), (2024, 0.75, 0), (2025, 0.5, 2)]
    assert [row[0] for row in rows] == list(range(2023, this_year + 1))
    assert csv_text.startswith("# Année par année\r\nAnnée;Membres actifs;")
    assert "\r\n2024;" in csv_text and "\r\n# Définitions\r\n" in csv_text
