"""Named queries for the meeting pages: a bounded number of statements whatever the data size."""

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (
    ARRAY, Integer, Row, and_, any_, bindparam, cast, func, null, or_, select, true, union_all,
)
from sqlalchemy.orm import aliased, joinedload

from network.calendar import paris_to_utc, to_paris
from network.database import constant, count_where, or_zero, plain_rows
from network.extensions import db
from network.members.models import Institution, Member, Network
from network.network_versions import NetworkVersion
from network.periods import Instant, Period, Scope
from network.sessions import attendance_counts
from network.sessions.attendance_figures import AttendanceSummary, MeetingAttendance, MemberAssiduity
from network.sessions.enums import MeetingKind, RegistrationStatus
from network.sessions.models import (
    AgendaItem, Attendance, Invitation, Meeting, MeetingLabels, Registration, Venue,
)


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


# The fields of RsvpCounts, in order: the answers a member's invitation can hold.
RSVP_COUNTED = ("yes", "no", "excused", "pending")


def rsvp_count_columns():
    """The members' invitations counted by answer (rsvp_yes, rsvp_no, …), to select with a GROUP BY meeting: the
    one definition of the answer counts, for the calendar and the meeting page."""
    return tuple(or_zero(count_where(Invitation.rsvp == constant(answer))).label(f"rsvp_{answer}")
                 for answer in RSVP_COUNTED)


def rsvp_counts_by_meeting(meeting_ids: list[int]) -> dict[int, RsvpCounts]:
    if not meeting_ids:
        return {}
    rows = plain_rows(_rsvp_counts_statement(), {"meeting_ids": list(meeting_ids)})
    return {row.meeting_id: RsvpCounts(*(int(value) for value in row[1:])) for row in rows}


@lru_cache(maxsize=1)
def _rsvp_counts_statement():
    """Built once (every calendar counts answers); the meeting ids are bound at execution."""
    return (select(Invitation.meeting_id, *rsvp_count_columns())
            .where(Invitation.meeting_id.in_(bindparam("meeting_ids", expanding=True)),
                   Invitation.member_id.is_not(None))
            .group_by(Invitation.meeting_id))


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


@dataclass(frozen=True, slots=True)
class VenueRow:
    name: str
    street: str
    postal_code: str
    city: str
    access_notes: str | None


@dataclass(frozen=True, slots=True)
class MeetingPage(MeetingLabels):
    """What the meeting and check-in pages show of a meeting, read as one plain row (no ORM objects): the
    meeting's columns, its network's slug, its venue (or None) and its co-facilitators' names."""
    id: int
    network_id: int
    network_slug: str
    kind: str
    status: str
    title: str
    description: str | None
    starts_at: datetime
    ends_at: datetime
    trainer: str | None
    capacity: int | None
    venue: VenueRow | None
    caf_facilitator_name: str | None
    msa_facilitator_name: str | None


def meeting_page(meeting_id: int) -> MeetingPage | None:
    row = db.session.connection().execute(_meeting_page_statement(), {"meeting_id": meeting_id}).first()
    return None if row is None else _meeting_page_of(row)


def _meeting_page_of(row: Row) -> MeetingPage:
    venue = (VenueRow(row.venue_name, row.street, row.postal_code, row.city, row.access_notes)
             if row.venue_id is not None else None)
    return MeetingPage(
        id=row.id, network_id=row.network_id, network_slug=row.network_slug, kind=row.kind, status=row.status,
        title=row.title, description=row.description, starts_at=row.starts_at, ends_at=row.ends_at,
        trainer=row.trainer, capacity=row.capacity, venue=venue,
        caf_facilitator_name=_full_name(row.caf_first_name, row.caf_last_name),
        msa_facilitator_name=_full_name(row.msa_first_name, row.msa_last_name))


def _full_name(first_name: str | None, last_name: str | None) -> str | None:
    """As Member.full_name; None without a member."""
    return None if first_name is None else f"{first_name} {last_name}"


