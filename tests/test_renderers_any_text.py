"""Any Unicode text, as it may sit in an old row, renders in every builder: XLSX, CSV, PDF (report and sign-in
sheet), iCalendar, SVG charts and email. Hypothesis draws the text; what comes out is parsed back."""

import csv
import io
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from openpyxl import load_workbook

from network.calendar import Attendee, EventData, build_feed, build_invitation, REQUEST
from network.evaluation import charts
from network.evaluation.exports import Sheet, sheets_to_csv, sheets_to_xlsx
from network.evaluation.report import ReportPDF
from network.outbox import build_email
from network.sessions.signin_sheet import build_signin_pdf
from network.text import clean_text, one_line, spreadsheet_cell

# Every code point but the surrogates (no UTF-8 form: no database row can hold one), weighted towards the hostile
# ones: C0 controls, DEL, line separators, formula triggers, emoji, right-to-left, XML non-characters.
HOSTILE = st.sampled_from(["\x00", "\x01", "\x0b", "\x0c", "\x1f", "\x7f", "\r", "\n", "\r\n", "\t", "\x85", "\u2028",
                           "=", "+", "-", "@", '"', ";", ",", "<", "&", "\\", "😀", "\u202e", "\ufeff", "\ufffe",
                           "\uffff", "中", "ŀ", "œ", "’"])
TEXT = st.lists(st.one_of(HOSTILE, st.characters(exclude_categories=("Cs",))), max_size=60).map("".join)
FAST = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
START = datetime(2027, 3, 11, 8, 30, tzinfo=UTC)


@FAST
@given(TEXT)
def test_xlsx_writes_any_text_neutralised(text):
    body = sheets_to_xlsx([Sheet("Feuille", [text, "Nombre"], [[text, 3], [f"={text}", -1]])])

    sheet = load_workbook(io.BytesIO(body)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    expected = spreadsheet_cell(text) or None
    # Whether a CR comes back as CR or LF depends on openpyxl's XML engine (lxml keeps it as &#13;): compare both
    # sides normalised.
    assert [_xml_read(value) for value in (rows[0][0], rows[1][0], rows[1][1], rows[2][0], rows[2][1])] == [
        _xml_read(expected), _xml_read(expected), 3, _xml_read(spreadsheet_cell(f"={text}")), -1]


def _xml_read(value):
    """What an XML parser gives back for a string openpyxl wrote (XML normalises a CR to a line feed)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


@FAST
@given(TEXT)
def test_csv_writes_any_text_neutralised(text):
    body = sheets_to_csv([Sheet("Feuille", ["Texte", "Nombre"], [[text, 3]])])

    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["# Feuille"], ["Texte", "Nombre"], [spreadsheet_cell(text), "3"]]


def test_spreadsheet_cell_neutralises_formulas_after_removing_controls():
    assert [spreadsheet_cell(value) for value in ("\x00=1+1", "=A1", "@SUM(A1)", "Caf\x00 du Tarn", "a\r\nb", 7)] == [
        "'=1+1", "'=A1", "'@SUM(A1)", "Caf du Tarn", "a\r\nb", 7]


@FAST
@given(TEXT)
def test_report_pdf_renders_any_text(app, text):
    with app.test_request_context():
        pdf = ReportPDF(f"Rapport {text}")
        pdf.add_page()
        pdf.heading(text)
        pdf.paragraph(text)
        pdf.grid_table(["Rubrique", text], [[text, "3"]], widths=(100, 74))
        pdf.chart(charts.bar_chart([charts.Bar(text, 0.5, text)], text), 170)
        pdf.chart(charts.radar_chart([text, "b", "c"], [charts.RadarSeries(text, [0.5, None, 1], charts.BLUE)],
                                     text), 120)
        body = pdf.to_bytes()
    assert body.startswith(b"%PDF-")


def test_report_pdf_shows_a_question_mark_for_a_character_outside_its_font(app):
    with app.test_request_context():
        pdf = ReportPDF("Rapport")
        pdf.add_page()
        pdf.set_font("DejaVu", "", 10)
        text = pdf.normalize_text("Réseau\x00 中 🦄 œ\r\n")
        pdf.to_bytes()
    assert text == "Réseau ? ? œ\n"


@FAST
@given(TEXT)
def test_signin_sheet_renders_any_text(app, text):
    meeting = SimpleNamespace(title=text, starts_at=START, ends_at=START.replace(hour=15))
    venue = SimpleNamespace(name=text, address=text)
    with app.test_request_context():
        body = build_signin_pdf(meeting, venue, [(text, text, text)], blank_rows=1)
    assert body.startswith(b"%PDF-")


def _event(text: str) -> EventData:
    return EventData(uid="uid-1@reseau.test", sequence=0, summary=text, starts_at=START,
                     ends_at=START.replace(hour=15), organizer_email="reseau@example.test", organizer_name=text,
                     location=text, description=text, attendees=(Attendee("membre@example.test", text),))


@FAST
@given(TEXT)
def test_calendar_feed_and_invitation_carry_any_text(text):
    feed = Calendar.from_ical(build_feed([_event(text)], name=text, now=START))
    invitation = Calendar.from_ical(build_invitation(_event(text), method=REQUEST, now=START))

    for calendar in (feed, invitation):
        (event,) = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == one_line(text)
        assert str(event.get("DESCRIPTION", "")) == clean_text(text)
    assert str(feed.get("X-WR-CALNAME", "")) == one_line(text)


@FAST
@given(TEXT)
def test_charts_are_well_formed_xml_for_any_text(text):
    svgs = [charts.bar_chart([charts.Bar(text, 0.4, text), charts.Bar(text, None, text)], text),
            charts.radar_chart([text, text, text], [charts.RadarSeries(text, [0.1, 0.2, None], charts.BLUE)], text),
            charts.paired_means_chart(20.5, 30.0, 7, text), charts.paired_means_chart(None, None, 2, text)]

    for svg in svgs:
        root = ElementTree.fromstring(str(svg))
        assert root.find("{http://www.w3.org/2000/svg}title").text == (one_line(text) or None)


@FAST
@given(TEXT)
def test_email_carries_any_text(text):
    _message_id, raw = build_email(sender="Réseau <reseau@example.test>", to="membre@example.test",
                                   subject=f"Invitation : {text}", text=text, html=f"<p>{text}</p>")

    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "membre@example.test"
    assert " ".join(str(message["Subject"]).split()) == " ".join(one_line(f"Invitation : {text}").split())
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n") == (
        clean_text(text).replace("\r\n", "\n").rstrip("\n"))


@pytest.mark.parametrize(("value", "expected"), [
    ("Titre\x00 propre", "Titre propre"), ("a\r\nb\rc\x0bd\x0ce", "a\nb\nc\nd\ne"), ("tab\tgardé", "tab\tgardé"),
    ("\x7fDEL", "DEL"), (None, None), (3, 3)])
def test_clean_text_removes_controls_and_normalises_line_breaks(value, expected):
    assert clean_text(value) == expected


def test_one_line_joins_lines_with_a_space():
    assert one_line("  Rencontre\r\n\r\ndu Tarn\u2028bis\x00 ") == "Rencontre du Tarn bis"
