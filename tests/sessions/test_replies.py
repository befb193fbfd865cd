"""Answers given with a calendar's buttons become RSVPs: replies shaped like Outlook's, Gmail's and Thunderbird's
are delivered to a real IMAP server (Dovecot, IMAPS with a CA made for the run) and read by
`flask sessions read-replies`; forged, stale, duplicate and malformed ones change nothing (issue #17, part A)."""

import logging
import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.database import utcnow
from network.extensions import db
from network.outbox import OutboxMessage
from network.sessions import services
from network.sessions.enums import AttendanceStatus, MeetingStatus
from network.sessions.inbound import reply_server
from network.sessions.mailbox import CHECKED_KEYWORD
from network.sessions.models import Attendance, CalendarReply, Invitation
from network.sessions.services.replies import process_reply
from tests import factories
from tests.conftest import free_port
from tests.sessions import factories as sf
from tests.sessions.reply_emails import (
    gmail_reply, malformed_reply, outlook_reply, plain_email, subject_only_reply, thunderbird_reply,
)

PROCESSED = "Reponses-traitees"


@pytest.fixture
def mailbox(app, imap_mailbox):
    """The app reads the test's Dovecot mailbox; the settings are restored afterwards."""
    settings = {"REPLY_IMAP_HOST": imap_mailbox.host, "REPLY_IMAP_PORT": imap_mailbox.port,
                "REPLY_IMAP_USER": imap_mailbox.username, "REPLY_IMAP_PASSWORD": imap_mailbox.password,
                "REPLY_IMAP_CA_FILE": imap_mailbox.ca_file, "REPLY_IMAP_SECURITY": "ssl", "REPLY_REQUIRE_AUTH": False,
                "REPLY_AUTHSERV_ID": None}
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    yield imap_mailbox
    app.config.update(saved)


@pytest.fixture
def read_replies(app):
    def run(*, exit_code: int = 0) -> str:
        result = app.test_cli_runner().invoke(args=["sessions", "read-replies"])
        assert result.exit_code == exit_code, result.output
        db.session.expire_all()
        return result.output.strip()
    return run


@pytest.fixture
def invited(network, caf_facilitator, venue):
    ines = factories.create_member(network=network, email="ines@example.test", first_name="Inès", last_name="Lemaire")
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue,
                                title="Rencontre du réseau")
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    invitation = db.session.scalar(select(Invitation).where(Invitation.member_id == ines.id))
    return meeting, ines, invitation


def _answer(invitation) -> tuple:
    db.session.refresh(invitation)
    return invitation.rsvp, invitation.rsvp_comment, invitation.rsvp_source


def _summary(read=0, applied=0, ignored=0, malformed=0, duplicates=0, not_replies=0, failed=0) -> str:
    return (f"replies read={read} applied={applied} ignored={ignored} malformed={malformed} "
            f"duplicates={duplicates} not_replies={not_replies} failed={failed}")


def test_outlook_accept_sets_yes_with_the_comment(mailbox, read_replies, invited, network):
    meeting, ines, invitation = invited
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                                 comment="Je viendrai avec une collègue."))
    assert read_replies() == _summary(read=1, applied=1)
    assert _answer(invitation) == ("yes", "Je viendrai avec une collègue.", "calendar")
    assert invitation.responded_at is not None
    assert (len(mailbox.messages("INBOX")), len(mailbox.messages(PROCESSED))) == (0, 1)


def test_gmail_decline_sets_no_with_the_note(mailbox, read_replies, invited, network):
    meeting, ines, invitation = invited
    mailbox.append(gmail_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                               note="Formation ce jour-là"))
    assert read_replies() == _summary(read=1, applied=1)
    assert _answer(invitation) == ("no", "Formation ce jour-là", "calendar")


def test_thunderbird_tentative_stays_without_answer_and_keeps_the_comment(mailbox, read_replies, invited, network):
    meeting, ines, invitation = invited
    mailbox.append(thunderbird_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                                     comment="Si ma réunion du matin est déplacée"))
    assert read_replies() == _summary(read=1, applied=1)
    assert _answer(invitation) == ("pending", "Réponse provisoire\u00a0: Si ma réunion du matin est déplacée",
                                   "calendar")


def test_guest_answers_from_outlook(mailbox, read_replies, network, caf_facilitator, venue):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue)
    guest = services.add_guest(actor=caf_facilitator, meeting=meeting, name="Marie Durand",
                               email="Marie.Durand@cias.test")
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee="marie.durand@cias.test",
                                 organizer=network.mailbox_email))
    assert read_replies() == _summary(read=1, applied=1)
    assert _answer(guest) == ("yes", None, "calendar")


