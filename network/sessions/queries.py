"""Named queries for the meeting pages: a bounded number of statements whatever the data size."""

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from network.calendar import paris_to_utc, to_paris
from network.extensions import db
from network.members.models import Member
from network.sessions.enums import AttendanceStatus, MeetingStatus, RegistrationStatus
from network.sessions.models import AgendaItem, Attendance, Invitation, Meeting, Registration, Venue

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL)
COUNTED = (MeetingStatus.HELD, MeetingStatus.CLOSED)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return paris_to_utc(date(year, 1, 1), time(0, 0)), paris_to_utc(date(year + 1, 1, 1), time(0, 0))


@dataclass(frozen=True)
class Rate:
    """DESIGN §4: present (or partial) ÷ invited active members; guests excluded."""

    invited: int
    attended: int
    excused: int

    @property
    def value(self) -> float | None:
        return self.attended / self.invited if self.invited else None

    @property
    def excused_excluded(self) -> float | None:
        base = self.invited - self.excused
        return self.attended / base if base > 0 else None


@dataclass(frozen=True)
class RsvpCounts:
    yes: int = 0
    no: int = 0
    excused: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.no + self.excused + self.pending


# --- venues -------------------------------------------------------------------------------------

def venues_of(network_id: int, *, active_only: bool = False) -> list[Venue]:
    query = select(Venue).where(Venue.network_id == network_id).order_by(Venue.name)
    if active_only:
        query = query.where(Venue.is_active.is_(True))
    return list(db.session.scalars(query))


def facilitators_of(network_id: int) -> list[Member]:
    return list(db.session.scalars(
        select(Member).options(joinedload(Member.institution))
        .where(Member.network_id == network_id, Member.role == "facilitator", Member.is_active.is_(True))
        .order_by(Member.last_name, Member.first_name)))


# --- calendar -----------------------------------------------------------------------------------

def calendar_years(network_id: int, around: int) -> list[int]:
    first, last = db.session.execute(
        select(func.min(Meeting.starts_at), func.max(Meeting.starts_at)).where(Meeting.network_id == network_id)
    ).one()
    years = {around, around + 1}  # next year is always reachable, to plan it
    if first is not None:
        years.update(range(to_paris(first).year, to_paris(last).year + 1))
    return sorted(years)


def calendar(network_id: int, year: int) -> list[Meeting]:
    start, end = year_bounds(year)
    return list(db.session.scalars(
        select(Meeting).options(joinedload(Meeting.venue))
        .where(Meeting.network_id == network_id, Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at)))


def rsvp_counts_by_meeting(meeting_ids: list[int]) -> dict[int, RsvpCounts]:
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Invitation.meeting_id, Invitation.rsvp, func.count(Invitation.id))
        .where(Invitation.meeting_id.in_(meeting_ids), Invitation.member_id.is_not(None))
        .group_by(Invitation.meeting_id, Invitation.rsvp)).all()
    counts: dict[int, dict[str, int]] = {}
    for meeting_id, rsvp, count in rows:
        counts.setdefault(meeting_id, {})[rsvp] = count
    return {meeting_id: RsvpCounts(**values) for meeting_id, values in counts.items()}


def my_invitations(member_id: int, meeting_ids: list[int]) -> dict[int, Invitation]:
    if not meeting_ids:
        return {}
    return {invitation.meeting_id: invitation for invitation in db.session.scalars(
        select(Invitation).where(Invitation.member_id == member_id, Invitation.meeting_id.in_(meeting_ids)))}


# --- one meeting --------------------------------------------------------------------------------

def meeting_detail(meeting_id: int) -> Meeting | None:
    return db.session.scalar(
        select(Meeting).options(joinedload(Meeting.venue), joinedload(Meeting.caf_facilitator),
                                joinedload(Meeting.msa_facilitator), joinedload(Meeting.network))
        .where(Meeting.id == meeting_id))


def agenda(meeting_id: int) -> list[AgendaItem]:
    return list(db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)))


def invitations(meeting_id: int, *, search: str = "") -> list[Invitation]:
    """Members first (by name, with institution and territory), then guests."""
    query = (
        select(Invitation)
        .outerjoin(Member, Member.id == Invitation.member_id)
        .options(joinedload(Invitation.member).joinedload(Member.institution),
                 joinedload(Invitation.member).joinedload(Member.territory))
        .where(Invitation.meeting_id == meeting_id)
        .order_by(Invitation.member_id.is_(None), func.lower(Member.last_name), func.lower(Member.first_name),
                  Invitation.guest_name)
    )
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Member.last_name).like(pattern), func.lower(Member.first_name).like(pattern),
                                func.lower(Invitation.guest_name).like(pattern)))
    return list(db.session.scalars(query).unique())


def attendances(meeting_id: int) -> tuple[dict[int, Attendance], list[Attendance]]:
    """(member id → attendance, walk-in guests)."""
    rows = list(db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id)
                                   .order_by(Attendance.guest_name, Attendance.id)))
    return ({row.member_id: row for row in rows if row.member_id is not None},
            [row for row in rows if row.member_id is None])


def registrations(meeting_id: int) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).options(joinedload(Registration.member))
        .where(Registration.meeting_id == meeting_id)
        .order_by(Registration.status, Registration.registered_at, Registration.id)))


