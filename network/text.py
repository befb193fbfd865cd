"""One policy for text: what a form keeps of what was typed, and what every renderer does with any stored string.

Control characters are *removed*, not refused: they are invisible, and people paste them without knowing (Word
writes a manual line break as a vertical tab, PDFs and Outlook leave form feeds and NULs); refusing text the person
cannot see would only leave them stuck. Line breaks are normalised to "\\n" (browsers send CRLF from a textarea);
a single-line field refuses them (network.forms), since a browser's one-line input never sends one.

Renderers use the same functions on what they read from the database, so rows written before this policy render.
"""

import re
from datetime import date

# Integer columns are 32-bit on PostgreSQL: an id or a number beyond is refused before the database sees it.
DB_INT_MIN, DB_INT_MAX = -(2 ** 31), 2 ** 31 - 1
# Dates a person may type: anything else is a typo (and 0001-01-01 breaks time zone arithmetic).
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2199, 12, 31)

# C0 controls but tab and line feed, DEL, lone UTF-16 surrogates (no UTF-8 form) and the two XML non-characters:
# none is valid in XML 1.0 (XLSX, SVG), PostgreSQL refuses NUL, and iCalendar and email headers have no use for them.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# What counts as a line break: CRLF, CR, and the vertical tab and form feed that Word and PDFs paste.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c]")
_ANY_BREAK = re.compile("[\n\x85\u2028\u2029]+")

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel or LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value):
    """Line breaks normalised to \\n, other control characters removed; anything else (None, numbers) unchanged."""
    if not isinstance(value, str):
        return value
    return _UNSAFE.sub("", _LINE_BREAKS.sub("\n", value))


def one_line(value):
    """clean_text, line breaks (and runs of them) become one space: iCalendar names, email subjects, sheet titles."""
    if not isinstance(value, str):
        return value
    return _ANY_BREAK.sub(" ", clean_text(value)).strip()


def has_line_break(value) -> bool:
    return isinstance(value, str) and bool(_ANY_BREAK.search(clean_text(value)))


def spreadsheet_cell(value):
    """THE function every CSV and XLSX cell goes through: control characters removed (openpyxl refuses them,
    XML 1.0 has no place for them) and formulas neutralised by a leading apostrophe (OWASP CSV injection)."""
    if not isinstance(value, str):
        return value
    value = _UNSAFE.sub("", value)  # line breaks kept as they are: a cell may hold several lines
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def spreadsheet_row(values) -> list:
    return [spreadsheet_cell(value) for value in values]
