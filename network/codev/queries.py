"""Named CODEV queries. Lists filter by what the member may see and load metadata only;
content is loaded by `load_case_content()` alone, after `permissions.can_read_case_content()`.

For the evaluation engineer: `codev_summary()` (cases worked in a period, distinct clients,
distinct themes, outcomes) — SQL aggregates, never a client's identity.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, Subquery, bindparam, func, or_, select, true, union
from sqlalchemy.orm import joinedload, selectinload, undefer

from network.codev.enums import (
    AFTER_WORKSHOP_STATES, POOL_STATES, CaseState, CaseType, Outcome, SubgroupEventKind, Theme,
)
from network.codev.models import Case, CaseAction, CaseFollowUp, CaseRecord, Subgroup, SubgroupEvent, SubgroupMember
from network.database import constant, plain_rows, utcnow
from network.extensions import db
from network.members.enums import Role
from network.members.models import Member, Network
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.models import Invitation, Meeting

PAGE_SIZE = 50


# --- one case -------------------------------------------------------------------------------------------

def case_for_access(case_id: int) -> Case | None:
    """A case with what the permission predicates and the metadata page need (no content)."""
    return db.session.scalar(
        select(Case).where(Case.id == case_id)
        .options(joinedload(Case.client), joinedload(Case.meeting), joinedload(Case.network),
                 selectinload(Case.subgroup).selectinload(Subgroup.members).joinedload(SubgroupMember.member))
    )


@dataclass
class CaseContent:
    record: CaseRecord | None
    actions: list[CaseAction]
    follow_ups: list[CaseFollowUp]
    previous: Case | None = None


def load_case_content(case: Case) -> CaseContent:
    """The confidential part of a case. Call only when can_read_case_content() holds."""
    db.session.execute(select(Case).where(Case.id == case.id)
                       .options(undefer(Case.context), undefer(Case.question), undefer(Case.help_wanted))).scalar_one()
    record = db.session.scalar(select(CaseRecord).where(CaseRecord.case_id == case.id))
    actions = list(db.session.scalars(select(CaseAction).where(CaseAction.case_id == case.id).order_by(CaseAction.id)))
    follow_ups = list(db.session.scalars(
        select(CaseFollowUp).where(CaseFollowUp.case_id == case.id).order_by(CaseFollowUp.id)
        .options(undefer(CaseFollowUp.actions_done), undefer(CaseFollowUp.comment),
                 joinedload(CaseFollowUp.meeting))))
    previous = db.session.get(Case, case.previous_case_id) if case.previous_case_id else None
    return CaseContent(record=record, actions=actions, follow_ups=follow_ups, previous=previous)


def action_of(case: Case, action_id: int) -> CaseAction | None:
    return db.session.scalar(select(CaseAction).where(CaseAction.id == action_id, CaseAction.case_id == case.id))


# --- lists ----------------------------------------------------------------------------------------------

# What a member may know exists, beyond their own cases and approved seats: every non-draft case (admin), the
# non-draft cases of the network they co-facilitate (facilitator), nothing more (anyone else).
_ALL_NETWORKS, _OWN_NETWORK, _OWN_CASES = "all networks", "own network", "own cases"


def _case_scope(member: Member) -> str:
    if member.role == Role.ADMIN:
        return _ALL_NETWORKS
    if member.role == Role.FACILITATOR and member.network_id is not None:
        return _OWN_NETWORK
    return _OWN_CASES


def _visible_cases(scope: str, *, with_state: bool) -> Subquery:
    """(id, created_at) of every case the member (:member_id) may know exists: their own, those of the subgroups where
    the client approved their seat, and (metadata only) the non-draft cases of their scope (:network_id)."""
    def cases():
        query = select(Case.id, Case.created_at)
        return query.where(Case.state == bindparam("state")) if with_state else query

    # A union of indexed sets: an OR across them would defeat the indexes on PostgreSQL.
    branches = [
        cases().where(Case.client_id == bindparam("member_id")),
        cases().join(Subgroup, Subgroup.case_id == Case.id)
        .join(SubgroupMember, SubgroupMember.subgroup_id == Subgroup.id)
        .where(SubgroupMember.member_id == bindparam("member_id"), SubgroupMember.approved_at.is_not(None)),
    ]
    if scope == _ALL_NETWORKS:
        branches.append(cases().where(Case.state != constant(CaseState.DRAFT)))
    elif scope == _OWN_NETWORK:
        branches.append(cases().where(Case.network_id == bindparam("network_id"),
                                      Case.state != constant(CaseState.DRAFT)))
    return union(*branches).subquery("visible")


@cache
def _case_list_statements(scope: str, *, with_state: bool) -> tuple[Select, Select]:
    """The count and the page of the case list for one scope, built once per process: a request only binds the
    member, their network, the state and the page."""
    visible = _visible_cases(scope, with_state=with_state)
    count = select(func.count()).select_from(visible)
    # The page is cut from the visible ids, then its cases are read by primary key: the planner never has to guess
    # how many of the 20,000 cases the union returns.
    page_ids = (select(visible.c.id).order_by(visible.c.created_at.desc(), visible.c.id.desc())
                .limit(bindparam("limit")).offset(bindparam("offset")))
    seat = (select(SubgroupMember.role).join(Subgroup, Subgroup.id == SubgroupMember.subgroup_id)
            .where(Subgroup.case_id == Case.id, SubgroupMember.member_id == bindparam("member_id"),
                   SubgroupMember.approved_at.is_not(None))
            .limit(constant(1)).scalar_subquery())
    page = (select(Case.id, Case.title, Case.case_type, Case.theme, Case.state, Case.outcome, Case.client_id,
                   Member.first_name, Member.last_name, Network.name, Meeting.starts_at, seat)
            .join(Member, Member.id == Case.client_id).join(Network, Network.id == Case.network_id)
            .outerjoin(Meeting, Meeting.id == Case.meeting_id)
            .where(Case.id.in_(page_ids)).order_by(Case.created_at.desc(), Case.id.desc()))
    return count, page


class CaseRow(NamedTuple):
    """One line of the case list: metadata only (never content), and the member's own part in the case (a named
    tuple: a frozen dataclass sets each field through object.__setattr__, fifty rows a page)."""

    id: int
    title: str
    case_type: str
    theme: str
    state: str
    outcome: str | None
    client_name: str
    network_name: str
    meeting_starts_at: datetime | None  # None: no meeting yet
    my_role: str | None  # client / animator / consultant, or None (metadata only)

    @property
    def reference(self) -> str:
        return f"CODEV-{self.id:05d}"

    @property
    def type_label(self) -> str:
        return _TYPE_LABELS[self.case_type]

    @property
    def theme_label(self) -> str:
        return _THEME_LABELS[self.theme]

    @property
    def state_label(self) -> str:
        return _STATE_LABELS[self.state]

    @property
    def state_tone(self) -> str:
        return _STATE_TONES[self.state]

    @property
    def outcome_label(self) -> str:
        return _OUTCOME_LABELS[self.outcome] if self.outcome else ""


# The labels of the list, looked up by the stored codes (an enum built per cell costs more than the row).
_TYPE_LABELS = {code.value: code.label for code in CaseType}
_THEME_LABELS = {code.value: code.label for code in Theme}
_STATE_LABELS = {code.value: code.label for code in CaseState}
_STATE_TONES = {code.value: code.tone for code in CaseState}
_OUTCOME_LABELS = {code.value: code.label for code in Outcome}


def case_list(member: Member, *, page: int = 1, state: str | None = None) -> tuple[list[CaseRow], int]:
    """One page of visible cases, newest first, with client, meeting and the member's seat, as plain rows, and how
    many cases are visible: 2 queries."""
    with_state = state in set(CaseState)
    count, page_rows = _case_list_statements(_case_scope(member), with_state=with_state)
    parameters = {"member_id": member.id, "network_id": member.network_id, "state": state if with_state else None,
                  "limit": PAGE_SIZE, "offset": (max(page, 1) - 1) * PAGE_SIZE}
    ((total,),) = plain_rows(count, parameters)
    rows = plain_rows(page_rows, parameters)
    return [CaseRow(case_id, title, case_type, theme, case_state, outcome, f"{first_name} {last_name}", network_name,
                    starts_at, role if role else ("client" if client_id == member.id else None))
            for (case_id, title, case_type, theme, case_state, outcome, client_id, first_name, last_name,
                 network_name, starts_at, role) in rows], total


@dataclass(frozen=True, slots=True)
class WorkshopMeeting:
    id: int
    title: str
    starts_at: datetime
    status: str

    @property
    def status_label(self) -> str:
        return MeetingStatus(self.status).label


def workshop_meetings(network_id: int, *, now: datetime | None = None, limit: int = 6) -> list[WorkshopMeeting]:
    """The network's meetings a facilitator prepares workshops for: recent and upcoming, not cancelled."""
    parameters = {"network_id": network_id, "since": (now or utcnow()) - timedelta(days=100), "limit": limit}
    return [WorkshopMeeting(*row) for row in plain_rows(_workshop_meetings_statement(), parameters)]