@lru_cache(maxsize=1)
def _meeting_page_statement():
    """Built once (the meeting page is the busiest page); the meeting id is bound at execution."""
    caf, msa = aliased(Member), aliased(Member)
    return (
        select(Meeting.id, Meeting.network_id, Network.slug.label("network_slug"), Meeting.kind, Meeting.status,
               Meeting.title, Meeting.description, Meeting.starts_at, Meeting.ends_at, Meeting.trainer,
               Meeting.capacity, Meeting.venue_id, Venue.name.label("venue_name"), Venue.street, Venue.postal_code,
               Venue.city, Venue.access_notes, caf.first_name.label("caf_first_name"),
               caf.last_name.label("caf_last_name"), msa.first_name.label("msa_first_name"),
               msa.last_name.label("msa_last_name"))
        .join(Network, Network.id == Meeting.network_id)
        .outerjoin(Venue, Venue.id == Meeting.venue_id)
        .outerjoin(caf, caf.id == Meeting.caf_facilitator_id)
        .outerjoin(msa, msa.id == Meeting.msa_facilitator_id)
        .where(Meeting.id == bindparam("meeting_id"))
    )


class MyAnswer(NamedTuple):
    """The viewer's own invitation to the meeting: member id, answer, comment."""
    member_id: int
    rsvp: str
    rsvp_comment: str | None


class MyRegistration(NamedTuple):
    """The viewer's own training registration: the columns the page and services.waitlist_position read."""
    id: int
    meeting_id: int
    status: str
    registered_at: datetime

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED


class AgendaLine(NamedTuple):
    """One point of the meeting page's agenda, in `agenda` order."""
    id: int
    kind: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    speaker: str | None
    details: str | None


@dataclass(frozen=True, slots=True)
class MeetingView:
    """What the meeting page reads, in one statement: the meeting (MeetingPage), the viewer's own answer and training
    registration, the answers counted, the confirmed places of a training, the agenda and the attendance figures as
    the evaluation counts them (None before the start and for a cancelled meeting)."""
    meeting: MeetingPage
    mine: MyAnswer | None
    registration: MyRegistration | None
    counts: RsvpCounts
    places_taken: int
    agenda: list[AgendaLine]
    attendance: MeetingAttendance | None


def meeting_view(meeting_id: int, viewer_id: int, now: datetime) -> MeetingView | None:
    """The meeting page's reads for `viewer_id` as of `now` in one statement: the meeting row (left-joined with the
    viewer's invitation and registration, with the answer counts and with the attendance counts) once per agenda
    point, in `agenda` order."""
    rows = db.session.connection().execute(_meeting_view_statement(),
                                           {"meeting_id": meeting_id, "viewer_id": viewer_id, "now": now}).all()
    if not rows:
        return None
    row = rows[0]
    return MeetingView(
        meeting=_meeting_page_of(row),
        mine=MyAnswer(row.mine_member_id, row.mine_rsvp, row.mine_rsvp_comment)
        if row.mine_member_id is not None else None,
        registration=MyRegistration(row.registration_id, row.id, row.registration_status, row.registered_at)
        if row.registration_id is not None else None,
        counts=RsvpCounts(*(int(getattr(row, f"rsvp_{answer}") or 0) for answer in RSVP_COUNTED)),
        places_taken=int(row.places_taken or 0),
        agenda=[AgendaLine(row.agenda_id, row.agenda_kind, row.agenda_title, row.agenda_starts_at,
                           row.agenda_ends_at, row.agenda_speaker, row.agenda_details)
                for row in rows if row.agenda_id is not None],
        attendance=attendance_counts.meeting_attendance_of_row(row)
        if attendance_counts.is_counted(row.starts_at, row.status, now) else None)


