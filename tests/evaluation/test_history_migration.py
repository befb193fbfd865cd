"""Migration 0012 on a copy of the national data set (reduced): the figures of past periods are the same computed
the old way (members' joined_on / deactivated_at and current territory) before the migration, and by the
application from the membership periods after it. Runs on the engine under test, in a database of its own."""

from datetime import UTC, date, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, update

from network.demo.national import seed_national_ballots, seed_national_cases, seed_national
from network.evaluation import indicators
from network.evaluation.enums import Breakdown
from network.periods import Series
from network.extensions import db
from network.members.history import open_missing_first_periods
from network.members.models import Member, MembershipPeriod
from network.sessions.enums import AttendanceStatus, MeetingKind, MeetingStatus
from network.sessions.models import Attendance, Invitation, Meeting
from tests.test_migrations import migration_app, migration_database_url  # noqa: F401 (fixtures)

BEFORE = "0012_replies"  # the revision migration 0012_membership_history revises

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
YEARS = (2024, 2025)


def _old_definition_counts() -> dict:
    """Pooled (invited, attended) per (year, network) and per (year, territory), by the definition in force before
    0012: invited members with joined_on ≤ meeting < deactivated_at, under their current territory."""
    rows = db.session.execute(
        select(Meeting.id, Meeting.network_id, Meeting.starts_at, Member.joined_on, Member.deactivated_at,
               Member.territory_id, Attendance.status)
        .join(Invitation, Invitation.meeting_id == Meeting.id)
        .join(Member, Member.id == Invitation.member_id)
        .outerjoin(Attendance, (Attendance.meeting_id == Meeting.id) & (Attendance.member_id == Member.id))
        .where(Meeting.kind == MeetingKind.QUARTERLY, Meeting.status != MeetingStatus.CANCELLED)).all()
    recorded = set(db.session.scalars(select(Attendance.meeting_id).where(Attendance.member_id.is_not(None))))
    counts: dict = {}
    for meeting_id, network_id, starts_at, joined_on, deactivated_at, territory_id, status in rows:
        year = starts_at.astimezone(UTC).year
        if (year not in YEARS or meeting_id not in recorded or joined_on > starts_at.date()
                or (deactivated_at is not None and deactivated_at <= starts_at)):
            continue
        attended = status in (AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL)
        for key in (("network", year, network_id), ("territory", year, territory_id)):
            invited, present = counts.get(key, (0, 0))
            counts[key] = (invited + 1, present + attended)
    return counts


def _application_figures() -> tuple:
    series = Series.of_years(*YEARS, now=NOW)
    summaries = indicators.series_summaries(series)
    breakdowns = [indicators.attendance_breakdowns(scope, (Breakdown.TERRITORY, Breakdown.INSTITUTION))
                  for scope in series.scopes]
    return summaries, breakdowns


def _as_counts(summaries, breakdowns) -> dict:
    counts = {}
    for (scope, rows, _total), (territories, _institutions) in zip(summaries, breakdowns, strict=True):
        for row in rows:
            counts[("network", scope.period.year, row.network_id)] = (row.attendance.counts.invited,
                                                                      row.attendance.counts.attended)
        for row in territories:
            counts[("territory", scope.period.year, row.key)] = (row.counts.invited, row.counts.attended)
    return counts


def test_migration_0012_keeps_past_figures_of_the_national_data(migration_app):
    upgrade(revision=BEFORE)
    # the national data set as it stood before 0012 (its loader writes the periods only when the table exists)
    seed_national(today=TODAY, networks=3, members_per_network=12, years=3, invited_per_meeting=9,
                  cases_per_network=12, ballots_per_round=4, with_history=False,
                  extensions=[seed_national_cases, seed_national_ballots])  # the materials' tables come later
    # and, beyond the members never deactivated, two who left in May 2025 and one who arrived in March 2025
    member_ids = db.session.scalars(select(Member.id).where(Member.role == "coordinator").order_by(Member.id)).all()
    db.session.execute(update(Member).where(Member.id.in_(member_ids[:2])).values(
        is_active=False, deactivated_at=datetime(2025, 5, 1, tzinfo=UTC)))
    db.session.execute(update(Member).where(Member.id == member_ids[2]).values(joined_on=date(2025, 3, 1)))
    db.session.commit()
    before = _old_definition_counts()
    member_count = db.session.scalar(select(db.func.count(Member.id)))
    db.session.remove()

    upgrade()
    assert "membership_periods" in inspect(db.engine).get_table_names()
    periods = db.session.execute(select(MembershipPeriod.member_id, MembershipPeriod.started_at,
                                        MembershipPeriod.ended_at)).all()
    assert (len(periods), {row.started_at for row in periods}, {row.ended_at for row in periods}) == (
        member_count, {datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC)},
        {None, datetime(2025, 5, 1, tzinfo=UTC)})
    after = _application_figures()

    assert _as_counts(*after) == before
    assert sum(invited for invited, _present in before.values()) > 0
    # the same figures again after down and up (the periods rebuilt from the members, nothing else lost)
    db.session.remove()
    downgrade(revision=BEFORE)
    upgrade()
    assert _application_figures() == after
    assert open_missing_first_periods() == 0
