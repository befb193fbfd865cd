"""Venues, meetings (one at a time or a whole year) and their agenda."""

import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from network.audit import record_audit
from network.calendar import paris_to_utc, to_paris
from network.database import utcnow
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.formatting import french_date
from network.members.enums import InstitutionKind, Role
from network.members.models import Member, Network
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus, RegistrationStatus
from network.sessions.models import AgendaItem, Meeting, Registration, Venue
from network.sessions.permissions import can_manage_meeting, can_manage_meetings
from network.sessions.services import mailing
from network.sessions.services.trainings import promote_waitlist

QUARTER_MONTHS = (3, 6, 9, 12)
DEFAULT_START = time(9, 30)
DEFAULT_END = time(16, 0)
EDITABLE_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.INVITED)
# A change of these re-sends the invitation (they are all in the calendar event).
CALENDAR_FIELDS = ("title", "description", "starts_at", "ends_at", "venue_id")
VENUE_CALENDAR_FIELDS = ("name", "street", "postal_code", "city")  # the event's LOCATION


def _require_manager(actor: Member, network_id: int) -> None:
    if not can_manage_meetings(actor, network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau peuvent planifier les rencontres.")


# --- venues -------------------------------------------------------------------------------------

@dataclass
class VenueData:
    name: str
    host_kind: str
    street: str
    postal_code: str
    city: str
    access_notes: str | None = None
    is_active: bool = True


def _venue_name_taken(network_id: int, name: str, excluding: int | None = None) -> bool:
    query = select(Venue.id).where(Venue.network_id == network_id, func.lower(Venue.name) == name.strip().lower())
    if excluding is not None:
        query = query.where(Venue.id != excluding)
    return db.session.scalar(query) is not None


def create_venue(*, actor: Member, network: Network, data: VenueData) -> Venue:
    _require_manager(actor, network.id)
    if _venue_name_taken(network.id, data.name):
        raise Conflict("Un lieu porte déjà ce nom dans le réseau.")
    venue = Venue(network_id=network.id, **{f.name: getattr(data, f.name) for f in fields(data)})
    venue.name = venue.name.strip()
    db.session.add(venue)
    db.session.flush()
    record_audit(actor=actor, action="venue.create", obj=venue)
    return venue


@dataclass(frozen=True)
class VenueUpdate:
    changed: list[str]
    meetings_updated: int  # upcoming invited meetings held there whose invited people got an update


def update_venue(*, actor: Member, venue: Venue, data: VenueData, now: datetime | None = None) -> VenueUpdate:
    """Apply the changes; a new name or address reaches the calendars of every upcoming invited meeting held
    there (SEQUENCE+1, one update email per invited person)."""
    _require_manager(actor, venue.network_id)
    if _venue_name_taken(venue.network_id, data.name, excluding=venue.id):
        raise Conflict("Un lieu porte déjà ce nom dans le réseau.")
    changed = [f.name for f in fields(data) if getattr(venue, f.name) != getattr(data, f.name)]
    for name in changed:
        setattr(venue, name, getattr(data, name))
    if changed:
        record_audit(actor=actor, action="venue.update", obj=venue, fields=changed)
    meetings = []
    if any(name in VENUE_CALENDAR_FIELDS for name in changed):
        db.session.flush()
        meetings = list(db.session.scalars(select(Meeting).where(
            Meeting.venue_id == venue.id, Meeting.status == MeetingStatus.INVITED, Meeting.starts_at > (now or utcnow()))
            .order_by(Meeting.starts_at, Meeting.id)))
        for meeting in meetings:
            meeting.ical_sequence += 1
            mailing.queue_to_all(meeting, kind=mailing.UPDATE)
    return VenueUpdate(changed, len(meetings))


# --- meetings -----------------------------------------------------------------------------------

@dataclass
class MeetingData:
    title: str
    starts_at: datetime
    ends_at: datetime
    kind: str = MeetingKind.QUARTERLY
    description: str | None = None
    venue_id: int | None = None
    caf_facilitator_id: int | None = None
    msa_facilitator_id: int | None = None
    trainer: str | None = None
    capacity: int | None = None


def new_ical_uid() -> str:
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "reseau.local"
    return f"rencontre-{uuid.uuid4()}@{host}"


def _check_meeting_data(network_id: int, data: MeetingData, *, now: datetime, moved: bool) -> None:
    if data.ends_at <= data.starts_at:
        raise DomainError("La fin doit être postérieure au début.")
    if moved and data.starts_at <= now:
        raise DomainError("La date choisie est déjà passée : choisissez une date à venir.")
    if data.venue_id is not None:
        venue = db.session.get(Venue, data.venue_id)
        if venue is None or venue.network_id != network_id:
            raise DomainError("Ce lieu n'appartient pas au réseau.")
    for member_id, kind, label in ((data.caf_facilitator_id, InstitutionKind.CAF, "Caf"),
                                   (data.msa_facilitator_id, InstitutionKind.MSA, "MSA")):
        if member_id is None:
            continue
        member = db.session.scalar(select(Member).options(joinedload(Member.institution)).where(Member.id == member_id))
        if member is None or member.network_id != network_id or member.role != Role.FACILITATOR:
            raise DomainError(f"Le co-animateur {label} doit être un co-animateur du réseau.")
        if member.institution is not None and member.institution.kind != kind:
            raise DomainError(f"{member.full_name} n'appartient pas à la {label}.")
    if data.kind == MeetingKind.TRAINING and data.capacity is not None and data.capacity < 1:
        raise DomainError("La capacité doit être d'au moins une place.")


def create_meeting(*, actor: Member, network: Network, data: MeetingData, with_default_agenda: bool = True,
                   now: datetime | None = None) -> Meeting:
    _require_manager(actor, network.id)
    _check_meeting_data(network.id, data, now=now or utcnow(), moved=True)
    meeting = Meeting(network_id=network.id, status=MeetingStatus.PLANNED, ical_uid=new_ical_uid(), ical_sequence=0,
                      **{f.name: getattr(data, f.name) for f in fields(data)})
    if meeting.kind != MeetingKind.TRAINING:
        meeting.trainer = meeting.capacity = None
    db.session.add(meeting)
    db.session.flush()
    if with_default_agenda and meeting.kind == MeetingKind.QUARTERLY:
        db.session.add_all(default_agenda(meeting))
    record_audit(actor=actor, action="meeting.create", obj=meeting)
    return meeting


def update_meeting(*, actor: Member, meeting: Meeting, data: MeetingData, now: datetime | None = None) -> list[str]:
    """Apply the changes; an invited meeting whose date, time or venue changed gets SEQUENCE+1
    and every invited person an update."""
    _require_manager(actor, meeting.network_id)
    if meeting.status not in EDITABLE_STATUSES:
        raise InvalidTransition(f"Une rencontre « {meeting.status_label} » ne peut plus être modifiée.")
    data.kind = meeting.kind  # a meeting does not change kind
    changed = [f.name for f in fields(data) if getattr(meeting, f.name) != getattr(data, f.name)]
    moved = any(name in ("starts_at", "ends_at") for name in changed)
    _check_meeting_data(meeting.network_id, data, now=now or utcnow(), moved=moved)
    if "capacity" in changed and data.capacity is not None:
        confirmed = db.session.scalar(select(func.count(Registration.id)).where(
            Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.CONFIRMED))
        if data.capacity < confirmed:
            raise Conflict(f"La capacité ne peut pas être inférieure au nombre d'inscrits ({confirmed}).")
    if "starts_at" in changed:
        _move_agenda(meeting, data)
    for name in changed:
        setattr(meeting, name, getattr(data, name))
    if not changed:
        return []
    if meeting.status == MeetingStatus.INVITED and any(name in CALENDAR_FIELDS for name in changed):
        meeting.ical_sequence += 1
        db.session.flush()
        mailing.queue_to_all(meeting, kind=mailing.UPDATE)
    if "capacity" in changed and meeting.is_training:
        promote_waitlist(meeting)
    db.session.flush()
    record_audit(actor=actor, action="meeting.update", obj=meeting, fields=changed)
    return changed


def _move_agenda(meeting: Meeting, data: MeetingData) -> None:
    """The agenda moves with the meeting's start; an item that would then leave the new hours is refused
    (the facilitator shortens the agenda first) rather than silently cut."""
    shift = data.starts_at - meeting.starts_at
    items = list(db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                    .order_by(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)))
    for item in items:
        for name in ("starts_at", "ends_at"):
            value = getattr(item, name)
            if value is not None and not data.starts_at <= value + shift <= data.ends_at:
                raise DomainError(f"L'ordre du jour suit la rencontre, mais le point « {item.title} » "
                                  "sortirait des nouveaux horaires : raccourcissez-le ou modifiez l'heure de fin.")
    for item in items:
        if item.starts_at is not None:
            item.starts_at += shift
        if item.ends_at is not None:
            item.ends_at += shift


