"""Reading what the app shows (issue 15, items 8 and 12): tables wrap on spaces, the facilitators' CODEV list has no
empty « Votre rôle » column, members see meeting states that concern them, the projector page is a real page,
exports write real dates and name their charset once."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from network.database import utcnow
from network.periods import PARIS
from network.sessions.enums import MeetingStatus
from tests import factories
from tests.codev.factories import create_case
from tests.evaluation.conftest import create_meeting as create_held_meeting, invite_and_record
from tests.sessions import factories as sf
from tests.topics.factories import create_meeting, create_topic, create_vote

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "app.css").read_text(encoding="utf-8")


def test_table_cells_never_break_inside_a_word():
    assert "anywhere" not in CSS and "hyphens: auto" not in CSS
    rule = re.search(r"\.table th, \.table td \{([^}]*)\}", CSS).group(1)
    assert "overflow-wrap: break-word" in rule


def test_facilitators_codev_list_has_no_role_column(client, login, network, facilitator, coordinator):
    create_case(coordinator, state="proposed")
    login(facilitator)
    page = client.get("/codev/").get_data(as_text=True)

    assert "Votre rôle" not in page and "métadonnées" not in page


def test_coordinators_codev_list_keeps_their_role(client, login, coordinator):
    create_case(coordinator, state="proposed")
    login(coordinator)
    page = client.get("/codev/").get_data(as_text=True)

    assert '<th scope="col">Votre rôle</th>' in page and "Client·e" in page


def test_members_see_a_to_come_state_not_the_facilitators_steps(client, make_client, login, network, coordinator,
                                                                 facilitator):
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED, title="Rencontre d'hiver")
    login(coordinator)
    member_page = client.get(f"/rencontres/{meeting.id}").get_data(as_text=True)
    staff = login(facilitator, on=make_client())
    staff_page = staff.get(f"/rencontres/{meeting.id}").get_data(as_text=True)

    assert '<span class="badge badge--accent">À venir</span>' in member_page
    assert "Invitations envoyées" not in member_page
    assert ('<span class="badge badge--accent" title="Invitations envoyées\u00a0: les membres peuvent répondre.">'
            'Invitations envoyées</span>') in staff_page


def test_projector_page_has_a_heading_and_the_favicon(client, login, network, facilitator, coordinator):
    meeting = create_meeting(network, starts_at=utcnow() + timedelta(days=3), title="Rencontre d'hiver")
    vote = create_vote(meeting, [create_topic(network, author=coordinator) for _ in range(2)])
    login(facilitator)
    page = client.get(f"/themes/votes/{vote.id}/projection").get_data(as_text=True)

    assert '<h1 class="projector__kicker">Vote du thème de la prochaine rencontre · Rencontre d&#39;hiver</h1>' in page
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_xlsx_meeting_dates_are_excel_dates_and_csv_names_its_charset_once(client, login, network, facilitator):
    year = utcnow().astimezone(PARIS).year - 1
    meeting = create_held_meeting(network, datetime(year, 3, 12, 23, 30, tzinfo=UTC), title="Rencontre de mars")
    invite_and_record(meeting, {factories.create_member(network=network): "present"})
    login(facilitator)

    xlsx = client.get(f"/evaluation/export.xlsx?annee={year}")
    csv_response = client.get(f"/evaluation/export.csv?annee={year}")
    cell = load_workbook(io.BytesIO(xlsx.data))["Présence par rencontre"]["A2"]

    assert (cell.value, cell.number_format) == (datetime(year, 3, 13), "DD/MM/YYYY")  # 00:30 in Paris
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f"{date(year, 3, 13).isoformat()};Rencontre de mars" in csv_response.data.decode("utf-8-sig")


def test_topic_history_shows_members_a_past_meeting_not_held_or_closed(client, login, network, coordinator):
    create_meeting(network, starts_at=utcnow() - timedelta(days=30), title="Rencontre d'automne",
                   status=MeetingStatus.CLOSED)
    login(coordinator)
    page = client.get("/themes/historique").get_data(as_text=True)

    assert '<span class="badge badge--muted">Passée</span>' in page and "Clôturée" not in page


def test_codev_csv_names_its_charset_once(client, login, network, facilitator):
    login(facilitator)

    response = client.get("/codev/export.csv")

    assert (response.status_code, response.headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
