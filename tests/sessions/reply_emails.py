"""Calendar answers shaped like the ones real clients send (iMIP REPLY, RFC 6047), built from their documented and
observed formats:

- Outlook / Exchange: multipart/alternative with text/plain, text/html and an inline `text/calendar; method=REPLY`
  part (base64), no attachment; subject « Accepté : <original subject> »; PRODID Microsoft Exchange Server 2010,
  a Windows VTIMEZONE (« Romance Standard Time »), `MAILTO:` in capitals, COMMENT;LANGUAGE=fr-FR, X-MICROSOFT-CDO-*.
- Gmail: multipart/mixed → [multipart/alternative → text/plain, text/html, text/calendar; method=REPLY (7bit)] +
  an `application/ics; name="invite.ics"` attachment; subject « Invitation refusée : <title> @ <when> (<address>) »;
  the note is the ATTENDEE parameter X-RESPONSE-COMMENT, with X-NUM-GUESTS and CUTYPE.
- Thunderbird: multipart/mixed → text/plain (8bit), `text/calendar; method=REPLY` (8bit), `invite.ics` attachment;
  PRODID Mozilla Calendar; subject « Accepté provisoirement : <title> ».
- An answer in the subject only (a gateway that strips calendar parts, a phone's mail app): text/plain,
  In-Reply-To our invitation's Message-ID.
"""

import base64
from datetime import UTC, datetime

from network.database import utcnow


def _stamp(when: datetime | None = None) -> str:
    return (when or utcnow()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _b64(text: str) -> str:
    encoded = base64.b64encode(text.encode("utf-8")).decode()
    return "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def outlook_reply(*, uid: str, attendee: str, organizer: str, partstat: str = "ACCEPTED", sequence: int = 0,
                  comment: str | None = None, subject: str = "Accepté : Invitation : Rencontre du réseau",
                  sender: str | None = None, message_id: str = "<AM0PR07MB6113A1@AM0PR07MB6113.eurprd07.prod.outlook.com>",
                  extra_headers: str = "", stamp: datetime | None = None) -> bytes:
    calendar = (
        "BEGIN:VCALENDAR\n"
        "METHOD:REPLY\n"
        "PRODID:Microsoft Exchange Server 2010\n"
        "VERSION:2.0\n"
        "BEGIN:VTIMEZONE\n"
        "TZID:Romance Standard Time\n"
        "BEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n"
        "BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT\n"
        "END:VTIMEZONE\n"
        "BEGIN:VEVENT\n"
        f"ATTENDEE;PARTSTAT={partstat};CN=Inès Lemaire:MAILTO:{attendee.upper()}\n"
        + (f"COMMENT;LANGUAGE=fr-FR:{comment}\n" if comment else "")
        + "SUMMARY;LANGUAGE=fr-FR:Accepté : Rencontre du réseau\n"
        "DTSTART;TZID=Romance Standard Time:20270615T093000\n"
        "DTEND;TZID=Romance Standard Time:20270615T160000\n"
        f"UID:{uid}\n"
        f"ORGANIZER;CN=Réseau:MAILTO:{organizer}\n"
        "CLASS:PUBLIC\nPRIORITY:5\n"
        f"DTSTAMP:{_stamp(stamp)}\n"
        "TRANSP:OPAQUE\nSTATUS:CONFIRMED\n"
        f"SEQUENCE:{sequence}\n"
        "LOCATION;LANGUAGE=fr-FR:Caf du Pas-de-Calais\n"
        f"X-MICROSOFT-CDO-APPT-SEQUENCE:{sequence}\n"
        "X-MICROSOFT-CDO-OWNERAPPTID:-1\n"
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\n"
        "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY\n"
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE\n"
        "X-MICROSOFT-CDO-IMPORTANCE:1\n"
        "X-MICROSOFT-CDO-INSTTYPE:0\n"
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE\n"
        "END:VEVENT\n"
        "END:VCALENDAR\n"
    ).replace("\n", "\r\n")
    boundary = "_000_AM0PR07MB6113A1AM0PR07MB6113eurp_"
    return _crlf(
        f"From: =?utf-8?B?SW7DqHMgTGVtYWlyZQ==?= <{sender or attendee}>\n"
        f"To: Réseau <{organizer}>\n"
        f"Subject: =?utf-8?Q?{_q(subject)}?=\n"
        "Thread-Topic: Rencontre du réseau\n"
        "Thread-Index: AQHXa1b2c3d4e5f6\n"
        "Date: Tue, 1 Jun 2027 10:15:00 +0000\n"
        f"Message-ID: {message_id}\n"
        "Accept-Language: fr-FR, en-US\n"
        "Content-Language: fr-FR\n"
        "X-MS-Has-Attach:\n"
        "X-MS-TNEF-Correlator:\n"
        + extra_headers +
        f"Content-Type: multipart/alternative; boundary=\"{boundary}\"\n"
        "MIME-Version: 1.0\n"
        "\n"
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=\"utf-8\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{_b64(comment or '')}\n"
        "\n"
        f"--{boundary}\n"
        "Content-Type: text/html; charset=\"utf-8\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{_b64('<html><body><p>' + (comment or '') + '</p></body></html>')}\n"
        "\n"
        f"--{boundary}\n"
        "Content-Type: text/calendar; charset=\"utf-8\"; method=REPLY\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{_b64(calendar)}\n"
        "\n"
        f"--{boundary}--\n"
    )