# --- annual planning ----------------------------------------------------------------------------

@dataclass
class Slot:
    day: date
    start: time
    end: time
    venue_id: int | None


def second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def rotating_venues(venues: list[Venue]) -> list[Venue]:
    """Caf, MSA, partner, Caf…: interleave active venues by host kind."""
    order = [InstitutionKind.CAF, InstitutionKind.MSA, InstitutionKind.PARTNER, InstitutionKind.COLLECTIVITE]
    groups = [[v for v in venues if v.host_kind == kind] for kind in order]
    rotated = []
    while any(groups):
        for group in groups:
            if group:
                rotated.append(group.pop(0))
    return rotated


QUARTERS = (1, 2, 3, 4)
QUARTER_NAMES = {1: "1er trimestre", 2: "2e trimestre", 3: "3e trimestre", 4: "4e trimestre"}


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def default_slots(year: int, venues: list[Venue], quarters=QUARTERS) -> list[Slot]:
    """The second Tuesday of each quarter's last month, venues rotating by quarter (so a quarter planned later
    gets the venue it would have had)."""
    rotation = rotating_venues([venue for venue in venues if venue.is_active])
    return [Slot(second_tuesday(year, QUARTER_MONTHS[quarter - 1]), DEFAULT_START, DEFAULT_END,
                 rotation[(quarter - 1) % len(rotation)].id if rotation else None)
            for quarter in quarters]


