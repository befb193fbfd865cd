"""What an upload really is: accepted types by content, hostile files refused or neutralised, names cleaned."""

import pytest

from network.resources.enums import FileType
from network.resources.files import FileRefused, clean_filename, format_size, inspect_upload
from tests.resources import samples

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_unzipped_bytes": 200 * 1024 * 1024}
REFUSED_TYPE = ("Ce type de fichier n'est pas accepté : envoyez un PDF, présentation (ODP, PPTX), texte (ODT, DOCX), "
                "tableur (ODS, XLSX) ou image (PNG, JPEG).")


@pytest.mark.parametrize(("make", "file_type", "name"), [
    (samples.pdf, FileType.PDF, "support.pdf"),
    (samples.docx, FileType.DOCX, "compte-rendu.docx"),
    (samples.pptx, FileType.PPTX, "diaporama.pptx"),
    (samples.xlsx, FileType.XLSX, "tableau.xlsx"),
    (samples.odt, FileType.ODT, "releve.odt"),
    (samples.ods, FileType.ODS, "tableau.ods"),
    (samples.odp, FileType.ODP, "diaporama.odp"),
    (lambda: samples.PNG, FileType.PNG, "photo.png"),
    (lambda: samples.JPEG, FileType.JPEG, "photo.jpg"),
])
def test_inspect_upload_accepts_each_type_from_its_content(make, file_type, name):
    inspected = inspect_upload(make(), name, **LIMITS)
    assert (inspected.file_type, inspected.filename) == (file_type, name)


@pytest.mark.parametrize(("make", "expected"), [
    (samples.pdf, "Les élus du territoire et la convention territoriale globale"),
    (samples.docx, "Compte rendu des élus"),
    (samples.pptx, "Diaporama sur la parentalité"),
    (samples.xlsx, "Tableau des crèches"),
    (samples.odt, "Relevé de décisions du comité de pilotage"),
])
def test_inspect_upload_extracts_the_text(make, expected):
    assert inspect_upload(make(), "x", **LIMITS).text == expected


def test_inspect_upload_names_the_file_after_its_real_type():
    assert inspect_upload(samples.PNG, "support.pdf", **LIMITS).filename == "support.png"


@pytest.mark.parametrize(("data", "name"), [
    (samples.HTML_AS_PDF, "support.pdf"),
    (samples.SVG_AS_PDF, "support.pdf"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "diaporama.pptx"),
    (b"Bonjour, ceci est un simple texte.\n", "note.docx"),
])
def test_inspect_upload_refuses_disguised_files(data, name):
    with pytest.raises(FileRefused) as refused:
        inspect_upload(data, name, **LIMITS)
    assert str(refused.value) == REFUSED_TYPE


def test_inspect_upload_refuses_a_plain_zip_named_docx():
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "bonjour")
    with pytest.raises(FileRefused) as refused:
        inspect_upload(buffer.getvalue(), "rapport.docx", **LIMITS)
    assert str(refused.value) == REFUSED_TYPE


def test_inspect_upload_keeps_a_pdf_html_polyglot_as_a_pdf():
    inspected = inspect_upload(samples.pdf_html_polyglot(), "support.html", **LIMITS)
    assert (inspected.file_type, inspected.filename) == (FileType.PDF, "support.pdf")


def test_inspect_upload_refuses_an_office_file_that_inflates_to_gigabytes():
    with pytest.raises(FileRefused) as refused:
        inspect_upload(samples.zip_bomb_docx(), "rapport.docx", **LIMITS)
    assert str(refused.value) == "Ce document se décompresse en un volume anormal : il est refusé."


@pytest.mark.parametrize("name", ["vide.pdf", "", None])
def test_inspect_upload_refuses_an_empty_file(name):
    with pytest.raises(FileRefused) as refused:
        inspect_upload(b"", name, **LIMITS)
    assert str(refused.value) == "Le fichier est vide."


def test_inspect_upload_refuses_a_pdf_header_without_a_document():
    with pytest.raises(FileRefused) as refused:
        inspect_upload(b"%PDF-1.7\n", "vide.pdf", **LIMITS)
    assert str(refused.value) == "Ce PDF est endommagé : il ne peut pas être ouvert."


def test_inspect_upload_refuses_a_file_over_the_limit():
    with pytest.raises(FileRefused) as refused:
        inspect_upload(samples.pdf(), "gros.pdf", max_bytes=100, max_unzipped_bytes=100)
    assert str(refused.value) == "Le fichier dépasse la taille autorisée (1\u00a0ko)."


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
    ("pré\x00sen\x1btation\r\n élus.pdf", "présentation élus.pdf"),
    ("\u202etxt.exe.pdf", "txt.exe.pdf"),
    ("...", "document.pdf"),
    (None, "document.pdf"),
    ("a" * 300 + ".pdf", "a" * 120 + ".pdf"),
    ("diaporama.exe", "diaporama.pdf"),
])
def test_clean_filename_keeps_one_safe_component(raw, expected):
    assert clean_filename(raw, FileType.PDF) == expected


def test_format_size_in_french_units():
    assert [format_size(n) for n in (20 * 1024 * 1024, 1536 * 1024, 2048)] == ["20\u00a0Mo", "1,5\u00a0Mo", "2\u00a0ko"]