def _q(text: str) -> str:
    """RFC 2047 Q-encoding of a header value (what Outlook writes for accented subjects)."""
    return "".join(ch if ch.isascii() and ch.isalnum() else "_" if ch == " " else
                   "".join(f"={byte:02X}" for byte in ch.encode("utf-8")) for ch in text)


def gmail_reply(*, uid: str, attendee: str, organizer: str, partstat: str = "DECLINED", sequence: int = 0,
                note: str | None = None, message_id: str = "<000000000000a1b2c3d4e5f6@google.com>",
                stamp: datetime | None = None) -> bytes:
    subject = {"ACCEPTED": "Invitation acceptée", "DECLINED": "Invitation refusée",
               "TENTATIVE": "Invitation acceptée provisoirement"}.get(partstat, "Invitation")
    note_parameter = f";X-RESPONSE-COMMENT=\"{note}\"" if note else ""
    calendar = (
        "BEGIN:VCALENDAR\n"
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN\n"
        "VERSION:2.0\n"
        "CALSCALE:GREGORIAN\n"
        "METHOD:REPLY\n"
        "BEGIN:VEVENT\n"
        "DTSTART:20270615T073000Z\n"
        "DTEND:20270615T140000Z\n"
        f"DTSTAMP:{_stamp(stamp)}\n"
        f"ORGANIZER;CN=Réseau:mailto:{organizer}\n"
        f"UID:{uid}\n"
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN=Inès Lemaire;\n"
        f" X-NUM-GUESTS=0{note_parameter}:mailto:{attendee}\n"
        "CREATED:20270601T090000Z\n"
        "LAST-MODIFIED:20270601T101500Z\n"
        f"SEQUENCE:{sequence}\n"
        "STATUS:CONFIRMED\n"
        "SUMMARY:Rencontre du réseau\n"
        "TRANSP:OPAQUE\n"
        "END:VEVENT\n"
        "END:VCALENDAR\n"
    ).replace("\n", "\r\n")
    return _crlf(
        "MIME-Version: 1.0\n"
        "Date: Tue, 1 Jun 2027 12:15:00 +0200\n"
        f"Message-ID: {message_id}\n"
        f"Subject: =?UTF-8?Q?{_q(subject)}=3A_Rencontre_du_r=C3=A9seau_=40_mar=2E_15_juin_2027_09=3A30_=2D_16=3A00?=\n"
        f"From: =?UTF-8?B?SW7DqHMgTGVtYWlyZQ==?= <{attendee}>\n"
        f"To: {organizer}\n"
        "Content-Type: multipart/mixed; boundary=\"000000000000f0e1d2c3b4a59687\"\n"
        "\n"
        "--000000000000f0e1d2c3b4a59687\n"
        "Content-Type: multipart/alternative; boundary=\"000000000000f0e1d2c3b4a59686\"\n"
        "\n"
        "--000000000000f0e1d2c3b4a59686\n"
        "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{_b64('Inès Lemaire a refusé cette invitation. ' + (note or ''))}\n"
        "--000000000000f0e1d2c3b4a59686\n"
        "Content-Type: text/html; charset=\"UTF-8\"\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "<span>In=C3=A8s Lemaire a refus=C3=A9 cette invitation.</span>\n"
        "--000000000000f0e1d2c3b4a59686\n"
        "Content-Type: text/calendar; charset=\"UTF-8\"; method=REPLY\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{_b64(calendar)}\n"
        "--000000000000f0e1d2c3b4a59686--\n"
        "--000000000000f0e1d2c3b4a59687\n"
        "Content-Type: application/ics; name=\"invite.ics\"\n"
        "Content-Disposition: attachment; filename=\"invite.ics\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{_b64(calendar)}\n"
        "--000000000000f0e1d2c3b4a59687--\n"
    )


