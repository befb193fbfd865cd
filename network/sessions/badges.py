"""How the templates show a meeting's date and status and a member's answer: the badge of its status (for staff,
with its explanation as title), the badge of an answer, and « jeudi 3 décembre 2026, 9 h 30–12 h 30 ».

Functions rather than Jinja macros, for the cost of a macro call on the pages that list meetings (network/badges.py);
they take any meeting that has MeetingLabels (the model and the pages' plain rows)."""

from markupsafe import Markup, escape

from network.badges import badge
from network.formatting import french_datetime, french_time
from network.sessions.enums import MeetingStatus, Rsvp

STATUS_TONES = {MeetingStatus.PLANNED: "muted", MeetingStatus.INVITED: "accent", MeetingStatus.HELD: "success",
                MeetingStatus.CLOSED: "neutral", MeetingStatus.CANCELLED: "danger"}
# Also a template global (rsvp_tones): the long tables write their answer badges out, one per row.
RSVP_TONES = {Rsvp.YES: "success", Rsvp.NO: "danger", Rsvp.EXCUSED: "warning", Rsvp.PENDING: "muted"}


def status_badge(meeting, staff: bool = False) -> Markup:
    """Members read « À venir » or « Passée » (a cancelled meeting's own tone); staff read the status itself."""
    tone = STATUS_TONES[meeting.status]
    if meeting.is_training and meeting.status == MeetingStatus.INVITED:
        return badge("Inscriptions ouvertes", tone)
    if staff:
        return badge(meeting.status_label, tone, title=meeting.status_explanation)
    if meeting.status == MeetingStatus.CANCELLED:
        return badge(meeting.member_status_label, tone)
    upcoming = meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED)
    return badge(meeting.member_status_label, "accent" if upcoming else "neutral")


def rsvp_badge(rsvp: str, label: str) -> Markup:
    return badge(label, RSVP_TONES[rsvp])


def when(meeting) -> Markup:
    """The meeting's day and hours in Paris: « jeudi 3 décembre 2026, 9 h 30–12 h 30 »."""
    return escape(f"{french_datetime(meeting.starts_at, 'EEEE d MMMM y')}, {french_time(meeting.starts_at)}"
                  f"–{french_time(meeting.ends_at)}")
