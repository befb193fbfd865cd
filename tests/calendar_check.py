"""The shared place where every invitation email the suite produces is read back by three iCalendar parsers:
icalendar (the app's own), vobject, and ical.js (Thunderbird's, one Node process for the session).

Every email queued in the outbox during a test is captured as it is inserted (whatever queued it: a service, a
view, a CLI command, the browser tests' server thread); after the test, each one with a calendar is checked
against DESIGN §6 and the three parsers must agree on what a calendar client will see. A failure is reported on
the test that produced the email.

Loaded as a plugin by tests/conftest.py.
"""

import json
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import event

from network.calendar import PRODID
from network.outbox import OutboxMessage

ROOT = Path(__file__).resolve().parents[1]
ICAL_JS_SCRIPT = ROOT / "tests" / "js" / "parse_ics.js"

_captured: list[bytes] = []
_lock = threading.Lock()
_checked = {"emails": 0}


@event.listens_for(OutboxMessage, "after_insert")
def _capture(mapper, connection, target):
    if b"text/calendar" in target.raw:
        with _lock:
            _captured.append(target.raw)


class IcalJs:
    """One `node parse_ics.js --lines` for the session: a document in, a JSON description out."""

    def __init__(self):
        node = shutil.which("node")
        if node is None or not (ROOT / "node_modules" / "ical.js").exists():
            pytest.fail("ical.js is not installed: run `make node` (npm ci) at the repository root")
        self.process = subprocess.Popen([node, str(ICAL_JS_SCRIPT), "--lines"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def parse(self, ics: str) -> dict:
        self.process.stdin.write(json.dumps(ics) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


def _ical_js() -> IcalJs:
    """Started at the first calendar email, stopped at the end of the session."""
    global _ical_js_instance
    if _ical_js_instance is None:
        _ical_js_instance = IcalJs()
    return _ical_js_instance


_ical_js_instance: IcalJs | None = None


def pytest_sessionfinish(session, exitstatus):
    if _ical_js_instance is not None:
        _ical_js_instance.close()


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def check_invitation_email(raw: bytes, ical_js: IcalJs) -> bool:
    """DESIGN §6 on one email, and the same event seen by icalendar, vobject and ical.js. False: not an
    invitation of the app (skipped)."""
    message = message_from_bytes(raw, policy=policy.default)
    inline = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    attached = [part for part in message.walk() if part.get_filename() == "invitation.ics"]
    assert len(inline) == 1, f"{message['Subject']}: {len(inline)} text/calendar parts"
    part = inline[0]
    ics = part.get_payload(decode=True)
    method = part.get_param("method")
    assert part["Content-Transfer-Encoding"] == "base64"
    assert part.get_param("charset") == "utf-8"
    assert [a.get_payload(decode=True) for a in attached] == [ics], "the attachment differs from the inline part"
    text = ics.decode("utf-8")
    if f"PRODID:{PRODID}" not in text:
        return False  # a hand-made calendar of an outbox test, not an invitation of the app

    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == method
    assert calendar.walk("VTIMEZONE") == []
    assert len(events) == 1
    vevent = events[0]
    assert "DTSTAMP" in vevent
    assert (str(vevent["STATUS"]) == "CANCELLED") == (method == "CANCEL")
    attendees = vevent.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    seen_by_icalendar = {
        "method": method, "uid": str(vevent["UID"]), "sequence": int(vevent["SEQUENCE"]),
        "status": str(vevent["STATUS"]), "start": _utc_iso(vevent.decoded("DTSTART")),
        "end": _utc_iso(vevent.decoded("DTEND")), "organizer": str(vevent["ORGANIZER"]).lower(),
        "attendees": [(str(a).lower(), str(a.params["PARTSTAT"])) for a in attendees],
    }
    assert b"DTSTART:" in ics and vevent.decoded("DTSTART").tzinfo is not None and ics.count(b"Z\r\n") >= 3

    parsed = vobject.readOne(text)
    vob = parsed.vevent
    seen_by_vobject = {
        "method": parsed.method.value, "uid": vob.uid.value, "sequence": int(vob.sequence.value),
        "status": vob.status.value, "start": _utc_iso(vob.dtstart.value), "end": _utc_iso(vob.dtend.value),
        "organizer": vob.organizer.value.lower(),
        "attendees": [(a.value.lower(), a.params["PARTSTAT"][0]) for a in vob.attendee_list],
    }

    described = ical_js.parse(text)
    assert "error" not in described, described
    assert described["timezones"] == 0 and len(described["events"]) == 1
    js = described["events"][0]
    seen_by_ical_js = {
        "method": described["method"], "uid": js["uid"], "sequence": js["sequence"], "status": js["status"],
        "start": js["start"], "end": js["end"], "organizer": js["organizer"].lower(),
        "attendees": [(a["value"].lower(), a["partstat"]) for a in js["attendees"]],
    }
    assert js["start_is_utc"] is True
    assert seen_by_vobject == seen_by_icalendar, "vobject and icalendar disagree"
    assert seen_by_ical_js == seen_by_icalendar, "ical.js and icalendar disagree"
    return True


@pytest.fixture(autouse=True)
def invitation_emails_read_by_three_parsers():
    """After each test, every calendar email it queued is read back by the three parsers."""
    with _lock:
        _captured.clear()
    yield
    with _lock:
        produced = list(_captured)
        _captured.clear()
    if not produced:
        return
    parser = _ical_js()
    for raw in produced:
        _checked["emails"] += check_invitation_email(raw, parser)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"calendar emails read back by icalendar, vobject and ical.js: {_checked['emails']}")