def test_answer_in_the_subject_only_counts_when_it_answers_our_email(mailbox, read_replies, invited, network):
    meeting, ines, invitation = invited
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipients == ines.email))
    mailbox.append(subject_only_reply(attendee=ines.email, organizer=network.mailbox_email,
                                      subject=f"Refusé : {sent.subject}", in_reply_to=sent.message_id))
    assert read_replies() == _summary(read=1, applied=1)
    assert _answer(invitation) == ("no", None, "calendar")


def test_forged_and_stale_replies_change_nothing(mailbox, read_replies, invited, network, caplog):
    meeting, ines, invitation = invited
    organizer = network.mailbox_email
    other = factories.create_member(network=network, email="paul@example.test")
    sf.invite(meeting, other)
    cancelled = sf.create_meeting(network, status=MeetingStatus.CANCELLED)
    sf.invite(cancelled, ines)
    past = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() - timedelta(days=3))
    sf.invite(past, ines)
    invitation.ical_sequence = 2  # two updates were sent since
    db.session.commit()
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipients == ines.email))
    forged = [
        # From someone else, for Inès
        outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=organizer, sequence=2,
                      sender="mallory@example.test", message_id="<f1@x.test>"),
        # the attendee is not invited
        gmail_reply(uid=meeting.ical_uid, attendee="mallory@example.test", organizer=organizer, sequence=2,
                    message_id="<f2@x.test>"),
        # an invited member answering for another
        outlook_reply(uid=meeting.ical_uid, attendee=other.email, organizer=organizer, sequence=2,
                      sender=ines.email, message_id="<f3@x.test>"),
        # unknown UID
        thunderbird_reply(uid="inconnu@ailleurs.test", attendee=ines.email, organizer=organizer,
                          message_id="<f4@x.test>"),
        # an old SEQUENCE: the answer to a version of the meeting that has changed since
        outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=organizer, sequence=1,
                      message_id="<f5@x.test>"),
        # a cancelled meeting, a past meeting
        outlook_reply(uid=cancelled.ical_uid, attendee=ines.email, organizer=organizer, message_id="<f6@x.test>"),
        outlook_reply(uid=past.ical_uid, attendee=ines.email, organizer=organizer, message_id="<f7@x.test>"),
        # the subject names an answer, but it answers none of our emails
        subject_only_reply(attendee=ines.email, organizer=organizer, subject=f"Accepté : {sent.subject}",
                           in_reply_to="<invented@x.test>", message_id="<f8@x.test>"),
        # PARTSTAT that is not an answer
        gmail_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=organizer, partstat="DELEGATED",
                    sequence=2, message_id="<f9@x.test>"),
    ]
    for raw in forged:
        mailbox.append(raw)
    with caplog.at_level(logging.INFO, logger="network.sessions.services.replies"):
        output = read_replies()
    records = [record for record in caplog.records if record.name == "network.sessions.services.replies"]
    reasons = [record.getMessage() for record in records]
    assert output == _summary(read=9, ignored=9)
    assert {record.levelname for record in records} == {"WARNING"}
    assert _answer(invitation) == ("pending", None, None)
    assert len(mailbox.messages(PROCESSED)) == 9
    assert reasons == [
        "calendar reply <f1@x.test> ignored: From mallory@example.test is not the attendee ines@example.test",
        f"calendar reply <f2@x.test> ignored: mallory@example.test is not invited to meeting {meeting.id}",
        "calendar reply <f3@x.test> ignored: From ines@example.test is not the attendee paul@example.test",
        "calendar reply <f4@x.test> ignored: unknown UID inconnu@ailleurs.test",
        "calendar reply <f5@x.test> ignored: SEQUENCE 1 older than the 2 last sent",
        f"calendar reply <f6@x.test> ignored: meeting {cancelled.id} is cancelled and ends "
        f"{cancelled.ends_at:%Y-%m-%d}: no answer taken",
        f"calendar reply <f7@x.test> ignored: meeting {past.id} is invited and ends {past.ends_at:%Y-%m-%d}: "
        "no answer taken",
        "calendar reply <f8@x.test> ignored: answer in the subject only, not in reply to an invitation sent to "
        "this address",
        "calendar reply <f9@x.test> ignored: PARTSTAT DELEGATED is not an answer",
    ]


