"""The door counter of the meeting pages: computed for its meeting only, with the evaluation's own statement."""

from datetime import UTC, date, datetime, timedelta

import pytest

from network.database import utcnow
from network.extensions import db
from network.periods import Instant, Period, Scope
from network.sessions import attendance_counts, queries
from network.sessions.enums import MeetingKind, MeetingStatus
from network.sessions.models import Attendance
from tests import factories
from tests.sessions import factories as sf

SPRING = datetime(2025, 3, 11, 8, 30, tzinfo=UTC)
@pytest.fixture
def people(network, caf):
    territory = factories.create_territory(network)
    return [factories.create_member(network=network, first_name=f"P{n}", last_name=f"N{n}", institution_id=caf.id,
                                    territory_id=territory.id, joined_on=date(2024, 1, 1)) for n in range(5)]


def _held(network, starts_at, people, statuses, kind=MeetingKind.QUARTERLY):
    """A held meeting inviting `people`, with the attendance `statuses` recorded for the first of them."""
    meeting = sf.create_meeting(network, status=MeetingStatus.HELD, starts_at=starts_at, kind=kind)
    sf.invite(meeting, *people)
    db.session.add_all([Attendance(meeting_id=meeting.id, member_id=member.id, status=status, recorded_at=starts_at)
                        for member, status in zip(people, statuses)])
    db.session.commit()
    return meeting


def _loaded(meeting):
    """The meeting with its attributes read (after a commit): only the code under test queries."""
    db.session.refresh(meeting)
    return meeting


def _evaluation_row(meeting):
    """The meeting's figures as the evaluation of its year counts them."""
    scope = Scope(period=Period(2025), now=utcnow(), network_ids=(meeting.network_id,))
    return next(row for row in attendance_counts.meeting_attendance(scope, meeting.kind) if row.meeting_id == meeting.id)


def test_door_counter_is_the_evaluation_of_its_meeting_alone(network, people, count_queries, monkeypatch):
    first = _held(network, SPRING, people, ("present", "partial", "excused", "absent"))
    fetched = []
    counting = attendance_counts.meeting_attendance

    def spy(scope, kind=MeetingKind.QUARTERLY, rows=None):
        result = counting(scope, kind, rows)
        if scope.period != Period(2025):  # not _evaluation_row's
            fetched.append(len(result))
        return result

    monkeypatch.setattr(attendance_counts, "meeting_attendance", spy)
    _loaded(first)
    with count_queries() as alone:
        figures = queries.meeting_attendance_of(first, utcnow())
    # two more meetings in its year, one of them starting at the same instant (another room, other figures)
    same_instant = _held(network, SPRING, people[:3], ("present",))
    later = _held(network, SPRING + timedelta(days=90), people, ("present", "present", "present"))
    _loaded(first)
    with count_queries() as among_three:
        assert queries.meeting_attendance_of(first, utcnow()) == figures
    assert alone.count == among_three.count == 1
    assert (figures.counts.invited, figures.counts.present, figures.counts.partial, figures.counts.excused,
            figures.counts.absent) == (5, 1, 1, 1, 2)
    assert figures.is_recorded and figures.meeting_id == first.id
    for meeting in (first, same_instant, later):
        assert queries.meeting_attendance_of(meeting, utcnow()) == _evaluation_row(meeting)
    assert queries.meeting_attendance_of(same_instant, utcnow()).counts.invited == 3
    # one row for the meeting, two at the instant two meetings start: never the year's three
    assert fetched == [1, 2, 2, 2, 1, 2]


def test_door_counter_before_the_start_and_of_a_cancelled_meeting_reads_nothing(network, people, count_queries):
    upcoming = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() + timedelta(days=3))
    cancelled = _held(network, SPRING, people, ("present",))
    cancelled.status = MeetingStatus.CANCELLED
    db.session.commit()
    _loaded(upcoming), _loaded(cancelled)
    with count_queries() as counter:
        assert queries.meeting_attendance_of(upcoming, utcnow()) is None
        assert queries.meeting_attendance_of(cancelled, utcnow()) is None
    assert counter.count == 0


def test_instant_period_covers_one_microsecond():
    instant = Instant(SPRING)
    assert (instant.start_at, instant.end_at) == (SPRING, SPRING + timedelta(microseconds=1))
    assert instant.first_day == instant.last_day == date(2025, 3, 11)
    assert Instant(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)).year == 2026  # in Paris, already 1 January
