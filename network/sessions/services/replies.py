"""Answers given with a calendar's buttons (iMIP `METHOD:REPLY`, RFC 6047) become RSVPs.

The ORGANIZER of every invitation is the network's mailbox; `flask sessions read-replies` reads it and hands each
email here. A reply counts only when its UID names a meeting that still takes answers, its ATTENDEE is the invited
address, its From is that same address (and, with REPLY_REQUIRE_AUTH, the receiving MTA vouches for the sender's
domain), and it is not older than what was last sent to that person or already recorded. Anything else changes
nothing and says why in the log. One email is counted once (its Message-ID is stored); a reply never touches
attendance.
"""

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import authres
from icalendar import Calendar
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from network.database import utcnow
from network.errors import DomainError
from network.extensions import db
from network.members.models import Member
from network.outbox import OutboxMessage
from network.sessions.enums import ReplyOutcome, Rsvp, RsvpSource
from network.sessions.models import CalendarReply, Invitation, Meeting
from network.sessions.services.responses import check_answerable

log = logging.getLogger(__name__)

CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")
PARTSTAT_ANSWERS = {"ACCEPTED": Rsvp.YES, "DECLINED": Rsvp.NO, "TENTATIVE": Rsvp.PENDING}
TENTATIVE_NOTE = "Réponse provisoire"

# What clients put before the invitation's subject when the answer is only there (Outlook, Thunderbird and Gmail,
# in French and English). Tentative first: « Accepté provisoirement » begins like « Accepté ».
SUBJECT_ANSWERS = (
    ("TENTATIVE", r"(?:invitation\s+)?(?:accept[ée]e?\s+provisoirement|provisoire|tentative(?:ly\s+accepted)?"
                  r"|peut-[êe]tre|maybe)"),
    ("ACCEPTED", r"(?:invitation\s+)?(?:accept[ée]e?|accepted)"),
    ("DECLINED", r"(?:invitation\s+)?(?:refus[ée]e?|d[ée]clin[ée]e?|declined)"),
)
SUBJECT_PATTERNS = tuple((partstat, re.compile(rf"^\s*{words}\s*:\s*(?P<rest>.+)$", re.IGNORECASE | re.DOTALL))
                         for partstat, words in SUBJECT_ANSWERS)


@dataclass(frozen=True)
class ReplyResult:
    """What one email led to. `is_reply` False: not an answer at all (a person writing to the network), to be
    left in the mailbox for the facilitators."""

    outcome: ReplyOutcome | None
    reason: str
    invitation_id: int | None = None
    is_reply: bool = True
    duplicate: bool = False


@dataclass(frozen=True)
class Answer:
    """A reply as read from the email, before any check."""

    uid: str | None
    attendee: str
    partstat: str
    sequence: int | None
    stamp: datetime | None
    comment: str | None


class Ignored(Exception):
    """A reply that changes nothing; the message says why (logged, stored)."""


class Malformed(Exception):
    """An email that claims to be a reply but cannot be read."""


def message_key(message: EmailMessage | None, raw: bytes) -> str:
    """The Message-ID, or a digest of the bytes when there is none (the same email still counts once)."""
    try:
        message_id = str(message["Message-ID"] or "").strip() if message is not None else ""
    except Exception:  # a header the email package cannot parse: fall back to the bytes
        message_id = ""
    return message_id[:255] if message_id else f"sha256:{hashlib.sha256(raw).hexdigest()}"


def process_reply(raw: bytes, *, require_auth: bool = False, authserv_id: str | None = None,
                  now: datetime | None = None) -> ReplyResult:
    """Read one email of the organizer's mailbox and apply the answer it carries, if it may count."""
    now = now or utcnow()
    try:
        message = message_from_bytes(raw, policy=policy.default)
    except Exception:
        message = None
    key = message_key(message, raw)
    if db.session.scalar(select(CalendarReply.id).where(CalendarReply.message_key == key)) is not None:
        log.info("calendar reply %s already processed: ignored", key)
        return ReplyResult(None, "already processed", duplicate=True)
    invitation_id = None
    try:
        if message is None:
            raise Malformed("unreadable email")
        try:
            answer = _read_answer(message)
            sender = _address(message.get("From"))
        except (Ignored, Malformed):
            raise
        except Exception as error:  # the email package or icalendar choking on hostile input
            raise Malformed(f"unreadable ({type(error).__name__})") from None
        if answer is None:
            return ReplyResult(None, "not a calendar reply", is_reply=False)
        invitation = _check(message, answer, sender, require_auth=require_auth, authserv_id=authserv_id, now=now)
        invitation_id = invitation.id
        _apply(invitation, answer, now)
        outcome, reason = ReplyOutcome.APPLIED, f"{answer.partstat} recorded"
    except Ignored as error:
        outcome, reason = ReplyOutcome.IGNORED, str(error)
    except Malformed as error:
        outcome, reason = ReplyOutcome.MALFORMED, str(error)
    # Ignored and malformed replies are warnings: with no logging set up they still reach cron's output.
    log.log(logging.INFO if outcome == ReplyOutcome.APPLIED else logging.WARNING, "calendar reply %s %s: %s",
            key, outcome, reason)
    try:
        with db.session.begin_nested():
            db.session.add(CalendarReply(message_key=key, outcome=outcome, reason=reason[:200],
                                         invitation_id=invitation_id, processed_at=now))
            db.session.flush()
    except IntegrityError:  # another reader took the same email at the same time
        raise DomainError("Cette réponse vient d'être traitée par ailleurs.") from None
    return ReplyResult(outcome, reason, invitation_id)


