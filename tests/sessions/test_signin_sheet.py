"""The sign-in sheet laid out for signing: a wide signature column, morning and afternoon columns for a meeting
across lunch, one « structure · territoire » cell, the Caf and MSA named in the header."""

import re
import zlib
from datetime import UTC, datetime

import pytest

from network.sessions.signin_sheet import build_signin_pdf, signature_columns, structure
from tests import factories
from tests.sessions import factories as sf

MORNING = datetime(2027, 3, 9, 8, 30, tzinfo=UTC)  # 9 h 30 in Paris


def _pdf_text(data: bytes) -> bytes:
    """The page streams of the PDF, inflated (fpdf2 writes text as literal strings in them)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    return b"".join(zlib.decompress(stream) if stream[:1] == b"x" else stream for stream in streams)


@pytest.mark.parametrize(("institution", "territory", "expected"), [
    ("Caf du Pas-de-Calais", "CC des 7 Vallées", "Caf du Pas-de-Calais · CC des 7 Vallées"),
    ("CC des 7 Vallées", "CC des 7 Vallées", "CC des 7 Vallées"),
    ("Communauté de communes du Ternois", "Ternois", "Communauté de communes du Ternois"),
    ("", "CC du Haut-Pays", "CC du Haut-Pays"),
    ("Mairie", "", "Mairie"),
])
def test_structure_never_repeats_institution_and_territory(institution, territory, expected):
    assert structure(institution, territory) == expected


def test_meeting_across_lunch_is_signed_morning_and_afternoon(network):
    day = sf.create_meeting(network, starts_at=MORNING, ends_at=datetime(2027, 3, 9, 15, 0, tzinfo=UTC))
    morning = sf.create_meeting(network, starts_at=MORNING, ends_at=datetime(2027, 3, 9, 10, 30, tzinfo=UTC))

    assert (signature_columns(day), signature_columns(morning)) == (("Matin", "Après-midi"), ("Signature",))


def test_pdf_names_the_hosts_and_has_two_signature_columns(app, network):
    meeting = sf.create_meeting(network, starts_at=MORNING, ends_at=datetime(2027, 3, 9, 15, 0, tzinfo=UTC),
                                title="Rencontre de mars")
    with app.test_request_context():
        data = build_signin_pdf(meeting, None, [("Inès Lemaire", "Caf du Pas-de-Calais", "CC des 7 Vallées")],
                                hosts=["Caf du Pas-de-Calais", "MSA Nord-Pas de Calais"])

    text = _pdf_text(data)
    assert b"Caf du Pas-de-Calais \xb7 MSA Nord-Pas de Calais" in text
    assert b"(Matin)" in text and b"(Apr\xe8s-midi)" in text and b"(Signature)" not in text
    assert b"(Caf du Pas-de-Calais \xb7 CC des 7)" in text and b"(Vall\xe9es)" in text  # wrapped on a space


def test_sheet_page_names_hosts_and_merges_structure(client, login, network, caf_facilitator, caf, msa):
    member = factories.create_member(network=network, first_name="Inès", last_name="Lemaire", institution_id=caf.id,
                                     territory_id=factories.create_territory(network, "CC des 7 Vallées").id)
    meeting = sf.create_meeting(network, starts_at=MORNING, ends_at=datetime(2027, 3, 9, 15, 0, tzinfo=UTC))
    sf.invite(meeting, member)
    login(caf_facilitator)

    page = sf.page_text(client.get(f"/rencontres/{meeting.id}/emargement"))

    assert '<p class="signin-sheet__hosts">Caf du Pas-de-Calais · MSA Nord-Pas-de-Calais</p>' in page
    assert "<td>Inès Lemaire</td><td>Caf du Pas-de-Calais · CC des 7 Vallées</td>" in page
    assert page.count('<th scope="col" class="signin-table__signature signin-table__signature--2">') == 2