@cache
def _workshop_meetings_statement() -> Select:
    """Built once (the case list shows it); the network, the cut-off and the limit are bound at execution."""
    return (select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.status)
            .where(Meeting.network_id == bindparam("network_id"), Meeting.status != constant(MeetingStatus.CANCELLED),
                   Meeting.starts_at >= bindparam("since"))
            .order_by(Meeting.starts_at).limit(bindparam("limit")))


# --- a meeting's workshop ----------------------------------------------------------------------------------

@dataclass
class Workshop:
    meeting: Meeting
    pool: list[Case]
    cases: list[Case]  # selected for (or worked at) this meeting, with their subgroups
    coming: list[Member]


def workshop(meeting: Meeting) -> Workshop:
    pool = list(db.session.scalars(
        select(Case).options(joinedload(Case.client))
        .where(Case.network_id == meeting.network_id, Case.state.in_(POOL_STATES),
               or_(Case.meeting_id == meeting.id, Case.meeting_id.is_(None)))
        .order_by(Case.proposed_at, Case.id)))
    cases = list(db.session.scalars(
        select(Case).options(joinedload(Case.client), selectinload(Case.subgroup).selectinload(Subgroup.members)
                             .joinedload(SubgroupMember.member))
        .where(Case.meeting_id == meeting.id, Case.state.not_in(POOL_STATES),
               Case.state.not_in((CaseState.DRAFT, CaseState.WITHDRAWN)))
        .order_by(Case.selected_at, Case.id)))
    return Workshop(meeting=meeting, pool=pool, cases=cases, coming=members_coming(meeting))


