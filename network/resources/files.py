"""What an uploaded file really is, whether we keep it, and its text for the search.

The type comes from the content through libmagic (Debian's libmagic1, the engine of file(1)): it tells
OOXML from ODF from a plain zip by looking inside the archive, and names HTML and SVG for what they are
whatever the file is called. The name a browser sends is only kept, cleaned, for the download.
"""

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass


from network.errors import DomainError
from network.resources.enums import FileType

log = logging.getLogger(__name__)

ACCEPTED = "PDF, présentation (ODP, PPTX), texte (ODT, DOCX), tableur (ODS, XLSX) ou image (PNG, JPEG)"
MAX_FILENAME = 120
MAX_TEXT = 200_000  # characters of extracted text kept for the search
MAX_PDF_PAGES = 300


class FileRefused(DomainError):
    """The file is not kept; str() says why, in French."""


@dataclass(frozen=True)
class InspectedFile:
    file_type: FileType
    filename: str  # cleaned, with the extension of the real type
    text: str  # extracted for the search ("" when there is none)


def clean_filename(raw: str | None, file_type: FileType) -> str:
    """The last path component, without control characters, with the real type's extension."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .-_")[:MAX_FILENAME] or "document"
    return f"{stem}.{file_type.extension}"


def sniff(data: bytes) -> str:
    import magic  # libmagic and its database: loaded by the first upload, not at start

    return magic.from_buffer(data, mime=True)


def inspect_upload(data: bytes, filename: str | None, *, max_bytes: int, max_unzipped_bytes: int,
                   max_zip_entries: int = 5_000) -> InspectedFile:
    """Check the size and the type from the content; refuse what is not one of the accepted types."""
    if not data:
        raise FileRefused("Le fichier est vide.")
    if len(data) > max_bytes:
        raise FileRefused(f"Le fichier dépasse la taille autorisée ({format_size(max_bytes)}).")
    media_type = sniff(data)
    try:
        file_type = FileType(media_type)
    except ValueError:
        raise FileRefused(f"Ce type de fichier n'est pas accepté : envoyez un {ACCEPTED}.") from None
    if file_type.is_office:
        check_archive(data, max_unzipped_bytes=max_unzipped_bytes, max_entries=max_zip_entries)
    text = extract_text(data, file_type)
    return InspectedFile(file_type, clean_filename(filename, file_type), text)


def check_archive(data: bytes, *, max_unzipped_bytes: int, max_entries: int) -> None:
    """An office file is a zip: read its directory (nothing is decompressed) and refuse a bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused("Ce document est endommagé : il ne peut pas être ouvert.") from None
    if len(entries) > max_entries or sum(entry.file_size for entry in entries) > max_unzipped_bytes:
        raise FileRefused("Ce document se décompresse en un volume anormal : il est refusé.")


def extract_text(data: bytes, file_type: FileType) -> str:
    """The document's text for the search; a PDF that cannot be read at all is refused."""
    try:
        text = _EXTRACTORS[file_type](data) if file_type in _EXTRACTORS else ""
    except FileRefused:
        raise
    except Exception:  # a library's parse error on a malformed file: keep the file, without its text
        log.info("no text extracted from a %s", file_type.name, exc_info=True)
        text = ""
    return _squeeze(text)[:MAX_TEXT]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)).strip()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader  # heavy import, only when a PDF comes in
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = reader.pages[:MAX_PDF_PAGES]
    except (PdfReadError, ValueError, KeyError, TypeError):
        raise FileRefused("Ce PDF est endommagé : il ne peut pas être ouvert.") from None
    parts, size = [], 0
    for page in pages:
        part = page.extract_text() or ""
        parts.append(part)
        size += len(part)
        if size > MAX_TEXT:
            break
    return " ".join(parts)


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return " ".join(parts)


def _pptx_text(data: bytes) -> str:
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(data))
    return " ".join(shape.text_frame.text for slide in presentation.slides for shape in slide.shapes
                    if shape.has_text_frame)


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts, size = [], 0
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        parts.append(value)
                        size += len(value)
                if size > MAX_TEXT:
                    return " ".join(parts)
    finally:
        workbook.close()
    return " ".join(parts)


def _odf_text(data: bytes) -> str:
    from odf import teletype, text as odf_text
    from odf.opendocument import load

    document = load(io.BytesIO(data))
    return " ".join(teletype.extractText(element) for element in document.getElementsByType(odf_text.P)
                    + document.getElementsByType(odf_text.H))


_EXTRACTORS = {
    FileType.PDF: _pdf_text, FileType.DOCX: _docx_text, FileType.PPTX: _pptx_text, FileType.XLSX: _xlsx_text,
    FileType.ODT: _odf_text, FileType.ODS: _odf_text, FileType.ODP: _odf_text,
}


def format_size(size: int) -> str:
    """20971520 → '20 Mo'; 1536 → '2 ko' (French units, a no-break space)."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.0f}\u00a0Mo" if value >= 10 or value == int(value) else f"{value:.1f}\u00a0Mo".replace(".", ",")
    return f"{max(1, round(size / 1024))}\u00a0ko"
