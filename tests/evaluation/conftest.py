"""Evaluation fixtures: meetings, invitations and attendance written directly (the meetings services live
on another branch), plus self-efficacy and grid helpers."""

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest

from network.periods import Period, Scope
from network.extensions import db
from network.members import history
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem, Attendance, Invitation, Meeting
from network.topics.models import Topic

NOW = datetime(2025, 12, 31, 12, tzinfo=UTC)


def create_meeting(network, starts_at: datetime, kind: str = MeetingKind.QUARTERLY,
                   status: str = MeetingStatus.HELD, title: str | None = None, topic_id: int | None = None) -> Meeting:
    meeting = Meeting(network_id=network.id, kind=kind, title=title or f"Rencontre du {starts_at:%d/%m/%Y}",
                      starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), status=status,
                      ical_uid=f"{secrets.token_hex(8)}@test")
    db.session.add(meeting)
    db.session.flush()
    if topic_id is not None:
        if db.session.get(Topic, topic_id) is None:  # a real topic row with that id (agenda_items.topic_id has a FK)
            db.session.add(Topic(id=topic_id, network_id=network.id, title=f"Thème {topic_id}"))
            db.session.flush()
            if db.engine.dialect.name == "postgresql":  # an explicit id does not move the sequence: later topics
                db.session.execute(db.text(  # created without one would collide with it
                    "SELECT setval(pg_get_serial_sequence('topics', 'id'), (SELECT max(id) FROM topics))"))
        db.session.add(AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.THEMATIC, title="Information thématique",
                                  topic_id=topic_id))
    db.session.commit()
    return meeting


def create_invitation(meeting, member=None, guest_email: str | None = None) -> Invitation:
    invitation = Invitation(meeting_id=meeting.id, member_id=member.id if member else None, guest_email=guest_email)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def record_attendance(meeting, member=None, status: str = "present", guest_name: str | None = None) -> Attendance:
    attendance = Attendance(meeting_id=meeting.id, member_id=member.id if member else None, guest_name=guest_name,
                            status=status, recorded_at=meeting.starts_at)
    db.session.add(attendance)
    db.session.commit()
    return attendance


def invite_and_record(meeting, statuses: dict) -> None:
    """statuses: member → attendance status, or None for "invited, no attendance row"."""
    for member, status in statuses.items():
        create_invitation(meeting, member)
        if status is not None:
            record_attendance(meeting, member, status)


def leave(member, when: datetime) -> None:
    """The member left the network at `when` (what deactivate_member records, at a chosen date)."""
    member.is_active, member.deactivated_at = False, when
    history.end_membership(member, at=when)
    db.session.commit()


def scope_of(network, year: int = 2025, quarter: int | None = None, now: datetime = NOW, territory_id=None) -> Scope:
    return Scope(period=Period(year, quarter), now=now, network_ids=(network.id,), territory_id=territory_id)


def at(year, month, day, hour=9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def joined_2024():
    return date(2024, 1, 1)
