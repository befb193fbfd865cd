"""Named queries for the meeting pages: a bounded number of statements whatever the data size."""

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from sqlalchemy import Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from network.calendar import paris_to_utc, to_paris
from network.extensions import db
from network.members.models import Institution, Member, Network
from network.periods import Period, Scope
from network.sessions import attendance_counts
from network.sessions.attendance_figures import AttendanceSummary, MeetingAttendance, MemberAssiduity
from network.sessions.enums import MeetingKind, RegistrationStatus
from network.sessions.models import AgendaItem, Attendance, Invitation, Meeting, Registration, Venue


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return paris_to_utc(date(year, 1, 1), time(0, 0)), paris_to_utc(date(year + 1, 1, 1), time(0, 0))


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


def host_names(network_id: int) -> list[str]:
    """The network's Caf and MSA (the co-hosts named on a sign-in sheet), Caf first."""
    rows = db.session.scalars(select(Institution).where(
        Institution.network_id == network_id, Institution.kind.in_(("caf", "msa"))).order_by(Institution.kind,
                                                                                             Institution.name))
    return [institution.name for institution in rows]


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


def invitation_rows(meeting_id: int) -> list[Row]:
    """The meeting page's table as plain rows (no ORM objects: it has 300 of them), in `invitations` order."""
    return list(db.session.execute(
        select(Invitation.member_id, Member.last_name, Member.first_name, Member.institution_id,
               Institution.name.label("institution_name"), Invitation.guest_name, Invitation.guest_job,
               Invitation.guest_email, Invitation.rsvp, Invitation.rsvp_comment, Invitation.rsvp_source, Invitation.sent_at)
        .outerjoin(Member, Member.id == Invitation.member_id)
        .outerjoin(Institution, Institution.id == Member.institution_id)
        .where(Invitation.meeting_id == meeting_id)
        .order_by(Invitation.member_id.is_(None), func.lower(Member.last_name), func.lower(Member.first_name),
                  Invitation.guest_name)))


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
        # by id through the member's own index, rather than testing the joins on every meeting of the country
        .where(or_(Meeting.id.in_(select(Invitation.meeting_id).where(Invitation.member_id == member_id)),
                   Meeting.id.in_(select(Registration.meeting_id).where(Registration.member_id == member_id))))
        .order_by(Meeting.starts_at.desc())).all()
    return [tuple(row) for row in rows]


# --- feed ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _feed_statement():
    """Built once (calendar clients poll the feed); the token is bound at execution."""
    return (
        select(Member.first_name, Meeting.id, Meeting.ical_uid, Meeting.ical_sequence, Meeting.title,
               Meeting.starts_at, Meeting.ends_at, Meeting.description, Meeting.status, Network.mailbox_email,
               Network.name.label("network_name"), Meeting.venue_id, Venue.name.label("venue_name"), Venue.street,
               Venue.postal_code, Venue.city)
        .select_from(Member)
        # left joins all along (a member without meetings still gets a feed); an invitation always has its meeting,
        # and a meeting its network
        .outerjoin(Invitation, and_(Invitation.member_id == Member.id, Invitation.sent_at.is_not(None)))
        .outerjoin(Meeting, Meeting.id == Invitation.meeting_id)
        .outerjoin(Network, Network.id == Meeting.network_id)
        .outerjoin(Venue, Venue.id == Meeting.venue_id)
        .where(Member.calendar_token == bindparam("token"), Member.is_active.is_(True))
        .order_by(Meeting.starts_at, Meeting.id)
    )


def feed(token: str) -> tuple[str, list[Row]] | None:
    """(first name, rows) of the active member holding this calendar token, or None. One row per meeting or
    training they hold a sent invitation (or a training place) for, with the columns its VEVENT is made of: plain
    rows, not models, in one query."""
    if not token:
        return None
    # on the session's connection: the statement needs none of the ORM's result processing (a third of its cost)
    rows = db.session.connection().execute(_feed_statement(), {"token": token}).all()
    if not rows:
        return None
    return rows[0].first_name, [row for row in rows if row.id is not None]


def confirmed_counts(meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    return dict(db.session.execute(
        select(Registration.meeting_id, func.count(Registration.id))
        .where(Registration.meeting_id.in_(meeting_ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.meeting_id)).all())


# --- attendance: as the evaluation indicators count it (DESIGN §4), scoped to one network ---------
# The meeting pages never count attendance themselves: one definition, in network.sessions.attendance_counts.

def network_year(network_id: int, year: int, now: datetime) -> Scope:
    """One network, one calendar year (Europe/Paris), meetings counted once started (as of `now`)."""
    return Scope(period=Period(year), now=now, network_ids=(network_id,))


def meeting_attendance_by_id(network_id: int, year: int, now: datetime,
                             kinds: tuple[str, ...] = tuple(MeetingKind)) -> dict[int, MeetingAttendance]:
    """Past, non-cancelled meetings of the year (one query per kind), recorded or not, by meeting id."""
    scope = network_year(network_id, year, now)
    return {row.meeting_id: row for kind in kinds for row in attendance_counts.meeting_attendance(scope, kind)}


def meeting_attendance_of(meeting: Meeting, now: datetime) -> MeetingAttendance | None:
    """The meeting's figures as the evaluation counts them; None before it starts or when cancelled."""
    if meeting.starts_at >= now or meeting.is_cancelled:  # what the indicators exclude: no query needed
        return None
    year = to_paris(meeting.starts_at).year
    return meeting_attendance_by_id(meeting.network_id, year, now, (meeting.kind,)).get(meeting.id)


@dataclass(frozen=True)
class AttendanceHistory:
    summary: AttendanceSummary  # quarterly meetings: pooled rate, mean of meeting rates, assiduity ≥ 75 %
    meetings: list[MeetingAttendance]
    trainings: list[MeetingAttendance]
    members: list[MemberAssiduity]


def attendance_history(network_id: int, year: int, now: datetime) -> AttendanceHistory:
    scope = network_year(network_id, year, now)
    return AttendanceHistory(
        summary=attendance_counts.attendance_summary(scope),
        meetings=attendance_counts.meeting_attendance(scope),
        trainings=attendance_counts.meeting_attendance(scope, MeetingKind.TRAINING),
        members=attendance_counts.member_assiduity(scope),
    )


def my_assiduity(member: Member, year: int, now: datetime) -> MemberAssiduity | None:
    """The member's own assiduity over the quarterly meetings of the year in their network."""
    if member.network_id is None:
        return None
    rows = attendance_counts.member_assiduity(network_year(member.network_id, year, now))
    return next((row for row in rows if row.member_id == member.id), None)