@lru_cache(maxsize=1)
def _meeting_view_statement():
    """Built once (the meeting page is the busiest page); the meeting and the viewer are bound at execution. Every
    join but the agenda's gives one row at most (unique meeting and member); the answer and attendance counts are
    aggregates of the bound meeting without GROUP BY, one row each, joined on true: the meeting row comes once per
    agenda point, or once without agenda. The attendance counts are the evaluation's
    (attendance_counts.one_meeting_counts): the page shows what it counts."""
    viewer_id = bindparam("viewer_id")
    counts = (select(*rsvp_count_columns())
              .where(Invitation.meeting_id == bindparam("meeting_id"), Invitation.member_id.is_not(None))
              .subquery("rsvp_counts"))
    places = (select(func.count(Registration.id))
              .where(Registration.meeting_id == Meeting.id,
                     Registration.status == constant(RegistrationStatus.CONFIRMED))
              .correlate(Meeting).scalar_subquery())
    attendance = attendance_counts.one_meeting_counts()
    return (
        _meeting_page_statement()
        .add_columns(
            Invitation.member_id.label("mine_member_id"), Invitation.rsvp.label("mine_rsvp"),
            Invitation.rsvp_comment.label("mine_rsvp_comment"), Registration.id.label("registration_id"),
            Registration.status.label("registration_status"), Registration.registered_at,
            *(counts.c[f"rsvp_{answer}"] for answer in RSVP_COUNTED), places.label("places_taken"),
            AgendaItem.id.label("agenda_id"), AgendaItem.kind.label("agenda_kind"),
            AgendaItem.title.label("agenda_title"), AgendaItem.starts_at.label("agenda_starts_at"),
            AgendaItem.ends_at.label("agenda_ends_at"), AgendaItem.speaker.label("agenda_speaker"),
            AgendaItem.details.label("agenda_details"),
            attendance_counts.is_recorded().label("is_recorded"), attendance.c.invited, attendance.c.present,
            attendance.c.partial, attendance.c.excused)
        .outerjoin(Invitation, and_(Invitation.meeting_id == Meeting.id, Invitation.member_id == viewer_id))
        .outerjoin(Registration, and_(Registration.meeting_id == Meeting.id, Registration.member_id == viewer_id))
        .join(counts, true())
        .join(attendance, true())
        .outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .order_by(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)
    )


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


class InvitationLine(NamedTuple):
    """One line of the meeting page's table. A named tuple rather than the database row: templates read its fields
    by name, which a named tuple answers directly and a Row only after a failed attribute lookup (300 lines)."""
    member_id: int | None
    last_name: str | None
    first_name: str | None
    institution_id: int | None
    institution_name: str | None
    guest_name: str | None
    guest_job: str | None
    guest_email: str | None
    rsvp: str
    rsvp_comment: str | None
    rsvp_source: str | None
    sent_at: datetime | None


def invitation_rows(meeting_id: int) -> list[InvitationLine]:
    """The meeting page's table as plain rows (no ORM objects: it has 300 of them), in `invitations` order."""
    return [InvitationLine._make(row) for row in plain_rows(_invitation_rows_statement(), {"meeting_id": meeting_id})]


@lru_cache(maxsize=1)
def _invitation_rows_statement():
    """Built once (the meeting page is the busiest page); the meeting id is bound at execution."""
    return (
        select(Invitation.member_id, Member.last_name, Member.first_name, Member.institution_id,
               Institution.name.label("institution_name"), Invitation.guest_name, Invitation.guest_job,
               Invitation.guest_email, Invitation.rsvp, Invitation.rsvp_comment, Invitation.rsvp_source, Invitation.sent_at)
        .outerjoin(Member, Member.id == Invitation.member_id)
        .outerjoin(Institution, Institution.id == Member.institution_id)
        .where(Invitation.meeting_id == bindparam("meeting_id"))
        .order_by(Invitation.member_id.is_(None), func.lower(Member.last_name), func.lower(Member.first_name),
                  Invitation.guest_name))


class CheckinLine(NamedTuple):
    """One invited member on the check-in list (a named tuple, as InvitationLine)."""
    member_id: int
    first_name: str
    last_name: str
    institution_name: str | None
    rsvp: str
    attendance_status: str | None


