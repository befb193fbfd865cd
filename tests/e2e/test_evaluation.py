"""The evaluation as a facilitator uses it: open the dashboard, pick last year, read a meeting's attendance and the
CODEV figures with their counts, download the spreadsheet."""

from datetime import UTC, datetime

from openpyxl import load_workbook

from network.codev.enums import CaseState, Outcome, Theme
from network.database import utcnow
from network.periods import PARIS
from tests import factories
from tests.codev.factories import create_case
from tests.e2e.test_topic_vote import sign_in
from tests.evaluation.conftest import create_meeting, invite_and_record


def test_facilitator_reads_last_years_figures_and_downloads_the_xlsx(live_server, page, network, facilitator,
                                                                      tmp_path):
    last_year = utcnow().astimezone(PARIS).year - 1
    members = [factories.create_member(network=network) for _ in range(4)]
    meeting = create_meeting(network, datetime(last_year, 3, 12, 9, tzinfo=UTC), title="Rencontre de printemps")
    invite_and_record(meeting, {members[0]: "present", members[1]: "present", members[2]: "partial",
                                members[3]: "excused"})
    create_case(members[0], state=CaseState.FOLLOWED_UP, meeting=meeting, theme=Theme.PARENTING,
                worked_at=meeting.starts_at, outcome=Outcome.RESOLVED)
    create_case(members[1], state=CaseState.WORKED, meeting=meeting, theme=Theme.HOUSING,
                worked_at=meeting.starts_at)

    sign_in(page, live_server, facilitator)
    page.goto(f"{live_server}/evaluation/")
    assert page.locator("h1").inner_text() == "Évaluation du réseau"
    assert page.get_by_text("Aucune rencontre passée sur cette période.").is_visible()

    page.get_by_label("Année").select_option(str(last_year))
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(f"**/evaluation/?annee={last_year}**")

    row = page.locator("tr", has_text="Rencontre de printemps")
    assert row.locator('td[data-label="Présences"]').inner_text() == "3 sur 4 (75\u00a0%)"
    assert row.locator('td[data-label="Hors excusés"]').inner_text() == "3 sur 3 (100\u00a0%)"
    assert f"Année {last_year}" in page.locator(".lead").inner_text()
    codev = page.locator("section", has=page.locator("#codev"))
    worked = codev.locator(".stat", has_text="Cas CODEV travaillés")
    assert worked.locator(".stat__value").inner_text() == "2"
    completion = codev.locator(".stat", has_text="Complétude des suivis")
    assert completion.locator(".stat__counts").inner_text() == "1 sur 2"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export XLSX").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    assert download.suggested_filename == f"evaluation-{network.slug}-{last_year}.xlsx"
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Synthèse", "Présence par rencontre", "Présence par territoire",
                                   "Présence par institution", "Assiduité", "Formations", "Thèmes",
                                   "Efficacité personnelle", "Grille", "CODEV", "Votes", "Définitions"]
    assert workbook["Présence par rencontre"]["B2"].value == "Rencontre de printemps"
    assert [row[:3] for row in workbook["CODEV"].iter_rows(min_row=2, max_row=2, values_only=True)] == [
        ("Cas travaillés", 2, None)]

    page.get_by_role("link", name="Année par année").click()
    page.wait_for_url(f"**/evaluation/evolution?annee={last_year}**")
    last_year_row = page.locator("table.table--years tr", has_text=str(last_year))
    assert page.locator("h1").inner_text() == "Année par année"
    assert last_year_row.locator('td[data-label="Présence"]').inner_text() == "75\u00a0%\n3 sur 4"
    assert last_year_row.locator('td[data-label="Cas CODEV"]').inner_text() == "2"


def test_admin_reads_the_bilan_and_publishes_it(live_server, page, network, admin):
    """The national bodies' report: from « tous les réseaux » to the Bilan over two closed years, then frozen."""
    this_year = utcnow().astimezone(PARIS).year
    first, last = this_year - 2, this_year - 1
    members = [factories.create_member(network=network) for _ in range(3)]
    invite_and_record(create_meeting(network, datetime(first, 3, 12, 9, tzinfo=UTC)),
                      {members[0]: "present", members[1]: "present", members[2]: "absent"})
    invite_and_record(create_meeting(network, datetime(last, 3, 12, 9, tzinfo=UTC)),
                      {members[0]: "present", members[1]: "absent", members[2]: "absent"})

    sign_in(page, live_server, admin)
    page.goto(f"{live_server}/evaluation/reseaux")
    page.get_by_role("link", name="Bilan de l'expérimentation").click()
    page.get_by_label("De l'année").select_option(str(first))
    page.get_by_label("À l'année").select_option(str(last))
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(f"**/evaluation/bilan?de={first}&a={last}")

    assert page.locator("h1").inner_text() == f"Bilan de l'expérimentation — Années {first} à {last}"
    row = page.locator("#reseaux ~ .table-wrap tr", has_text=network.name)
    assert row.locator('td[data-label="Présence"]').inner_text() == "3 sur 6 (50\u00a0%)"
    total = page.locator("#reseaux ~ .table-wrap tr.row--total")
    assert total.locator('td[data-label="Efficacité personnelle"]').inner_text() == "effectif insuffisant (n = 0)"

    page.get_by_role("button", name="Publier ce bilan").click()
    page.wait_for_url("**/evaluation/publications/*")
    assert page.get_by_text("Le bilan est publié").is_visible()
    assert "Publication figée n°\u00a0" in page.locator(".lead").inner_text()
    assert page.get_by_text("Aucune\u00a0: recalculés aujourd'hui, les chiffres sont identiques à ceux publiés.")\
        .is_visible()
