"""Membership history: the periods a member was active, in which territory and institution (MembershipPeriod).

Services call these when a member leaves, rejoins, moves or has their entry date corrected; they never commit. The
first period of a new member is opened when the member is first flushed (members.models._open_first_period)."""

from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select

from network.database import constant
from network.extensions import db
from network.members.models import Member, MembershipPeriod, start_of


def periods_of(member: Member) -> list[MembershipPeriod]:
    """The member's periods, oldest first (one query)."""
    return list(db.session.scalars(select(MembershipPeriod).where(MembershipPeriod.member_id == member.id)
                                   .order_by(MembershipPeriod.started_at, MembershipPeriod.id)))


def current_period(member: Member) -> MembershipPeriod | None:
    db.session.flush()
    return db.session.scalar(
        select(MembershipPeriod).where(MembershipPeriod.member_id == member.id, MembershipPeriod.ended_at.is_(None))
        .order_by(MembershipPeriod.started_at.desc(), MembershipPeriod.id.desc()).limit(1))


def end_membership(member: Member, *, at: datetime) -> None:
    """The member leaves at `at`: their current period ends then (a period that had not started yet ends as it
    starts, so it covers nothing)."""
    period = current_period(member)
    if period is not None:
        period.ended_at = max(at, period.started_at)


def rejoin(member: Member, *, at: datetime) -> MembershipPeriod:
    """The member is active again from `at`, in their current territory and institution (a new period: the
    time away stays out of every figure)."""
    period = current_period(member)
    if period is not None:  # already active: nothing to open
        return period
    period = MembershipPeriod(member_id=member.id, started_at=at, territory_id=member.territory_id,
                              institution_id=member.institution_id)
    db.session.add(period)
    return period


def move(member: Member, *, at: datetime) -> None:
    """The member's territory or institution changed at `at`: the current period ends then and the next one, in the
    new territory and institution, starts at the same instant. A period that starts at or after `at` (an entry date
    still to come) takes the new values in place. An inactive member's next period (rejoin) takes them."""
    period = current_period(member)
    if period is None:
        return
    if (period.territory_id, period.institution_id) == (member.territory_id, member.institution_id):
        return
    if period.started_at >= at:
        period.territory_id, period.institution_id = member.territory_id, member.institution_id
        return
    period.ended_at = at
    db.session.add(MembershipPeriod(member_id=member.id, started_at=at, territory_id=member.territory_id,
                                    institution_id=member.institution_id))


def correct_entry(member: Member) -> None:
    """The entry date (joined_on) was corrected: the first period starts on the new date (never after its end)."""
    periods = periods_of(member)
    if periods:
        first = periods[0]
        started_at = start_of(member.joined_on)
        first.started_at = started_at if first.ended_at is None else min(started_at, first.ended_at)


def active_at(member_id, moment):
    """SQL condition: a MembershipPeriod row of `member_id` (a column) covers `moment` (a datetime column)."""
    return and_(MembershipPeriod.member_id == member_id, MembershipPeriod.started_at <= moment,
                or_(MembershipPeriod.ended_at.is_(None), MembershipPeriod.ended_at > moment))


def has_period(*conditions):
    """SQL condition: a MembershipPeriod row meets `conditions` (active_at / active_on_day of an outer member column,
    perhaps a territory), tested by a correlated count rather than a join. PostgreSQL then reaches each member's
    periods by their index (a microsecond each) instead of scanning every period of the country into a hash (the
    plan its costs prefer for a join from a network's members: about 1 ms per statement on the national data).
    Periods never overlap, so counting the members that have one is counting the join's rows."""
    return (select(func.count(MembershipPeriod.id)).where(*conditions).correlate_except(MembershipPeriod)
            .scalar_subquery() > constant(0))


def active_on_day(member_id, day, period=MembershipPeriod):
    """SQL condition: a period row of `member_id` covers the calendar day `day` (a date column or value): started by
    that day and not ended before it (compared as dates: SQLite compares the stored texts)."""
    return and_(period.member_id == member_id, func.date(period.started_at) <= day,
                or_(period.ended_at.is_(None), func.date(period.ended_at) > day))


def open_missing_first_periods() -> int:
    """A first period for every member without one (bulk loads that bypass the ORM: the national data set), by the
    rule of the migration: from joined_on's midnight, ended at deactivated_at. Two statements."""
    has_period = select(MembershipPeriod.id).where(MembershipPeriod.member_id == Member.id).exists()
    rows = [{"member_id": row.id, "started_at": start_of(row.joined_on), "ended_at": row.deactivated_at,
             "territory_id": row.territory_id, "institution_id": row.institution_id}
            for row in db.session.execute(select(Member.id, Member.joined_on, Member.deactivated_at,
                                                 Member.territory_id, Member.institution_id).where(~has_period))]
    if rows:
        db.session.execute(insert(MembershipPeriod), rows)
    return len(rows)
