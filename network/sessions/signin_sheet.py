"""The sign-in sheet (feuille d'émargement) as a PDF.

fpdf2's core Helvetica with the windows-1252 encoding covers French entirely
(é è à ç ô œ « » ’ — …), so no font file is shipped; a character outside it
(a rare letter in a name) is approximated rather than refused.
"""

import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from network.formatting import french_clock, french_date
from network.sessions.signin_layout import signature_columns, structure  # noqa: F401  (re-exported)
from network.text import clean_text

ENCODING = "windows-1252"
NAME_WIDTH, STRUCTURE_WIDTH, SIGNATURE_WIDTH = 50, 56, 80  # mm of the 186 between the margins: room to sign
ROW_HEIGHT = 12
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
    def __init__(self, title: str, columns: list[tuple[str, float]]):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.sheet_title = title
        self.columns = columns
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
        for label, width in self.columns:
            self.cell(width, 8, printable(label), border=1, fill=True)
        self.ln()


def _fit(pdf: FPDF, text: str, width: float) -> str:
    text = printable(text)
    while text and pdf.get_string_width(text) > width - 2:
        text = text[:-2] + "…"
        if len(text) <= 2:
            break
    return text


LINE_HEIGHT = 4.5


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and pdf.get_string_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _boxed(pdf: FPDF, width: float, text: str) -> None:
    """One bordered cell of the row: the text on up to two lines (a long structure wraps, never cut mid-word)."""
    x, y = pdf.get_x(), pdf.get_y()
    lines = [_fit(pdf, line, width) for line in _wrap(pdf, printable(text), width - 2)]
    if len(lines) > 2:
        lines = [lines[0], _fit(pdf, " ".join(lines[1:]), width)]
    pdf.rect(x, y, width, ROW_HEIGHT)
    top = y + (ROW_HEIGHT - LINE_HEIGHT * len(lines)) / 2
    for index, line in enumerate(line for line in lines if line):
        pdf.set_xy(x + 1, top + LINE_HEIGHT * index)
        pdf.cell(width - 2, LINE_HEIGHT, line)
    pdf.set_xy(x + width, y)


def build_signin_pdf(meeting, venue, rows: list[tuple[str, str, str]], hosts: list[str] = (),
                     blank_rows: int = 5) -> bytes:
    """rows: (name, institution, territory) for each invited person, in order; hosts: the Caf and MSA names."""
    when = f"{french_date(meeting.starts_at, 'EEEE d MMMM y')}, {french_clock(meeting.starts_at)} – {french_clock(meeting.ends_at)}"
    signatures = signature_columns(meeting)
    columns = [("Nom", NAME_WIDTH), ("Structure · territoire", STRUCTURE_WIDTH),
               *((label, SIGNATURE_WIDTH / len(signatures)) for label in signatures)]
    pdf = SheetPdf(f"Feuille d'émargement — {meeting.title}", columns)
    pdf.alias_nb_pages()
    pdf.add_page()
    if hosts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_text_color(20, 80, 120)
        pdf.multi_cell(0, 5, printable(" · ".join(hosts)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1)
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
    pdf.set_font("Helvetica", size=9)
    for name, institution, territory in [*rows, *[("", "", "")] * blank_rows]:
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            pdf.header_row()
            pdf.set_font("Helvetica", size=9)
        values = (name, structure(institution, territory), *[""] * len(signatures))
        for (_, width), value in zip(columns, values, strict=True):
            _boxed(pdf, width, value)
        pdf.ln(ROW_HEIGHT)
    return bytes(pdf.output())