# --- reading ------------------------------------------------------------------------------------------------------

def _calendar_parts(message: EmailMessage) -> list[bytes]:
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = (part.get_filename() or "").lower()
        if part.get_content_type() in CALENDAR_TYPES or filename.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if payload:
                parts.append(payload)
    return parts


def _read_answer(message: EmailMessage) -> Answer | None:
    """The answer a calendar part carries (inline or attached, the first that reads), else the subject's."""
    parts = _calendar_parts(message)
    if not parts:
        return _subject_answer(message)
    calendars, errors = [], []
    for payload in parts:
        try:
            calendars.append(Calendar.from_ical(payload))
        except Exception as error:  # icalendar raises ValueError and others on broken input
            errors.append(error)
    if not calendars:
        raise Malformed("calendar part unreadable")
    methods = {str(calendar.get("METHOD", "")).upper() for calendar in calendars}
    if "REPLY" not in methods:
        if methods & {"COUNTER", "REFRESH"}:
            raise Ignored(f"method {'/'.join(sorted(methods))} not supported")
        return None  # a forwarded invitation or an event someone sends: for people to read
    calendar = next(c for c in calendars if str(c.get("METHOD", "")).upper() == "REPLY")
    events = [event for event in calendar.walk("VEVENT") if event.get("UID")]
    if not events:
        raise Malformed("REPLY without an event UID")
    event = events[0]
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []
    if not attendees:
        raise Malformed("REPLY without ATTENDEE")
    sender = _address(message.get("From"))
    chosen = next((a for a in attendees if _mailto(a) == sender), attendees[0])
    try:
        sequence = int(event.get("SEQUENCE", 0))
        stamp = event.decoded("DTSTAMP") if event.get("DTSTAMP") is not None else None
    except (TypeError, ValueError):
        raise Malformed("bad SEQUENCE or DTSTAMP") from None
    # Outlook and Thunderbird write the note as COMMENT; Gmail as the attendee's X-RESPONSE-COMMENT parameter.
    comment = event.get("COMMENT") or chosen.params.get("X-RESPONSE-COMMENT")
    if isinstance(comment, list):
        comment = " ".join(str(part) for part in comment)
    return Answer(uid=str(event["UID"]), attendee=_mailto(chosen),
                  partstat=str(chosen.params.get("PARTSTAT", "")).upper(), sequence=sequence,
                  stamp=_aware(stamp), comment=str(comment).strip() if comment else None)


def _subject_answer(message: EmailMessage) -> Answer | None:
    subject = unicodedata.normalize("NFC", str(message.get("Subject") or ""))
    for partstat, pattern in SUBJECT_PATTERNS:
        if pattern.match(subject):
            return Answer(uid=None, attendee=_address(message.get("From")), partstat=partstat, sequence=None,
                          stamp=None, comment=None)
    return None


def _mailto(value) -> str:
    return re.sub(r"^mailto:", "", str(value).strip(), flags=re.IGNORECASE).strip().lower()


def _address(header) -> str:
    return parseaddr(str(header or ""))[1].strip().lower()