def members_coming(meeting: Meeting) -> list[Member]:
    """Active members of the meeting's network who answered yes, by name."""
    return list(db.session.scalars(
        select(Member).join(Invitation, Invitation.member_id == Member.id)
        .where(Invitation.meeting_id == meeting.id, Invitation.rsvp == Rsvp.YES, Member.is_active.is_(True),
               Member.network_id == meeting.network_id)
        .order_by(func.lower(Member.last_name), func.lower(Member.first_name))))


def members_by_ids(ids: list[int | None]) -> dict[int, Member]:
    wanted = [member_id for member_id in ids if member_id is not None]
    return {member.id: member for member in db.session.scalars(select(Member).where(Member.id.in_(wanted)))}


# Why a person cannot take a seat in a case's subgroup (shown greyed out in the form; the service refuses them).
SEATED_ELSEWHERE = "déjà dans un autre sous-groupe"
BRINGS_A_CASE = "porte un autre cas à cette rencontre"
REFUSED_BY_CLIENT = "refus de la personne qui porte le cas"
WORKSHOP_CASE_STATES = (CaseState.SELECTED, CaseState.WORKED, CaseState.FOLLOWED_UP, CaseState.CLOSED)


def seat_blockers(case: Case) -> dict[int, str]:
    """member id → why they cannot sit in this case's subgroup: seated in another subgroup of the same meeting,
    bringing another case to it, or refused by this case's client. Three queries."""
    blockers = {member_id: SEATED_ELSEWHERE for member_id in db.session.scalars(
        select(SubgroupMember.member_id).join(Subgroup, Subgroup.id == SubgroupMember.subgroup_id)
        .where(SubgroupMember.meeting_id == case.meeting_id, Subgroup.case_id != case.id))}
    blockers |= {member_id: BRINGS_A_CASE for member_id in db.session.scalars(
        select(Case.client_id).where(Case.meeting_id == case.meeting_id, Case.id != case.id,
                                     Case.state.in_(WORKSHOP_CASE_STATES)))}
    blockers |= {member_id: REFUSED_BY_CLIENT for member_id in db.session.scalars(
        select(SubgroupEvent.member_id).where(SubgroupEvent.case_id == case.id,
                                              SubgroupEvent.kind == SubgroupEventKind.REFUSED))}
    return blockers


def subgroup_history(case: Case) -> list[SubgroupEvent]:
    """The case's composition changes, approvals and refusals, newest first, with the people's names."""
    return list(db.session.scalars(
        select(SubgroupEvent).where(SubgroupEvent.case_id == case.id)
        .options(joinedload(SubgroupEvent.actor), joinedload(SubgroupEvent.member))
        .order_by(SubgroupEvent.id.desc())))


def meeting_of_network(meeting_id: int | None, network_id: int) -> Meeting | None:
    if not meeting_id:
        return None
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id, Meeting.network_id == network_id))


# --- export and capitalisation (metadata / anonymised only) -----------------------------------------------

EXPORT_COLUMNS = ("reference", "theme", "type", "state", "created_on", "proposed_on", "meeting_on", "worked_on",
                  "followed_up_on", "closed_on", "outcome", "postponed_count")


