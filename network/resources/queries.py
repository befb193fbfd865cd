"""Named queries of the materials, minutes and library pages: plain rows, a fixed number of statements."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, func, select, union, union_all
from sqlalchemy.orm import joinedload

from network.codev.enums import AFTER_WORKSHOP_STATES, CaseType
from network.codev.models import Case, CaseAction, CaseRecord
from network.database import constant, plain_rows
from network.extensions import db
from network.members.models import Network
from network.resources import search
from network.resources.enums import FILE_FAMILIES, FileType, MinutesStatus, ResourceKind, ResourceStatus
from network.resources.models import (
    GuestUpload, Minutes, MinutesVersion, NewsItem, Resource, ResourceDownload, SharedCaseSheet,
)
from network.sessions.models import AgendaItem, Invitation, Meeting
from network.topics.models import Topic

LIBRARY_LIMIT = 300  # rows of each kind on one library page; the filters narrow it down


def meeting(meeting_id: int) -> Meeting | None:
    return db.session.scalar(select(Meeting).options(joinedload(Meeting.network)).where(Meeting.id == meeting_id))


def agenda(meeting_id: int) -> list[AgendaItem]:
    return list(db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                                   .order_by(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)))


def meeting_resources(meeting_id: int, *, include_pending: bool) -> list[Resource]:
    query = (select(Resource).options(joinedload(Resource.uploaded_by))
             .where(Resource.meeting_id == meeting_id).order_by(Resource.created_at, Resource.id))
    if not include_pending:
        query = query.where(Resource.status == constant(ResourceStatus.PUBLISHED))
    return list(db.session.scalars(query))


def resource(resource_id: int) -> Resource | None:
    return db.session.get(Resource, resource_id)


def minutes_of(meeting_id: int) -> Minutes | None:
    return db.session.scalar(select(Minutes).options(joinedload(Minutes.author))
                             .where(Minutes.meeting_id == meeting_id))


def minutes_versions(minutes_id: int) -> list[MinutesVersion]:
    return list(db.session.scalars(select(MinutesVersion).options(joinedload(MinutesVersion.author))
                                   .where(MinutesVersion.minutes_id == minutes_id)
                                   .order_by(MinutesVersion.version.desc())))


def minutes_version(minutes_id: int, version: int) -> MinutesVersion | None:
    return db.session.scalar(select(MinutesVersion).options(joinedload(MinutesVersion.author)).where(
        MinutesVersion.minutes_id == minutes_id, MinutesVersion.version == version))


def guest_invitation(invitation_id: int, meeting_id: int) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.meeting_id == meeting_id, Invitation.guest_email.is_not(None)))


def guest_upload_used(invitation_id: int) -> bool:
    return db.session.scalar(select(GuestUpload.id).where(GuestUpload.invitation_id == invitation_id)) is not None


# --- the library ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LibraryFilters:
    query: str = ""
    year: int | None = None
    family: str | None = None  # a key of FAMILY_LABELS

    @property
    def words(self) -> list[str]:
        return search.query_words(self.query)


class LibraryItem(NamedTuple):
    """One line of the library: a material or published minutes (a named tuple: a page builds up to 600 of them,
    and a frozen dataclass sets each of its 13 fields through object.__setattr__)."""

    kind: str  # "resource" or "minutes"
    id: int
    title: str
    family: str
    type_label: str
    meeting_id: int
    meeting_title: str
    starts_at: datetime
    topic_title: str | None
    description: str | None = None
    url: str | None = None
    size: int | None = None
    edited_at: datetime | None = None


@dataclass
class LibraryGroup:
    key: str
    title: str
    starts_at: datetime | None
    items: list[LibraryItem] = field(default_factory=list)


@cache
def _resource_statement(*, with_year: bool, family: str | None, searched_on: str | None) -> Select:
    """Published materials of :network_id (of :year, matching :search_query), newest meeting first: built once per
    filter shape. searched_on: the database whose full-text search the statement asks (None: no words)."""
    query = (select(Resource.id, Resource.title, Resource.kind, Resource.media_type, Resource.description,
                    Resource.url, Resource.size, Resource.meeting_id, Meeting.title.label("meeting_title"),
                    Meeting.starts_at, Topic.title.label("topic_title"))
             # a material's meeting is of its network (services._new_resource): said in the join, PostgreSQL reads the
             # network's meetings by their index instead of hashing every meeting of the country (0.8 → 0.4 ms)
             .join(Meeting, and_(Meeting.id == Resource.meeting_id, Meeting.network_id == Resource.network_id))
             .outerjoin(Topic, Topic.id == Resource.topic_id)
             .where(Resource.network_id == bindparam("network_id"),
                    Resource.status == constant(ResourceStatus.PUBLISHED))
             .order_by(Meeting.starts_at.desc(), Resource.id).limit(constant(LIBRARY_LIMIT)))
    if with_year:
        query = query.where(Resource.year == bindparam("year"))
    if searched_on:
        query = query.where(search.match_clause(Resource))
    if family == "link":
        query = query.where(Resource.kind == ResourceKind.LINK)
    elif family:
        query = query.where(Resource.media_type.in_(
            [file_type.value for file_type, file_family in FILE_FAMILIES.items() if file_family == family]))
    return query


@cache
def _minutes_statement(*, with_year: bool, searched_on: str | None) -> Select:
    """Published minutes of :network_id (of :year, matching :search_query), newest meeting first: built once per
    filter shape (searched_on: as _resource_statement's)."""
    query = (select(Minutes.id, Minutes.summary, Minutes.edited_at, Minutes.meeting_id,
                    Meeting.title.label("meeting_title"), Meeting.starts_at, Topic.title.label("topic_title"))
             .join(Meeting, and_(Meeting.id == Minutes.meeting_id, Meeting.network_id == Minutes.network_id))
             .outerjoin(Topic, Topic.id == Minutes.topic_id)
             .where(Minutes.network_id == bindparam("network_id"), Minutes.status == constant(MinutesStatus.PUBLISHED))
             .order_by(Meeting.starts_at.desc()).limit(constant(LIBRARY_LIMIT)))
    if with_year:
        query = query.where(Minutes.year == bindparam("year"))
    if searched_on:
        query = query.where(search.match_clause(Minutes))
    return query


# A file's family and French label by its stored media type; None: a link.
_FAMILY_OF = {file_type.value: family for file_type, family in FILE_FAMILIES.items()} | {None: "link"}
_TYPE_LABEL_OF = {file_type.value: file_type.label for file_type in FileType} | {None: "Lien"}


def library_items(network_id: int, filters: LibraryFilters) -> list[LibraryItem]:
    """Materials and published minutes of the network matching the filters: two statements. Their rows are unpacked
    in the statements' column order: read by name, a row's eleven fields cost 3.6 µs a line against 0.46 µs
    unpacked (350 → 46 µs for a library of 98 materials)."""
    words = filters.words
    searched_on = search.searched_on(words)
    parameters = {"network_id": network_id, "year": filters.year, **search.search_parameters(words)}
    with_year = filters.year is not None
    items = []
    if filters.family in (None, "minutes"):
        rows = plain_rows(_minutes_statement(with_year=with_year, searched_on=searched_on), parameters)
        items += [LibraryItem("minutes", minutes_id, f"Compte rendu — {meeting_title}", "minutes", "Compte rendu",
                              meeting_id, meeting_title, starts_at, topic_title, summary or None, None, None,
                              edited_at)
                  for minutes_id, summary, edited_at, meeting_id, meeting_title, starts_at, topic_title in rows]
    if filters.family != "minutes":
        rows = plain_rows(_resource_statement(with_year=with_year, family=filters.family, searched_on=searched_on),
                          parameters)
        items += [LibraryItem("resource", resource_id, title, _FAMILY_OF[media_type or None],
                              _TYPE_LABEL_OF[media_type or None], meeting_id, meeting_title, starts_at, topic_title,
                              description, url, size)
                  for (resource_id, title, _kind, media_type, description, url, size, meeting_id, meeting_title,
                       starts_at, topic_title) in rows]
    return items


@cache
def _library_years_statement() -> Select:
    years = union(select(Resource.year).where(Resource.network_id == bindparam("network_id")),
                  select(Minutes.year).where(Minutes.network_id == bindparam("network_id"),
                                             Minutes.status == constant(MinutesStatus.PUBLISHED))).subquery()
    return select(years.c.year).distinct()


def library_years(network_id: int) -> list[int]:
    rows = plain_rows(_library_years_statement(), {"network_id": network_id})
    return sorted((year for (year,) in rows), reverse=True)


def group_by_meeting(items: list[LibraryItem]) -> list[LibraryGroup]:
    groups: dict[int, LibraryGroup] = {}
    for item in items:
        group = groups.setdefault(item.meeting_id, LibraryGroup(str(item.meeting_id), item.meeting_title,
                                                                item.starts_at))
        group.items.append(item)
    for group in groups.values():
        group.items.sort(key=lambda item: (item.kind != "minutes", item.id))
    return sorted(groups.values(), key=lambda group: group.starts_at, reverse=True)


def group_by_topic(items: list[LibraryItem]) -> list[LibraryGroup]:
    groups: dict[str, LibraryGroup] = {}
    for item in items:
        title = item.topic_title or "Sans thème"
        groups.setdefault(title, LibraryGroup(title, title, None)).items.append(item)
    for group in groups.values():
        group.items.sort(key=lambda item: item.starts_at, reverse=True)
    return sorted(groups.values(), key=lambda group: (group.title == "Sans thème", group.title.casefold()))



# --- the national library: what facilitators shared with every network ----------------------------------

@dataclass(frozen=True)
class SharedItem:
    id: int
    title: str
    description: str | None
    type_label: str
    url: str | None
    size: int | None
    theme: str
    network_name: str
    shared_at: datetime


@cache
def _shared_statement(*, with_theme: bool, searched_on: str | None) -> Select:
    """What every network shared (on :theme, matching :search_query), latest first: built once per filter shape
    (searched_on: as _resource_statement's)."""
    query = (select(Resource.id, Resource.title, Resource.description, Resource.media_type, Resource.url,
                    Resource.size, Resource.shared_theme, Network.name.label("network_name"), Resource.shared_at)
             .join(Network, Network.id == Resource.network_id)
             .where(Resource.shared_at.is_not(None), Resource.status == constant(ResourceStatus.PUBLISHED))
             .order_by(Resource.shared_at.desc(), Resource.id.desc()).limit(constant(LIBRARY_LIMIT)))
    if with_theme:
        query = query.where(Resource.shared_theme == bindparam("theme"))
    if searched_on:
        query = query.where(search.match_clause(Resource))
    return query


def shared_items(*, theme: str | None, words: list[str]) -> list[SharedItem]:
    query = _shared_statement(with_theme=bool(theme), searched_on=search.searched_on(words))
    return [SharedItem(row.id, row.title, row.description, _TYPE_LABEL_OF[row.media_type or None], row.url,
                       row.size, row.shared_theme, row.network_name, row.shared_at)
            for row in db.session.execute(query, {"theme": theme, **search.search_parameters(words)})]


def shared_by_network() -> list[tuple[str, int]]:
    """For the admin: how many resources each network shares (the ones that travel)."""
    return [tuple(row) for row in db.session.execute(
        select(Network.name, func.count(Resource.id)).join(Resource, Resource.network_id == Network.id)
        .where(Resource.shared_at.is_not(None), Resource.status == constant(ResourceStatus.PUBLISHED))
        .group_by(Network.name).order_by(func.count(Resource.id).desc(), Network.name))]


@dataclass(frozen=True)
class ResourceFigures:
    """« Ressources partagées » of a network in a year: materials added, minutes published, shared nationally."""

    network_name: str
    materials: int
    minutes: int
    shared: int
    downloads: int = 0  # of the network's files, during the year (Paris days)


def resource_figures(year: int, *, network_id: int | None = None) -> list[ResourceFigures]:
    """Per network (or one), for the meetings of `year` (Paris): materials, minutes, shared; and the downloads of
    the network's files during the year. One statement, by network name."""
    parameters = {"year": year, "first_day": date(year, 1, 1), "last_day": date(year, 12, 31), "network_id": network_id}
    rows = plain_rows(_figures_statement(one_network=network_id is not None), parameters)
    return sorted((ResourceFigures(row.name, int(row.materials), int(row.minutes), int(row.shared), int(row.downloads))
                   for row in rows), key=lambda figures: figures.network_name)


@cache
def _figures_statement(*, one_network: bool) -> Select:
    """The three counts of each network as the parts of one union, added up by network: built once per shape, the
    year, its first and last days (and the network) bound at execution."""
    zero = constant(0)
    materials = (select(Resource.network_id.label("network_id"), func.count(Resource.id).label("materials"),
                        func.count(Resource.shared_at).label("shared"), zero.label("minutes"), zero.label("downloads"))
                 .where(Resource.year == bindparam("year"), Resource.status == constant(ResourceStatus.PUBLISHED))
                 .group_by(Resource.network_id))
    # a union matches its parts' columns by position: each part names them in the same order as the first
    minutes = (select(Minutes.network_id, zero.label("materials"), zero.label("shared"),
                      func.count(Minutes.id).label("minutes"), zero.label("downloads"))
               .where(Minutes.year == bindparam("year"), Minutes.status == constant(MinutesStatus.PUBLISHED))
               .group_by(Minutes.network_id))
    downloads = (select(Resource.network_id, zero.label("materials"), zero.label("shared"), zero.label("minutes"),
                        func.sum(ResourceDownload.count).label("downloads"))
                 .join(Resource, Resource.id == ResourceDownload.resource_id)
                 .where(ResourceDownload.day >= bindparam("first_day"), ResourceDownload.day <= bindparam("last_day"))
                 .group_by(Resource.network_id))
    if one_network:
        materials = materials.where(Resource.network_id == bindparam("network_id"))
        minutes = minutes.where(Minutes.network_id == bindparam("network_id"))
        downloads = downloads.where(Resource.network_id == bindparam("network_id"))
    parts = union_all(materials, minutes, downloads).subquery("parts")
    return (select(Network.name, *(func.sum(parts.c[column]).label(column)
                                   for column in ("materials", "minutes", "shared", "downloads")))
            .join(parts, parts.c.network_id == Network.id).group_by(Network.id, Network.name))


# --- CODEV capitalisation sheets in the national library ----------------------------------------------------

@dataclass(frozen=True)
class CaseSheet:
    """The anonymised sheet (codev's capitalisation fields: no names, no context), with where it comes from."""

    case_id: int
    title: str
    theme: str
    type_label: str
    worked_at: datetime | None
    actions: list[str]
    client_learnings: str
    group_learnings: str
    network_name: str
    is_shared: bool


def _sheets(condition, shared_only: bool) -> list[CaseSheet]:
    """Three statements whatever the number of sheets: the cases, their records, their actions."""
    query = (select(Case.id, Case.title, Case.theme, Case.case_type, Case.worked_at, Network.name,
                    SharedCaseSheet.id.label("shared_id"))
             .join(Network, Network.id == Case.network_id)
             .outerjoin(SharedCaseSheet, SharedCaseSheet.case_id == Case.id)
             .where(condition, Case.has_capitalisation_consent.is_(True), Case.state.in_(AFTER_WORKSHOP_STATES))
             .order_by(Case.worked_at.desc(), Case.id.desc()).limit(constant(LIBRARY_LIMIT)))
    if shared_only:
        query = query.where(SharedCaseSheet.id.is_not(None))
    rows = db.session.execute(query).all()
    ids = [row.id for row in rows]
    if not ids:
        return []
    learnings = {row.case_id: row for row in db.session.execute(
        select(CaseRecord.case_id, CaseRecord.client_learnings, CaseRecord.group_learnings)
        .where(CaseRecord.case_id.in_(ids)))}
    actions: dict[int, list[str]] = {}
    for case_id, description in db.session.execute(
            select(CaseAction.case_id, CaseAction.description).where(CaseAction.case_id.in_(ids))
            .order_by(CaseAction.id)):
        actions.setdefault(case_id, []).append(description)
    return [CaseSheet(row.id, row.title, row.theme, CaseType(row.case_type).label, row.worked_at,
                      actions.get(row.id, []), learnings[row.id].client_learnings if row.id in learnings else "",
                      learnings[row.id].group_learnings if row.id in learnings else "", row.name,
                      row.shared_id is not None) for row in rows]


def network_case_sheets(network_id: int) -> list[CaseSheet]:
    """The sheets the network's clients shared with it, for its facilitators to share further."""
    return _sheets(Case.network_id == network_id, shared_only=False)


def shared_case_sheets(theme: str | None, words: list[str] | None = None) -> list[CaseSheet]:
    """The national library's sheets, of a theme or all, holding every word of `words` (sheet_search.py)."""
    condition = Case.theme == theme if theme else Case.id.is_not(None)
    if words:
        condition = and_(condition, search.matches(SharedCaseSheet, words))
    return _sheets(condition, shared_only=True)


def news_item(news_id: int):
    """One news item with its author (the page names them)."""
    return db.session.scalar(select(NewsItem).options(joinedload(NewsItem.author))
                             .where(NewsItem.id == news_id).execution_options(populate_existing=True))