def my_registration(meeting_id: int, member_id: int) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.meeting_id == meeting_id,
                                                        Registration.member_id == member_id))


def my_invitation(meeting_id: int, member_id: int) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.meeting_id == meeting_id,
                                                      Invitation.member_id == member_id))


def _active_at_meeting():
    return or_(Member.deactivated_at.is_(None), Member.deactivated_at > Meeting.starts_at)


def _rate_columns():
    return (
        func.count(Invitation.id),
        func.count(case((Attendance.status.in_(ATTENDED), 1))),
        func.count(case((Attendance.status == AttendanceStatus.EXCUSED, 1))),
    )


def _rate_base():
    return (
        select(Meeting.id, *_rate_columns())
        .join(Invitation, Invitation.meeting_id == Meeting.id)
        .join(Member, Member.id == Invitation.member_id)
        .outerjoin(Attendance, and_(Attendance.meeting_id == Meeting.id, Attendance.member_id == Invitation.member_id))
        .where(_active_at_meeting())
        .group_by(Meeting.id)
    )


def attendance_rates(meeting_ids: list[int]) -> dict[int, Rate]:
    if not meeting_ids:
        return {}
    rows = db.session.execute(_rate_base().where(Meeting.id.in_(meeting_ids))).all()
    return {meeting_id: Rate(invited, attended, excused) for meeting_id, invited, attended, excused in rows}


def rsvp_counts(meeting_id: int) -> RsvpCounts:
    return rsvp_counts_by_meeting([meeting_id]).get(meeting_id, RsvpCounts())


# --- member's pages and history -----------------------------------------------------------------

def my_meetings(member_id: int) -> list[tuple[Meeting, Invitation | None, Attendance | None, Registration | None]]:
    """Meetings the member is invited to or registered for, with their answer and attendance."""
    registration = aliased(Registration)
    rows = db.session.execute(
        select(Meeting, Invitation, Attendance, registration)
        .options(joinedload(Meeting.venue))
        .outerjoin(Invitation, and_(Invitation.meeting_id == Meeting.id, Invitation.member_id == member_id))
        .outerjoin(Attendance, and_(Attendance.meeting_id == Meeting.id, Attendance.member_id == member_id))
        .outerjoin(registration, and_(registration.meeting_id == Meeting.id, registration.member_id == member_id))
        .where(or_(Invitation.id.is_not(None), registration.id.is_not(None)))
        .order_by(Meeting.starts_at.desc())).all()
    return [tuple(row) for row in rows]


@dataclass(frozen=True)
class Assiduity:
    member: Member
    invited: int
    attended: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.invited if self.invited else None


def network_history(network_id: int, year: int) -> tuple[list[tuple[Meeting, Rate]], list[Assiduity]]:
    """Held meetings of the year with their rate, and each member's assiduity (two queries + one)."""
    start, end = year_bounds(year)
    in_period = (Meeting.network_id == network_id, Meeting.status.in_(COUNTED),
                 Meeting.starts_at >= start, Meeting.starts_at < end)
    meetings = list(db.session.scalars(select(Meeting).where(*in_period).order_by(Meeting.starts_at)))
    rates = attendance_rates([meeting.id for meeting in meetings])
    rows = db.session.execute(
        select(Member, func.count(Invitation.id), func.count(case((Attendance.status.in_(ATTENDED), 1))))
        .join(Invitation, Invitation.member_id == Member.id)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .outerjoin(Attendance, and_(Attendance.meeting_id == Meeting.id, Attendance.member_id == Member.id))
        .where(*in_period, _active_at_meeting())
        .group_by(Member.id)
        .order_by(Member.last_name, Member.first_name)).all()
    return ([(meeting, rates.get(meeting.id, Rate(0, 0, 0))) for meeting in meetings],
            [Assiduity(member, invited, attended) for member, invited, attended in rows])


def pooled(rates: list[Rate]) -> tuple[Rate, float | None]:
    """Σ present ÷ Σ invited, and the mean of the meetings' rates beside it."""
    total = Rate(sum(r.invited for r in rates), sum(r.attended for r in rates), sum(r.excused for r in rates))
    values = [r.value for r in rates if r.value is not None]
    return total, (sum(values) / len(values) if values else None)


# --- feed ---------------------------------------------------------------------------------------

def member_by_calendar_token(token: str) -> Member | None:
    if not token:
        return None
    return db.session.scalar(select(Member).where(Member.calendar_token == token, Member.is_active.is_(True)))


def feed_meetings(member_id: int) -> list[Meeting]:
    """Every meeting and training the member holds an invitation (or a training place) for."""
    return list(db.session.scalars(
        select(Meeting).options(joinedload(Meeting.venue), joinedload(Meeting.network))
        .join(Invitation, Invitation.meeting_id == Meeting.id)
        .where(Invitation.member_id == member_id, Invitation.sent_at.is_not(None))
        .order_by(Meeting.starts_at)))


def confirmed_counts(meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    return dict(db.session.execute(
        select(Registration.meeting_id, func.count(Registration.id))
        .where(Registration.meeting_id.in_(meeting_ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.meeting_id)).all())


