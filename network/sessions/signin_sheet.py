"""The sign-in sheet (feuille d'émargement) as a PDF.

fpdf2's core Helvetica with the windows-1252 encoding covers French entirely
(é è à ç ô œ « » ’ — …), so no font file is shipped; a character outside it
(a rare letter in a name) is approximated rather than refused.
"""

import unicodedata

from flask_babel import format_datetime
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from network.text import clean_text

ENCODING = "windows-1252"
COLUMNS = (("Nom", 46), ("Institution", 52), ("Territoire", 52), ("Signature", 36))
ROW_HEIGHT = 11
APPROXIMATIONS = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Ħ": "H", "ħ": "h"}  # no NFKD base


def printable(text: str | None) -> str:
    """Keep what windows-1252 can show; approximate the rest (Ł → L, ğ → g)."""
    text = clean_text(text or "")
    out = []
    for char in text:
        try:
            char.encode(ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            base = APPROXIMATIONS.get(char) or unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(base or "?")
    return "".join(out)


class SheetPdf(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.sheet_title = title
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(12, 12, 12)

    def normalize_text(self, text: str) -> str:
        """Any string written goes through printable() first: nothing reaches the encoder it cannot take."""
        return super().normalize_text(printable(text))

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, printable(f"{self.sheet_title} — page {self.page_no()}/{{nb}}"), align="C")

    def header_row(self):
        self.set_font("Helvetica", "B", 9)
        self.set_fill_color(230, 236, 241)
        for label, width in COLUMNS:
            self.cell(width, 8, label, border=1, fill=True)
        self.ln()


def _fit(pdf: FPDF, text: str, width: float) -> str:
    text = printable(text)
    while text and pdf.get_string_width(text) > width - 2:
        text = text[:-2] + "…"
        if len(text) <= 2:
            break
    return text


def build_signin_pdf(meeting, venue, rows: list[tuple[str, str, str]], blank_rows: int = 5) -> bytes:
    """rows: (name, institution, territory) for each invited person, in order."""
    when = format_datetime(meeting.starts_at, "EEEE d MMMM y, HH'h'mm") + " – " + format_datetime(meeting.ends_at, "HH'h'mm")
    pdf = SheetPdf(f"Feuille d'émargement — {meeting.title}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, printable("Feuille d'émargement"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, printable(meeting.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 6, printable(when), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if venue is not None:
        pdf.multi_cell(0, 6, printable(f"{venue.name}, {venue.address}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.header_row()
    pdf.set_font("Helvetica", size=8.5)
    for row in [*rows, *[("", "", "")] * blank_rows]:
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            pdf.header_row()
            pdf.set_font("Helvetica", size=8.5)
        for (_, width), value in zip(COLUMNS, (*row, ""), strict=True):
            pdf.cell(width, ROW_HEIGHT, _fit(pdf, value, width), border=1)
        pdf.ln()
    return bytes(pdf.output())