def test_same_message_id_twice_counts_once(mailbox, read_replies, invited, network):
    meeting, ines, invitation = invited
    accept = outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                           message_id="<same@outlook.test>")
    mailbox.append(accept)
    mailbox.append(accept.replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=DECLINED"))
    assert read_replies() == _summary(read=2, applied=1, duplicates=1)
    mailbox.append(accept)
    assert read_replies() == _summary(read=1, duplicates=1)
    assert _answer(invitation) == ("yes", None, "calendar")
    assert db.session.scalar(select(func.count(CalendarReply.id))) == 1
    assert (len(mailbox.messages("INBOX")), len(mailbox.messages(PROCESSED))) == (0, 3)


def test_older_reply_read_after_a_newer_answer_changes_nothing(mailbox, read_replies, invited, network):
    meeting, ines, invitation = invited
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                                 partstat="DECLINED", message_id="<new@x.test>"))
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                                 message_id="<old@x.test>", stamp=utcnow() - timedelta(hours=2)))
    assert read_replies() == _summary(read=2, applied=1, ignored=1)
    assert _answer(invitation) == ("no", None, "calendar")


def test_malformed_message_is_skipped_and_the_rest_processed(mailbox, read_replies, invited, network):
    meeting, ines, invitation = invited
    mailbox.append(malformed_reply(organizer=network.mailbox_email))
    mailbox.append(b"\xff\xfe not an email at all \x00\r\n\r\n")
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email))
    assert read_replies() == _summary(read=3, applied=1, malformed=1, not_replies=1)
    assert _answer(invitation) == ("yes", None, "calendar")
    outcomes = db.session.execute(select(CalendarReply.message_key, CalendarReply.outcome, CalendarReply.reason)
                                  .order_by(CalendarReply.id)).all()
    assert [tuple(row) for row in outcomes] == [("<broken-1@example.test>", "malformed", "calendar part unreadable"),
                                                ("<AM0PR07MB6113A1@AM0PR07MB6113.eurprd07.prod.outlook.com>",
                                                 "applied", "ACCEPTED recorded")]


def test_peoples_emails_stay_unread_in_the_inbox_and_are_read_once(mailbox, read_replies, invited, network):
    mailbox.append(plain_email(sender="ines@example.test", organizer=network.mailbox_email))
    assert read_replies() == _summary(read=1, not_replies=1)
    assert read_replies() == _summary()
    assert len(mailbox.messages("INBOX")) == 1
    assert mailbox.flags("INBOX") == [(CHECKED_KEYWORD.encode(),)]  # not \Seen: unread for the facilitators


def test_reply_never_touches_attendance(mailbox, read_replies, network, caf_facilitator):
    """Attendance is taken at the door (which marks the meeting held): a reply read then changes neither it nor
    the answer."""
    ines = factories.create_member(network=network, email="ines@example.test")
    now = utcnow().replace(microsecond=0)
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=now - timedelta(minutes=30),
                                ends_at=now + timedelta(hours=5))
    invitation, = sf.invite(meeting, ines)
    services.record_attendance(actor=caf_facilitator, meeting=meeting, member_id=ines.id,
                               status=AttendanceStatus.ABSENT)
    db.session.commit()
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email))
    assert read_replies() == _summary(read=1, ignored=1)
    assert _answer(invitation) == ("pending", None, None)
    assert meeting.status == MeetingStatus.HELD
    assert db.session.scalars(select(Attendance.status).where(Attendance.meeting_id == meeting.id)).all() == ["absent"]


@pytest.mark.parametrize(("headers", "counted"), [
    ("", False),
    ("Authentication-Results: mx.reseau.test; dkim=pass header.d=example.test; spf=pass "
     "smtp.mailfrom=ines@example.test\n", True),
    ("Authentication-Results: mx.reseau.test; dkim=fail header.d=example.test; spf=pass "
     "smtp.mailfrom=bounce@evil.test\n", False),
    ("Authentication-Results: mx.reseau.test; dkim=none; spf=pass smtp.mailfrom=ines@example.test\n", True),
    # added by the sender, not by our MTA: another authserv-id
    ("Authentication-Results: mx.evil.test; dkim=pass header.d=example.test\n", False),
])
def test_required_authentication_results(mailbox, read_replies, invited, network, app, headers, counted):
    meeting, ines, invitation = invited
    app.config.update(REPLY_REQUIRE_AUTH=True, REPLY_AUTHSERV_ID="mx.reseau.test")
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                                 extra_headers=headers))
    assert read_replies() == (_summary(read=1, applied=1) if counted else _summary(read=1, ignored=1))
    assert _answer(invitation)[0] == ("yes" if counted else "pending")


def test_read_replies_refuses_without_configuration(app, read_replies):
    saved = app.config["REPLY_IMAP_HOST"]
    app.config["REPLY_IMAP_HOST"] = None
    try:
        output = read_replies(exit_code=1)
    finally:
        app.config["REPLY_IMAP_HOST"] = saved
    assert output == "Error: set REPLY_IMAP_HOST, REPLY_IMAP_USER, REPLY_IMAP_PASSWORD to read the replies"