def planned_quarters(network_id: int, year: int) -> dict[int, Meeting]:
    """The year's quarters that already have a (non-cancelled) quarterly meeting, with its first meeting."""
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.network_id == network_id, Meeting.kind == MeetingKind.QUARTERLY,
        Meeting.status != MeetingStatus.CANCELLED,
        Meeting.starts_at >= paris_to_utc(date(year, 1, 1), time(0, 0)),
        Meeting.starts_at < paris_to_utc(date(year + 1, 1, 1), time(0, 0))).order_by(Meeting.starts_at.desc()))
    return dict(sorted({quarter_of(to_paris(meeting.starts_at).date()): meeting for meeting in meetings}.items()))


def default_facilitators(network_id: int) -> tuple[int | None, int | None]:
    rows = db.session.scalars(
        select(Member).options(joinedload(Member.institution)).where(
            Member.network_id == network_id, Member.role == Role.FACILITATOR, Member.is_active.is_(True))
        .order_by(Member.id))
    caf = msa = None
    for member in rows:
        kind = member.institution.kind if member.institution else None
        if kind == InstitutionKind.CAF and caf is None:
            caf = member.id
        elif kind == InstitutionKind.MSA and msa is None:
            msa = member.id
    return caf, msa


def quarter_title(day: date) -> str:
    quarter = (day.month - 1) // 3 + 1
    return f"Rencontre du réseau — {'1er' if quarter == 1 else f'{quarter}e'} trimestre {day.year}"


def plan_year(*, actor: Member, network: Network, year: int, slots: list[Slot], caf_facilitator_id: int | None,
              msa_facilitator_id: int | None, now: datetime | None = None) -> list[Meeting]:
    """Create the quarterly meetings of the year's quarters that have none yet, all or none."""
    _require_manager(actor, network.id)
    now = now or utcnow()
    planned = planned_quarters(network.id, year)
    if len(planned) == len(QUARTERS):
        raise Conflict(f"Les quatre rencontres trimestrielles de {year} sont déjà planifiées.")
    if not slots:
        raise DomainError("Aucune rencontre à planifier.")
    if any(slot.day.year != year for slot in slots):
        raise DomainError(f"Toutes les dates doivent être en {year}.")
    for slot in slots:
        if (existing := planned.get(quarter_of(slot.day))) is not None:
            raise Conflict(f"Le {QUARTER_NAMES[quarter_of(slot.day)]} {year} a déjà sa rencontre, le "
                           f"{french_date(existing.starts_at)}\u00a0: choisissez une date d'un autre trimestre.")
    if len({quarter_of(slot.day) for slot in slots}) < len(slots):
        raise DomainError("Deux rencontres tombent dans le même trimestre\u00a0: une rencontre par trimestre.")
    meetings = []
    for slot in slots:
        data = MeetingData(title=quarter_title(slot.day), starts_at=paris_to_utc(slot.day, slot.start),
                           ends_at=paris_to_utc(slot.day, slot.end), venue_id=slot.venue_id,
                           caf_facilitator_id=caf_facilitator_id, msa_facilitator_id=msa_facilitator_id)
        meetings.append(create_meeting(actor=actor, network=network, data=data, now=now))
    return meetings