def thunderbird_reply(*, uid: str, attendee: str, organizer: str, partstat: str = "TENTATIVE", sequence: int = 0,
                      comment: str | None = None, message_id: str = "<b7c1e2d3-4f5a-6b7c-8d9e-0f1a2b3c4d5e@example.test>",
                      stamp: datetime | None = None) -> bytes:
    subject = {"ACCEPTED": "Accepté", "DECLINED": "Refusé", "TENTATIVE": "Accepté provisoirement"}[partstat]
    calendar = (
        "BEGIN:VCALENDAR\n"
        "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\n"
        "VERSION:2.0\n"
        "METHOD:REPLY\n"
        "BEGIN:VEVENT\n"
        "CREATED:20270601T090000Z\n"
        "LAST-MODIFIED:20270601T101500Z\n"
        f"DTSTAMP:{_stamp(stamp)}\n"
        f"UID:{uid}\n"
        "SUMMARY:Rencontre du réseau\n"
        f"ORGANIZER;CN=Réseau:mailto:{organizer}\n"
        f"ATTENDEE;RSVP=TRUE;PARTSTAT={partstat};ROLE=REQ-PARTICIPANT;CN=Inès Lemaire:mailto:{attendee}\n"
        + (f"COMMENT:{comment}\n" if comment else "")
        + "DTSTART:20270615T073000Z\n"
        "DTEND:20270615T140000Z\n"
        f"SEQUENCE:{sequence}\n"
        "TRANSP:OPAQUE\n"
        "END:VEVENT\n"
        "END:VCALENDAR\n"
    ).replace("\n", "\r\n")
    return _crlf(
        f"Message-ID: {message_id}\n"
        "Date: Tue, 1 Jun 2027 12:20:00 +0200\n"
        "MIME-Version: 1.0\n"
        "User-Agent: Mozilla Thunderbird\n"
        "Content-Language: fr\n"
        f"To: {organizer}\n"
        f"From: =?UTF-8?B?SW7DqHMgTGVtYWlyZQ==?= <{attendee}>\n"
        f"Subject: =?UTF-8?Q?{_q(subject)}_=3A_Rencontre_du_r=C3=A9seau?=\n"
        "Content-Type: multipart/mixed; boundary=\"------------0yJ3bLJZ4kDq1l6wL2xK9Rt5\"\n"
        "\n"
        "This is a multi-part message in MIME format.\n"
        "--------------0yJ3bLJZ4kDq1l6wL2xK9Rt5\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "Inès Lemaire a accepté provisoirement cette invitation.\n"
        "\n"
        "--------------0yJ3bLJZ4kDq1l6wL2xK9Rt5\n"
        "Content-Type: text/calendar; method=REPLY; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        f"{calendar}"
        "\n"
        "--------------0yJ3bLJZ4kDq1l6wL2xK9Rt5\n"
        "Content-Type: application/ics; name=\"invite.ics\"\n"
        "Content-Disposition: attachment; filename=\"invite.ics\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{_b64(calendar)}\n"
        "\n"
        "--------------0yJ3bLJZ4kDq1l6wL2xK9Rt5--\n"
    )


def subject_only_reply(*, attendee: str, organizer: str, subject: str, in_reply_to: str | None,
                       message_id: str = "<CAF4x9=answer@mail.example.test>") -> bytes:
    return _crlf(
        f"From: Inès Lemaire <{attendee}>\n"
        f"To: {organizer}\n"
        f"Subject: =?UTF-8?Q?{_q(subject)}?=\n"
        "Date: Tue, 1 Jun 2027 12:30:00 +0200\n"
        f"Message-ID: {message_id}\n"
        + (f"In-Reply-To: {in_reply_to}\nReferences: {in_reply_to}\n" if in_reply_to else "")
        + "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "Envoyé de mon téléphone\n"
    )


def plain_email(*, sender: str, organizer: str, subject: str = "Question sur la prochaine rencontre",
                message_id: str = "<question-1@example.test>") -> bytes:
    return _crlf(
        f"From: {sender}\nTo: {organizer}\nSubject: {subject}\nDate: Tue, 1 Jun 2027 12:40:00 +0200\n"
        f"Message-ID: {message_id}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n"
        "Bonjour, faut-il apporter un cas pour l'atelier ?\n"
    )


def malformed_reply(*, organizer: str, message_id: str = "<broken-1@example.test>") -> bytes:
    """A calendar part that no parser can read (truncated, no END lines, garbage property)."""
    return _crlf(
        f"From: someone@example.test\nTo: {organizer}\nSubject: Accepted: ???\nMessage-ID: {message_id}\n"
        "MIME-Version: 1.0\nContent-Type: text/calendar; method=REPLY; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n\n"
        + _b64("BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\nDTSTART:not-a-date\n:::\x00\n") + "\n"
    )