def test_read_replies_over_starttls(mailbox, read_replies, app, invited, network):
    meeting, ines, invitation = invited
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email))
    app.config.update(REPLY_IMAP_SECURITY="starttls", REPLY_IMAP_PORT=mailbox.starttls_port)
    assert read_replies() == _summary(read=1, applied=1)
    assert _answer(invitation) == ("yes", None, "calendar")


def test_read_replies_verifies_the_server_certificate(mailbox, read_replies, app, invited, network):
    meeting, ines, invitation = invited
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email))
    app.config["REPLY_IMAP_CA_FILE"] = None  # the system's CAs do not know the test CA
    result = app.test_cli_runner().invoke(args=["sessions", "read-replies"])
    assert result.exit_code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in repr(result.exception)
    assert _answer(invitation) == ("pending", None, None)
    assert len(mailbox.messages("INBOX")) == 1


def test_meeting_page_shows_where_each_answer_came_from(mailbox, read_replies, invited, network, client, login,
                                                        caf_facilitator):
    meeting, ines, invitation = invited
    mailbox.append(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email))
    read_replies()
    claire = db.session.scalar(select(Invitation).where(Invitation.member_id == caf_facilitator.id))
    services.answer_invitation(claire, answer="no", comment=None, actor=caf_facilitator)
    db.session.commit()
    login(caf_facilitator)
    page = client.get(f"/rencontres/{meeting.id}").get_data(as_text=True)
    assert '<th scope="col">Via</th>' in page
    assert page.count('<td data-label="Via" class="nowrap">agenda</td>') == 1
    assert page.count('<td data-label="Via" class="nowrap">site</td>') == 1


# --- the LMTP endpoint (the mail server delivers the answers instead of the app reading a mailbox) ---------------

@pytest.fixture
def lmtp_endpoint(app):
    port = free_port()
    server = reply_server(app, host="127.0.0.1", port=port)
    server.start()
    yield port
    server.stop()


def test_lmtp_delivery_sets_the_answer(lmtp_endpoint, invited, network):
    meeting, ines, invitation = invited
    with smtplib.LMTP("127.0.0.1", lmtp_endpoint) as lmtp:
        refused = lmtp.sendmail(ines.email, [network.mailbox_email],
                                gmail_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                                            partstat="ACCEPTED", note="Avec plaisir"))
    assert refused == {}
    assert _answer(invitation) == ("yes", "Avec plaisir", "calendar")


def test_lmtp_takes_one_recipient_per_message_and_acknowledges_ignored_replies(lmtp_endpoint, invited, network):
    meeting, ines, invitation = invited
    forged = outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                           sender="mallory@example.test")
    with smtplib.LMTP("127.0.0.1", lmtp_endpoint) as lmtp:
        lmtp.ehlo_or_helo_if_needed()
        assert lmtp.mail("mallory@example.test")[0] == 250
        assert lmtp.rcpt(network.mailbox_email) == (250, b"2.1.5 OK")
        assert lmtp.rcpt("autre@example.test") == (452, b"4.5.3 One recipient per message")
        assert lmtp.data(forged) == (250, b"2.0.0 Processed")
    assert _answer(invitation) == ("pending", None, None)
    assert db.session.scalar(select(CalendarReply.outcome)) == "ignored"


def _calendar_email(body: str, message_id: str) -> bytes:
    return (f"From: ines@example.test\r\nSubject: Accepted: x\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n" + body).encode("utf-8", "surrogateescape")


@pytest.mark.parametrize(("raw", "expected"), [
    (b"", (None, "not a calendar reply")),
    (b"\x00\xff" * 50, (None, "not a calendar reply")),
    (_calendar_email("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n", "<h1@x>"),
     ("malformed", "REPLY without an event UID")),
    (_calendar_email("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                     "<h2@x>"), ("malformed", "REPLY without ATTENDEE")),
    (_calendar_email("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\nSEQUENCE:abc\r\n"
                     "ATTENDEE;PARTSTAT=ACCEPTED:mailto:ines@example.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "<h3@x>"),
     ("malformed", "bad SEQUENCE or DTSTAMP")),
    (_calendar_email("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\n"
                     "ATTENDEE;PARTSTAT=ACCEPTED:ines@example.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "<h4@x>"),
     ("ignored", "unknown UID u")),
    (_calendar_email("BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:u\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                     "<h5@x>"), ("ignored", "method COUNTER not supported")),
    (_calendar_email("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:u\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                     "<h6@x>"), (None, "not a calendar reply")),
], ids=["empty", "binary", "no-event", "no-attendee", "bad-sequence", "no-mailto", "counter", "forwarded-request"])
def test_hostile_emails_never_raise(raw, expected):
    result = process_reply(raw)
    assert (result.outcome, result.reason) == expected
