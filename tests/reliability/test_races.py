"""Read-modify-write races: many requests at once on the real database (SQLite file or
PostgreSQL), each in its own app context and session, as in separate workers."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from network.database import utcnow
from network.errors import DomainError
from network.extensions import db
from network.members.models import Member
from network.sessions.enums import MeetingKind, MeetingStatus, RegistrationStatus, Rsvp
from network.sessions.models import Attendance, Invitation, Meeting, Registration
from network.sessions.services import answer_invitation, record_attendance, register
from tests import factories
from tests.sessions.factories import create_meeting, invite


def run_at_once(app, jobs) -> list[str]:
    """Run each job(app-context) in its own thread, all released together; return their outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            barrier.wait()
            try:
                job()
                db.session.commit()
                outcomes[index] = "ok"
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = f"refused: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_twelve_simultaneous_registrations_fill_five_places_exactly(app, network):
    training = create_meeting(network, kind=MeetingKind.TRAINING, status=MeetingStatus.INVITED, capacity=5,
                              title="Animer une réunion avec des élus")
    member_ids = [factories.create_member(network=network, email=f"r{n}@example.org").id for n in range(12)]

    def job(member_id):
        return lambda: register(actor=db.session.get(Member, member_id), meeting=db.session.get(Meeting, training.id))

    outcomes = run_at_once(app, [job(member_id) for member_id in member_ids])

    assert outcomes == ["ok"] * 12
    statuses = dict(db.session.execute(
        select(Registration.status, func.count(Registration.id)).where(Registration.meeting_id == training.id)
        .group_by(Registration.status)).all())
    assert statuses == {RegistrationStatus.CONFIRMED: 5, RegistrationStatus.WAITLISTED: 7}


def test_simultaneous_check_ins_write_one_attendance_per_member(app, network, facilitator):
    meeting = create_meeting(network, status=MeetingStatus.INVITED,
                             starts_at=utcnow().replace(microsecond=0) - timedelta(hours=1))
    members = [factories.create_member(network=network, email=f"a{n}@example.org") for n in range(8)]
    invite(meeting, *members)

    def job(member_id, status):
        return lambda: record_attendance(actor=db.session.get(Member, facilitator.id),
                                         meeting=db.session.get(Meeting, meeting.id), member_id=member_id, status=status)

    # Two phones check each of the first four people in at the same moment; the others once.
    jobs = [job(m.id, "present") for m in members] + [job(m.id, "partial") for m in members[:4]]
    outcomes = run_at_once(app, jobs)

    assert outcomes == ["ok"] * 12
    rows = db.session.execute(select(Attendance.member_id, func.count(Attendance.id))
                              .where(Attendance.meeting_id == meeting.id).group_by(Attendance.member_id)).all()
    assert sorted(count for _, count in rows) == [1] * 8


def test_simultaneous_answers_keep_one_invitation_each(app, network):
    meeting = create_meeting(network, status=MeetingStatus.INVITED)
    members = [factories.create_member(network=network, email=f"v{n}@example.org") for n in range(10)]
    invitations = invite(meeting, *members)

    def job(invitation_id, member_id, answer):
        return lambda: answer_invitation(db.session.get(Invitation, invitation_id), answer=answer, comment=None,
                                         actor=db.session.get(Member, member_id))

    jobs = [job(i.id, i.member_id, Rsvp.YES if n % 2 else Rsvp.NO) for n, i in enumerate(invitations)]
    outcomes = run_at_once(app, jobs)

    assert outcomes == ["ok"] * 10
    answers = dict(db.session.execute(select(Invitation.rsvp, func.count(Invitation.id))
                                      .where(Invitation.meeting_id == meeting.id).group_by(Invitation.rsvp)).all())
    assert answers == {Rsvp.YES: 5, Rsvp.NO: 5}