# --- agenda -------------------------------------------------------------------------------------

@dataclass
class AgendaData:
    kind: str
    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    speaker: str | None = None
    details: str | None = None


DEFAULT_AGENDA = (
    (AgendaItemKind.FREE, "Accueil café", 0, 15),
    (AgendaItemKind.THEMATIC, "Information thématique", 15, 120),
    (AgendaItemKind.CODEV, "Atelier de co-développement professionnel", 120, 330),
    (AgendaItemKind.VOTE, "Vote du thème de la prochaine rencontre", 330, 375),
)


def default_agenda(meeting: Meeting) -> list[AgendaItem]:
    """The usual day, scaled down if the meeting is shorter."""
    length = (meeting.ends_at - meeting.starts_at).total_seconds() / 60
    scale = min(1.0, length / 390)
    return [AgendaItem(meeting_id=meeting.id, kind=kind, title=title, position=index,
                       starts_at=meeting.starts_at + timedelta(minutes=round(begin * scale)),
                       ends_at=meeting.starts_at + timedelta(minutes=round(end * scale)))
            for index, (kind, title, begin, end) in enumerate(DEFAULT_AGENDA)]


def _check_agenda(meeting: Meeting, data: AgendaData) -> None:
    if meeting.status not in EDITABLE_STATUSES:
        raise InvalidTransition(f"L'ordre du jour d'une rencontre « {meeting.status_label} » ne se modifie plus.")
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        raise DomainError("La fin du point doit être postérieure à son début.")
    for value in (data.starts_at, data.ends_at):
        if value is not None and not meeting.starts_at <= value <= meeting.ends_at:
            raise DomainError("Les horaires du point doivent tenir dans ceux de la rencontre.")


def add_agenda_item(*, actor: Member, meeting: Meeting, data: AgendaData) -> AgendaItem:
    if not can_manage_meeting(actor, meeting):
        raise NotAllowed("Seuls les co-animateurs du réseau modifient l'ordre du jour.")
    _check_agenda(meeting, data)
    position = db.session.scalar(select(func.coalesce(func.max(AgendaItem.position), -1))
                                 .where(AgendaItem.meeting_id == meeting.id)) + 1
    item = AgendaItem(meeting_id=meeting.id, position=position, **{f.name: getattr(data, f.name) for f in fields(data)})
    db.session.add(item)
    db.session.flush()
    record_audit(actor=actor, action="agenda_item.create", obj=item, network_id=meeting.network_id)
    return item


def update_agenda_item(*, actor: Member, meeting: Meeting, item: AgendaItem, data: AgendaData) -> list[str]:
    if not can_manage_meeting(actor, meeting) or item.meeting_id != meeting.id:
        raise NotAllowed("Seuls les co-animateurs du réseau modifient l'ordre du jour.")
    _check_agenda(meeting, data)
    changed = [f.name for f in fields(data) if getattr(item, f.name) != getattr(data, f.name)]
    for name in changed:
        setattr(item, name, getattr(data, name))
    if changed:
        record_audit(actor=actor, action="agenda_item.update", obj=item, fields=changed, network_id=meeting.network_id)
    return changed


def delete_agenda_item(*, actor: Member, meeting: Meeting, item: AgendaItem) -> None:
    if not can_manage_meeting(actor, meeting) or item.meeting_id != meeting.id:
        raise NotAllowed("Seuls les co-animateurs du réseau modifient l'ordre du jour.")
    if meeting.status not in EDITABLE_STATUSES:
        raise InvalidTransition(f"L'ordre du jour d'une rencontre « {meeting.status_label} » ne se modifie plus.")
    record_audit(actor=actor, action="agenda_item.delete", obj=item, network_id=meeting.network_id)
    db.session.delete(item)
    db.session.flush()