def export_rows(network: Network) -> list[tuple]:
    """One row per non-draft case of the network: codes and dates only (no title, content or name)."""
    rows = db.session.execute(
        select(Case.id, Case.theme, Case.case_type, Case.state, Case.created_at, Case.proposed_at, Meeting.starts_at,
               Case.worked_at, Case.followed_up_at, Case.closed_at, Case.outcome, Case.postponed_count)
        .outerjoin(Meeting, Meeting.id == Case.meeting_id)
        .where(Case.network_id == network.id, Case.state != constant(CaseState.DRAFT))
        .order_by(Case.id)).all()
    return [(f"CODEV-{row[0]:05d}", *row[1:4], *[_day(value) for value in row[4:10]], row[10] or "", row[11])
            for row in rows]


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


@dataclass
class CapitalisationSheet:
    title: str
    theme_label: str
    type_label: str
    worked_on: datetime | None
    actions: list[str]
    client_learnings: str
    group_learnings: str


def capitalisation_sheets(network: Network) -> list[CapitalisationSheet]:
    """Anonymised sheets of the cases whose client consented: no names, no owners, no context."""
    cases = list(db.session.scalars(
        select(Case).where(Case.network_id == network.id, Case.has_capitalisation_consent.is_(True),
                           Case.state.in_(AFTER_WORKSHOP_STATES))
        .order_by(Case.worked_at.desc(), Case.id.desc())))
    ids = [case.id for case in cases]
    records = {record.case_id: record for record in db.session.scalars(
        select(CaseRecord).where(CaseRecord.case_id.in_(ids)))}
    actions: dict[int, list[str]] = {}
    for case_id, description in db.session.execute(
            select(CaseAction.case_id, CaseAction.description).where(CaseAction.case_id.in_(ids))
            .order_by(CaseAction.id)):
        actions.setdefault(case_id, []).append(description)
    return [CapitalisationSheet(
        title=case.title, theme_label=case.theme_label, type_label=case.type_label, worked_on=case.worked_at,
        actions=actions.get(case.id, []),
        client_learnings=records[case.id].client_learnings if case.id in records else "",
        group_learnings=records[case.id].group_learnings if case.id in records else "") for case in cases]


# --- indicators for the evaluation ------------------------------------------------------------------------

@dataclass(frozen=True)
class CodevSummary:
    """CODEV figures of a period, for the evaluation indicators (DESIGN §4).

    cases_worked      cases that reached `worked` at a meeting held in the period (any later state counts)
    distinct_clients  how many different members brought those cases (a count, never who)
    distinct_themes   how many different themes they covered
    with_follow_up    among them, cases with at least one follow-up
    outcomes          latest follow-up outcome → count, every Outcome code present (0 when none)
    """

    cases_worked: int
    distinct_clients: int
    distinct_themes: int
    with_follow_up: int
    outcomes: dict[str, int]

    @property
    def resolved(self) -> int:
        return self.outcomes[Outcome.RESOLVED]

    @property
    def resolved_or_overcome(self) -> int:
        return self.outcomes[Outcome.RESOLVED] + self.outcomes[Outcome.OVERCOME]

    @property
    def with_applicable_outcome(self) -> int:
        """Denominator of the resolution rate: follow-ups whose outcome is not `not_applicable`."""
        return self.with_follow_up - self.outcomes[Outcome.NOT_APPLICABLE]


def codev_summary(*, start: datetime, end: datetime, network_id: int | None = None,
                  meeting_id: int | None = None) -> CodevSummary:
    """Cases worked at meetings starting in [start, end) — of one network, or all when network_id is None,
    optionally of one meeting. Outcome = the case's latest follow-up (Case.outcome). Two queries.

    Example: codev_summary(start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 1, tzinfo=UTC),
    network_id=network.id).resolved_or_overcome
    """
    where = [Case.worked_at.is_not(None), Case.state.in_(AFTER_WORKSHOP_STATES),
             Meeting.starts_at >= start, Meeting.starts_at < end,
             Case.network_id == network_id if network_id is not None else true(),
             Case.meeting_id == meeting_id if meeting_id is not None else true()]
    base = select(Case).join(Meeting, Meeting.id == Case.meeting_id).where(*where)
    worked, clients, themes, followed = db.session.execute(
        base.with_only_columns(func.count(Case.id), func.count(Case.client_id.distinct()),
                               func.count(Case.theme.distinct()), func.count(Case.outcome))).one()
    outcomes = {code.value: 0 for code in Outcome}
    for outcome, count in db.session.execute(
            base.with_only_columns(Case.outcome, func.count(Case.id)).where(Case.outcome.is_not(None))
            .group_by(Case.outcome)):
        outcomes[outcome] = count
    return CodevSummary(cases_worked=worked, distinct_clients=clients, distinct_themes=themes,
                        with_follow_up=followed, outcomes=outcomes)