class WalkIn(NamedTuple):
    """A guest recorded at the door without an invitation."""
    guest_name: str
    guest_organisation: str | None


@dataclass(frozen=True, slots=True)
class CheckinList:
    invited: list[CheckinLine]
    walk_ins: list[WalkIn]


def checkin_list(meeting_id: int, *, search: str = "") -> CheckinList:
    """The check-in page's two lists in one statement: the invited members (by name, with institution, answer and
    attendance status; `search` filters on the name, as `invitations` does), then the guests recorded at the door
    without an invitation (as `attendances` orders them)."""
    parameters = {"meeting_id": meeting_id}
    if search:
        parameters["pattern"] = f"%{search.strip().lower()}%"
    invited, walk_ins = [], []
    for row in plain_rows(_checkin_statement(bool(search)), parameters):
        if row.member_id is None:
            walk_ins.append(WalkIn(row.guest_name, row.guest_organisation))
        else:
            invited.append(CheckinLine(row.member_id, row.first_name, row.last_name, row.institution_name, row.rsvp,
                                       row.attendance_status))
    return CheckinList(invited, walk_ins)


@lru_cache(maxsize=2)
def _checkin_statement(search: bool):
    """Built once with and once without a search (the pattern and the meeting are bound at execution): the invited
    members' rows then the walk-ins', a UNION ALL ordered by part, then by each part's own order (sort_1…sort_4)."""
    meeting_id = bindparam("meeting_id")
    invited = (
        select(constant(0).label("part"), Invitation.member_id, Member.first_name, Member.last_name,
               Institution.name.label("institution_name"), Invitation.rsvp,
               Attendance.status.label("attendance_status"), null().label("guest_name"),
               null().label("guest_organisation"), func.lower(Member.last_name).label("sort_1"),
               func.lower(Member.first_name).label("sort_2"), Invitation.guest_name.label("sort_3"),
               null().label("sort_4"))
        .join(Member, Member.id == Invitation.member_id)
        .outerjoin(Institution, Institution.id == Member.institution_id)
        .outerjoin(Attendance, and_(Attendance.meeting_id == Invitation.meeting_id,
                                    Attendance.member_id == Invitation.member_id))
        .where(Invitation.meeting_id == meeting_id)
    )
    if search:
        pattern = bindparam("pattern")
        invited = invited.where(or_(func.lower(Member.last_name).like(pattern),
                                    func.lower(Member.first_name).like(pattern),
                                    func.lower(Invitation.guest_name).like(pattern)))
    walk_ins = (
        select(constant(1), null(), null(), null(), null(), null(), null(), Attendance.guest_name,
               Attendance.guest_organisation, Attendance.guest_name, null(), null(), Attendance.id)
        .where(Attendance.meeting_id == meeting_id, Attendance.member_id.is_(None))
    )
    union = union_all(invited, walk_ins).subquery("checkin")
    return select(union).order_by(union.c.part, union.c.sort_1, union.c.sort_2, union.c.sort_3, union.c.sort_4)


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


def invitation_with_meeting(invitation_id: int) -> Invitation | None:
    """The invitation with its member and its meeting (venue and network, as meeting_detail but the facilitators),
    in one statement: what the email's answer link checks, records and shows."""
    return db.session.scalar(
        select(Invitation).options(joinedload(Invitation.member),
                                   joinedload(Invitation.meeting).joinedload(Meeting.venue),
                                   joinedload(Invitation.meeting).joinedload(Meeting.network))
        .where(Invitation.id == invitation_id))


def my_invitation(meeting_id: int, member_id: int) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.meeting_id == meeting_id,
                                                      Invitation.member_id == member_id))