def _aware(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


# --- checking -----------------------------------------------------------------------------------------------------

def _check(message: EmailMessage, answer: Answer, sender: str, *, require_auth: bool, authserv_id: str | None,
           now: datetime) -> Invitation:
    if answer.partstat not in PARTSTAT_ANSWERS:
        raise Ignored(f"PARTSTAT {answer.partstat or 'missing'} is not an answer")
    invitation = _invitation_by_uid(answer) if answer.uid else _invitation_by_reference(message, sender)
    if answer.attendee != sender:
        raise Ignored(f"From {sender or 'missing'} is not the attendee {answer.attendee}")
    if require_auth and not _authenticated(message, sender, authserv_id):
        raise Ignored(f"no DKIM or SPF pass for {sender} in Authentication-Results")
    meeting = db.session.get(Meeting, invitation.meeting_id)
    try:
        check_answerable(meeting, now)
    except DomainError:
        raise Ignored(f"meeting {meeting.id} is {meeting.status} and ends {meeting.ends_at:%Y-%m-%d}: "
                      "no answer taken") from None
    if answer.sequence is not None and answer.sequence < invitation.ical_sequence:
        raise Ignored(f"SEQUENCE {answer.sequence} older than the {invitation.ical_sequence} last sent")
    if answer.stamp is not None and invitation.responded_at is not None and answer.stamp < invitation.responded_at:
        raise Ignored("older than the answer already recorded")
    return invitation


def _invitation_by_uid(answer: Answer) -> Invitation:
    meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.ical_uid == answer.uid))
    if meeting_id is None:
        raise Ignored(f"unknown UID {answer.uid}")
    invitation = _invitation_of(meeting_id, answer.attendee)
    if invitation is None:
        raise Ignored(f"{answer.attendee} is not invited to meeting {meeting_id}")
    return invitation


def _invitation_of(meeting_id: int, address: str) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).outerjoin(Member, Member.id == Invitation.member_id)
        .where(Invitation.meeting_id == meeting_id,
               or_(func.lower(Member.email) == address, func.lower(Invitation.guest_email) == address)))


def _invitation_by_reference(message: EmailMessage, sender: str) -> Invitation:
    """An answer given only in the subject: it must answer one of our emails to that very address (its
    Message-ID, which nobody else has seen, is in In-Reply-To or References), and name its meeting."""
    references = re.findall(r"<[^<>\s]+>", f"{message.get('In-Reply-To') or ''} {message.get('References') or ''}")
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.message_id.in_(references))).all()
    ours = [row for row in sent if sender in {address.lower() for _, address in getaddresses([row.recipients])}]
    if not ours:
        raise Ignored("answer in the subject only, not in reply to an invitation sent to this address")
    rows = db.session.execute(
        select(Invitation, Meeting.title).join(Meeting, Meeting.id == Invitation.meeting_id)
        .outerjoin(Member, Member.id == Invitation.member_id)
        .where(or_(func.lower(Member.email) == sender, func.lower(Invitation.guest_email) == sender))
        .order_by(Meeting.starts_at.desc())).all()
    matches = [invitation for invitation, title in rows if any(f" : {title} — " in row.subject for row in ours)]
    if len(matches) != 1:
        raise Ignored("answer in the subject only: the meeting cannot be told")
    return matches[0]


def _authenticated(message: EmailMessage, sender: str, authserv_id: str | None) -> bool:
    """dkim=pass or spf=pass for the From's domain in the receiving MTA's Authentication-Results (RFC 8601).
    Only that MTA's header counts: the one naming REPLY_AUTHSERV_ID, else the topmost (the last added)."""
    try:
        headers = [str(value) for value in message.get_all("Authentication-Results") or []]
    except Exception:
        return False
    if not authserv_id:
        headers = headers[:1]
    domain = sender.rpartition("@")[2]
    for header in headers:
        try:
            parsed = authres.parse_value(header)
        except Exception:
            continue
        if authserv_id and str(parsed.authserv_id).lower() != authserv_id.lower():
            continue
        for result in parsed.results:
            if str(result.result).lower() != "pass" or result.method not in ("dkim", "spf"):
                continue
            wanted = {"dkim": "d", "spf": "mailfrom"}[result.method]
            values = [str(p.value).lower() for p in result.properties if p.name == wanted]
            if not values or any(_aligned(value.rpartition("@")[2], domain) for value in values):
                return True
    return False


def _aligned(signer: str, domain: str) -> bool:
    return bool(signer) and (domain == signer or domain.endswith(f".{signer}"))


# --- applying -----------------------------------------------------------------------------------------------------

def _apply(invitation: Invitation, answer: Answer, now: datetime) -> None:
    """Only the answer: attendance is recorded at the door, never from an email."""
    invitation.rsvp = PARTSTAT_ANSWERS[answer.partstat]
    comment = answer.comment
    if answer.partstat == "TENTATIVE":
        comment = f"{TENTATIVE_NOTE}\u00a0: {comment}" if comment else TENTATIVE_NOTE
    invitation.rsvp_comment = comment[:500] if comment else None
    invitation.rsvp_source = RsvpSource.CALENDAR
    invitation.responded_at = now
    db.session.flush()
