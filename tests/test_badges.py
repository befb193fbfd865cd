"""The badges and the meeting's date line: the same markup the Jinja macros wrote, their text escaped."""

from datetime import UTC, datetime
from types import SimpleNamespace

from markupsafe import Markup

from network.badges import badge
from network.sessions.badges import rsvp_badge, status_badge, when
from network.sessions.models import MeetingLabels


class Meeting(SimpleNamespace, MeetingLabels):
    """A meeting row: kind, status, start and end, with the labels of MeetingLabels."""


def meeting(kind="quarterly", status="invited"):
    return Meeting(kind=kind, status=status, starts_at=datetime(2026, 12, 3, 8, 30, tzinfo=UTC),
                   ends_at=datetime(2026, 12, 3, 11, 30, tzinfo=UTC))


def test_badge_escapes_its_text_and_keeps_safe_markup():
    assert badge("Oui") == Markup('<span class="badge badge--neutral">Oui</span>')
    assert badge("R&D <b>", "success") == '<span class="badge badge--success">R&amp;D &lt;b&gt;</span>'
    assert badge(Markup("<em>CODEV</em>"), "accent") == '<span class="badge badge--accent"><em>CODEV</em></span>'
    assert badge("x", '"><script>') == '<span class="badge badge--&#34;&gt;&lt;script&gt;">x</span>'
    assert isinstance(badge("Oui"), Markup)


def test_status_badge_for_members_and_for_staff():
    assert status_badge(meeting(status="invited")) == '<span class="badge badge--accent">À venir</span>'
    assert status_badge(meeting(status="held")) == '<span class="badge badge--neutral">Passée</span>'
    assert status_badge(meeting(status="cancelled")) == '<span class="badge badge--danger">Annulée</span>'
    assert status_badge(meeting(status="held"), True) == (
        '<span class="badge badge--success" title="Tenue\u00a0: la rencontre a eu lieu\u00a0; les présences restent '
        'modifiables.">Tenue</span>')
    assert status_badge(meeting(kind="training", status="invited"), True) == (
        '<span class="badge badge--accent">Inscriptions ouvertes</span>')


def test_rsvp_badge_tones():
    assert [rsvp_badge(answer, "·") for answer in ("yes", "no", "excused", "pending")] == [
        f'<span class="badge badge--{tone}">·</span>' for tone in ("success", "danger", "warning", "muted")]


def test_when_in_paris_time(app):
    with app.app_context():
        assert when(meeting()) == "jeudi 3 décembre 2026, 9\u00a0h\u00a030–12\u00a0h\u00a030"
