"""Attendance at the door and its later corrections (audited)."""

from datetime import datetime

from sqlalchemy import func, select

from network.audit import record_audit
from network.database import lock_row, utcnow
from network.errors import Conflict, DomainError, NotAllowed
from network.extensions import db
from network.members.models import Member
from network.sessions.enums import AttendanceStatus, MeetingStatus
from network.sessions.models import Attendance, Invitation, Meeting
from network.sessions.permissions import can_manage_meeting
from network.sessions.services.lifecycle import change_meeting_status, has_started_day

OPEN_STATUSES = (MeetingStatus.INVITED, MeetingStatus.HELD, MeetingStatus.CLOSED)


def _check_open(meeting: Meeting, actor: Member, now: datetime) -> None:
    if not can_manage_meeting(actor, meeting):
        raise NotAllowed("Seuls les co-animateurs du réseau enregistrent les présences.")
    if meeting.status not in OPEN_STATUSES:
        raise DomainError(f"Pas de présences pour une rencontre « {meeting.status_label} ».")
    if not has_started_day(meeting, now):
        raise DomainError("La feuille de présence s'ouvre le jour de la rencontre.")


def _mark_held(meeting: Meeting, actor: Member, now: datetime) -> None:
    if meeting.status == MeetingStatus.INVITED:
        change_meeting_status(meeting, MeetingStatus.HELD, actor=actor, now=now)


def record_attendance(*, actor: Member, meeting: Meeting, member_id: int, status: str,
                      now: datetime | None = None) -> Attendance:
    """Create or correct one invited member's attendance. Corrections are audited (who, what, when)."""
    now = now or utcnow()
    _check_open(meeting, actor, now)
    if status not in set(AttendanceStatus):
        raise DomainError("Statut de présence inconnu.")
    lock_row(Meeting, meeting.id)  # two phones checking the same person in: one row, the last answer wins
    # the invitation and the attendance already recorded, if any, in one statement
    invited, attendance = db.session.execute(
        select(Invitation.id, Attendance)
        .outerjoin(Attendance, (Attendance.meeting_id == Invitation.meeting_id)
                   & (Attendance.member_id == Invitation.member_id))
        .where(Invitation.meeting_id == meeting.id, Invitation.member_id == member_id)
    ).first() or (None, None)
    if invited is None:
        raise DomainError("Cette personne n'est pas invitée à cette rencontre : ajoutez-la comme participant·e sur place.")
    if attendance is None:
        # No savepoint: this is the one code path that inserts a member's attendance, and it holds the meeting's
        # lock from before the read above: no other transaction inserts this row in between
        # (tests/reliability/test_races.py, two phones checking the same people in).
        attendance = Attendance(meeting_id=meeting.id, member_id=member_id, status=status,
                                recorded_by_id=actor.id, recorded_at=now)
        db.session.add(attendance)
        db.session.flush()
        record_audit(actor=actor, action="attendance.record", obj=attendance, fields=["status"],
                     network_id=meeting.network_id)
    elif attendance.status != status:
        attendance.status = status
        attendance.recorded_by_id = actor.id
        attendance.recorded_at = now
        record_audit(actor=actor, action="attendance.correct", obj=attendance, fields=["status"],
                     network_id=meeting.network_id)
    _mark_held(meeting, actor, now)
    db.session.flush()
    return attendance


def add_walk_in(*, actor: Member, meeting: Meeting, name: str, organisation: str | None,
                now: datetime | None = None) -> Attendance:
    """Someone who came without an invitation: recorded present, excluded from the rates."""
    now = now or utcnow()
    _check_open(meeting, actor, now)
    name = " ".join(name.split())
    if not name:
        raise DomainError("Indiquez le nom de la personne.")
    duplicate = db.session.scalar(select(Attendance.id).where(
        Attendance.meeting_id == meeting.id, Attendance.member_id.is_(None),
        func.lower(Attendance.guest_name) == name.lower()))
    if duplicate:
        raise Conflict(f"{name} figure déjà parmi les participants sur place.")
    attendance = Attendance(meeting_id=meeting.id, guest_name=name, guest_organisation=(organisation or "").strip() or None,
                            status=AttendanceStatus.PRESENT, recorded_by_id=actor.id, recorded_at=now)
    db.session.add(attendance)
    db.session.flush()
    record_audit(actor=actor, action="attendance.walk_in", obj=attendance, fields=["guest_name"],
                 network_id=meeting.network_id)
    _mark_held(meeting, actor, now)
    return attendance
