"""CSV import (issue 14 §3): UTF-8 with or without BOM, UTF-16 with its BOM and cp1252 are read; anything else
(binary, a cell over 128 KiB, broken quoting) is a French error about the file, never a crash."""

import codecs
import html
import io

import pytest

from network.members.importing import UNREADABLE, parse_members_csv

HEADER = "Nom;Prénom;E-mail;Date d'entrée\r\n"
ROW = "Lefèvre;Hélène;helene@example.org;01/09/2025\r\n"


def _names(preview) -> list[tuple]:
    return [(row.data.last_name, row.data.first_name, row.data.email) for row in preview.rows]


@pytest.mark.parametrize("raw", [
    (HEADER + ROW).encode("utf-8"),
    ("\ufeff" + HEADER + ROW).encode("utf-8"),
    (HEADER + ROW).encode("utf-16"),  # Excel's "Texte Unicode": UTF-16 LE with its BOM
    codecs.BOM_UTF16_BE + (HEADER + ROW).encode("utf-16-be"),
    (HEADER + ROW).encode("cp1252"),
], ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "cp1252"])
def test_import_reads_each_accepted_encoding(db, network, raw):
    preview = parse_members_csv(raw, network)

    assert preview.file_errors == []
    assert _names(preview) == [("Lefèvre", "Hélène", "helene@example.org")]


@pytest.mark.parametrize(("raw", "message"), [
    (bytes(range(256)) * 4, UNREADABLE),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, UNREADABLE),
    (b"Nom;Pr\xc3\xa9nom;E-mail\r\nA;B;\x00c@example.org\r\n", UNREADABLE),
    ((HEADER + 'Lefèvre;"' + "x" * (130 * 1024) + '";h@example.org;\r\n').encode("utf-8"),
     "Une cellule du fichier dépasse 128 Kio (ligne 2) : vérifiez le fichier."),
    ((HEADER + 'Lefèvre;"Hél"ène;h@example.org;\r\n').encode("utf-8"),
     "Le fichier CSV est mal formé à la ligne 2 (guillemets ou séparateurs) : enregistrez-le à nouveau depuis "
     "votre tableur au format « CSV »."),
], ids=["binary", "png", "nul-byte", "huge-cell", "broken-quoting"])
def test_import_answers_an_unreadable_file_with_one_french_error(db, network, raw, message):
    preview = parse_members_csv(raw, network)

    assert (preview.rows, preview.file_errors) == ([], [message])


def test_import_keeps_a_cell_with_a_line_break_on_one_line(db, network):
    preview = parse_members_csv((HEADER + 'Lefèvre;"Hélène\r\nMarie";helene@example.org;\r\n').encode("utf-8"), network)

    assert _names(preview) == [("Lefèvre", "Hélène Marie", "helene@example.org")]


def test_import_refuses_an_implausible_entry_date(db, network):
    preview = parse_members_csv((HEADER + "Lefèvre;Hélène;helene@example.org;01/01/0001\r\n").encode("utf-8"), network)

    assert preview.rows[0].errors == ["Date d'entrée invalide : « 01/01/0001 » (attendu JJ/MM/AAAA)."]


def test_import_page_shows_the_file_error_in_french(client, login, network, facilitator):
    login(facilitator)

    response = client.post("/membres/import", {"file": (io.BytesIO(bytes(range(256)) * 4), "membres.csv")},
                           content_type="multipart/form-data")

    assert response.status_code == 200
    assert UNREADABLE in html.unescape(response.get_data(as_text=True))
