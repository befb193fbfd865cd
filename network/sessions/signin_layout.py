"""What the sign-in sheet shows, for its page and its PDF (network/sessions/signin_sheet.py builds the PDF, and
loads fpdf2 only then)."""

from datetime import time

from network.calendar import to_paris

LUNCH_START, LUNCH_END = time(12, 0), time(14, 0)


def spans_lunch(meeting) -> bool:
    """A day meeting across lunch is signed twice: morning and afternoon."""
    return to_paris(meeting.starts_at).time() < LUNCH_START and to_paris(meeting.ends_at).time() > LUNCH_END


def signature_columns(meeting) -> tuple[str, ...]:
    return ("Matin", "Après-midi") if spans_lunch(meeting) else ("Signature",)


def structure(institution: str, territory: str) -> str:
    """Institution and territory in one cell, the territory left out when it repeats the institution."""
    institution, territory = (institution or "").strip(), (territory or "").strip()
    if not territory or territory.casefold() in institution.casefold():
        return institution
    if not institution or institution.casefold() in territory.casefold():
        return territory
    return f"{institution} · {territory}"