# --- member's pages and history -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MyMeeting(MeetingLabels):
    """One line of « Mes rencontres »: the meeting, its venue's name and city, and the member's own answer,
    attendance and training registration (their status, or None)."""
    id: int
    title: str
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str | None
    venue_city: str | None
    rsvp: str | None
    attendance_status: str | None
    registration_status: str | None


def my_meetings(member_id: int) -> list[MyMeeting]:
    """Meetings the member is invited to or registered for, with their answer and attendance, latest first:
    plain rows in one query."""
    statement = _my_meetings_statement(db.session.get_bind().dialect.name)
    return [MyMeeting(*row) for row in plain_rows(statement, {"member_id": member_id})]


@lru_cache(maxsize=2)
def _my_meetings_statement(dialect: str):
    """Built once per database; the member id is bound at execution."""
    member_id = bindparam("member_id")
    mine = union_all(select(Invitation.meeting_id).where(Invitation.member_id == member_id),
                     select(Registration.meeting_id).where(Registration.member_id == member_id)).subquery("mine")
    if dialect == "postgresql":
        # The member's meeting ids as one array, which PostgreSQL looks up in the meetings' primary key (one index
        # scan). Given the ids as a subquery, its costs preferred reading every meeting of the country (0.75 ms of
        # the statement's 0.92 ms on the national data, and growing with it) to thirty index lookups.
        of_the_member = Meeting.id == any_(cast(select(func.array_agg(mine.c.meeting_id)).scalar_subquery(),
                                                ARRAY(Integer)))
    else:
        of_the_member = Meeting.id.in_(select(mine.c.meeting_id))  # SQLite looks each id up
    return (
        select(Meeting.id, Meeting.title, Meeting.kind, Meeting.status, Meeting.starts_at, Meeting.ends_at,
               Venue.name, Venue.city, Invitation.rsvp, Attendance.status, Registration.status)
        .outerjoin(Venue, Venue.id == Meeting.venue_id)
        .outerjoin(Invitation, and_(Invitation.meeting_id == Meeting.id, Invitation.member_id == member_id))
        .outerjoin(Attendance, and_(Attendance.meeting_id == Meeting.id, Attendance.member_id == member_id))
        .outerjoin(Registration, and_(Registration.meeting_id == Meeting.id, Registration.member_id == member_id))
        .where(of_the_member)
        .order_by(Meeting.starts_at.desc())
    )


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


@lru_cache(maxsize=1)
def _feed_holder_statement():
    return (
        select(Member.network_id, or_zero(NetworkVersion.version).label("version"))
        .outerjoin(NetworkVersion, NetworkVersion.network_id == Member.network_id)
        .where(Member.calendar_token == bindparam("token"), Member.is_active.is_(True))
    )


def feed_holder(token: str) -> Row | None:
    """(network_id, version of that network) of the active member holding this calendar token, or None: what
    their feed is kept under, in one query."""
    if not token:
        return None
    return db.session.connection().execute(_feed_holder_statement(), {"token": token}).first()


def feed(token: str) -> tuple[str, list[Row]] | None:
    """(first name, rows) of the active member holding this calendar token, or None. One row per meeting or
    training they hold a sent invitation (or a training place) for, with the columns its VEVENT is made of: plain
    rows, not models, in one query."""
    if not token:
        return None
    rows = plain_rows(_feed_statement(), {"token": token})
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
    """The meeting's figures as the evaluation counts them; None before it starts or when cancelled.

    The indicators' statement over the instant the meeting starts (its network's meetings of that kind starting
    then: this one, in all likelihood), not over its year: the same figures, whatever the year holds."""
    if not attendance_counts.is_counted(meeting.starts_at, meeting.status, now):  # no query needed
        return None
    scope = Scope(period=Instant(meeting.starts_at), now=now, network_ids=(meeting.network_id,))
    rows = attendance_counts.meeting_attendance(scope, meeting.kind)
    return next((row for row in rows if row.meeting_id == meeting.id), None)


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
    return attendance_counts.one_member_assiduity(network_year(member.network_id, year, now), member.id,
                                                  member.full_name)
