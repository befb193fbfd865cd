"""The personal dashboard of the home page: what each role has to do next, in a fixed number of queries.

Built on the other features' models and queries (never their views); every value the template shows
is computed here, so the template only formats.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload

from network.codev.enums import POOL_STATES, CaseState
from network.codev.models import Case
from network.evaluation.models import GridActivity, GridRubric, SelfAssessment, SelfEfficacyResponse
from network.evaluation.queries import SelfEfficacyStatus
from network.evaluation.services import due_wave
from network.extensions import db
from network.members.enums import Role
from network.members.models import Member, Network
from network.registration.enums import JoinRequestStatus
from network.registration.models import JoinRequest
from network.sessions import queries as session_queries
from network.sessions.enums import MeetingStatus
from network.sessions.models import Invitation, Meeting, Registration
from network.sessions.queries import RsvpCounts
from network.topics import queries as topic_queries
from network.topics.enums import VoteStatus
from network.topics.models import Ballot, TopicVote
from network.topics.queries import Turnout

UPCOMING_LIMIT = 3
UNSENT_LIMIT = 5
CASES_LIMIT = 5
CASE_ACTIONS = {CaseState.DRAFT: "Brouillon à proposer", CaseState.WORKED: "Suivi à renseigner"}


# --- coordinator ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class UpcomingMeeting:
    meeting: Meeting
    invitation: Invitation | None  # the member's own (quarterly meetings)
    registration: Registration | None  # the member's own (trainings)
    is_answerable: bool  # the one-click answer is offered

    @property
    def answer(self) -> str | None:
        return self.invitation.rsvp if self.invitation is not None else None


@dataclass(frozen=True)
class CaseToDo:
    case: Case
    action: str  # what the client has to do, in French

    @property
    def needs_follow_up(self) -> bool:
        return self.case.state == CaseState.WORKED


@dataclass(frozen=True)
class CoordinatorDashboard:
    meetings: list[UpcomingMeeting]
    vote_to_cast: TopicVote | None  # an open round the member has not voted in
    cases: list[CaseToDo]
    self_efficacy_wave: int | None  # the questionnaire wave open to the member, if any
    is_grid_due: bool  # the network's grid exists and the member has not filled it yet
    role: str = field(default=Role.COORDINATOR, init=False)

    @property
    def offers_answers(self) -> bool:
        """A one-click answer is offered: the page needs the answer form's choices."""
        return any(item.is_answerable for item in self.meetings)


def _open_vote_clause():
    """Open rounds of :network_id closing after :now."""
    return and_(TopicVote.network_id == bindparam("network_id"), TopicVote.status == VoteStatus.OPEN,
                TopicVote.closes_at > bindparam("now"))


def _upcoming_meetings():
    """Meetings of :network_id not over at :now and not cancelled, soonest first, with their venue."""
    return (select(Meeting).options(joinedload(Meeting.venue))
            .where(Meeting.network_id == bindparam("network_id"), Meeting.ends_at > bindparam("now"),
                   Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.starts_at, Meeting.id))


@dataclass(frozen=True)
class _CoordinatorStatements:
    meetings: Select
    vote: Select
    cases: Select
    self_efficacy: Select
    is_grid_due: Select


@cache
def _coordinator_statements() -> _CoordinatorStatements:
    """Built once per process: a request binds the member, their network and the time."""
    member_id = bindparam("member_id")
    meetings = (_upcoming_meetings().add_columns(Invitation, Registration)
                .outerjoin(Invitation, and_(Invitation.meeting_id == Meeting.id, Invitation.member_id == member_id))
                .outerjoin(Registration, and_(Registration.meeting_id == Meeting.id,
                                              Registration.member_id == member_id))
                .limit(UPCOMING_LIMIT))
    vote = (select(TopicVote).where(_open_vote_clause(),
                                    ~exists().where(Ballot.vote_id == TopicVote.id, Ballot.member_id == member_id))
            .order_by(TopicVote.closes_at, TopicVote.id).limit(1))
    cases = (select(Case).where(Case.client_id == member_id, Case.state.in_(CASE_ACTIONS))
             .order_by(Case.state_changed_at.desc(), Case.id.desc()).limit(CASES_LIMIT))
    response = SelfEfficacyResponse  # as evaluation.queries.self_efficacy_statuses reads it, for one member
    self_efficacy = (select(response.member_id, func.min(sql_case((response.wave == 0, response.taken_on))),
                            func.max(response.wave), func.max(response.taken_on))
                     .where(response.member_id == member_id).group_by(response.member_id))
    grid_is_open = exists().where(GridActivity.rubric_id == GridRubric.id, GridActivity.is_active.is_(True),
                                  GridRubric.network_id == bindparam("network_id"), GridRubric.is_active.is_(True))
    is_grid_due = select(grid_is_open & ~exists().where(SelfAssessment.member_id == member_id))
    return _CoordinatorStatements(meetings, vote, cases, self_efficacy, is_grid_due)


def coordinator_dashboard(member: Member, *, now: datetime, today: date) -> CoordinatorDashboard:
    """Five queries whatever the number of meetings, votes and cases."""
    statements = _coordinator_statements()
    parameters = {"member_id": member.id, "network_id": member.network_id, "now": now}
    meetings = [
        UpcomingMeeting(meeting, invitation, registration,
                        is_answerable=(invitation is not None and not meeting.is_training
                                       and meeting.status == MeetingStatus.INVITED))
        for meeting, invitation, registration in db.session.execute(statements.meetings, parameters)
    ]
    vote = db.session.scalar(statements.vote, parameters)
    cases = db.session.scalars(statements.cases, parameters).all()
    answered = db.session.execute(statements.self_efficacy, parameters).first()
    status = SelfEfficacyStatus(*answered) if answered is not None else None
    is_grid_due = db.session.scalar(statements.is_grid_due, parameters)
    return CoordinatorDashboard(
        meetings=meetings, vote_to_cast=vote,
        cases=[CaseToDo(case, CASE_ACTIONS[CaseState(case.state)]) for case in cases],
        self_efficacy_wave=due_wave(status, today), is_grid_due=bool(is_grid_due))


# --- facilitator ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FacilitatorDashboard:
    next_meeting: Meeting | None
    next_counts: RsvpCounts
    unsent: list[Meeting]  # upcoming meetings whose invitations are not sent yet
    pending_requests: int
    cases_to_select: int  # proposed (or postponed) cases waiting in the pool
    open_vote: TopicVote | None
    turnout: Turnout | None
    role: str = field(default=Role.FACILITATOR, init=False)


@dataclass(frozen=True)
class _FacilitatorStatements:
    next_meeting: Select
    unsent: Select
    waiting: Select
    vote: Select


@cache
def _facilitator_statements() -> _FacilitatorStatements:
    """Built once per process: a request binds the network and the time."""
    network_id = bindparam("network_id")
    waiting = select(
        select(func.count(JoinRequest.id)).where(JoinRequest.network_id == network_id,
                                                 JoinRequest.status == JoinRequestStatus.PENDING).scalar_subquery(),
        select(func.count(Case.id)).where(Case.network_id == network_id,
                                          Case.state.in_(POOL_STATES)).scalar_subquery())
    vote = select(TopicVote).where(_open_vote_clause()).order_by(TopicVote.closes_at, TopicVote.id).limit(1)
    return _FacilitatorStatements(
        next_meeting=_upcoming_meetings().limit(1),
        unsent=_upcoming_meetings().where(Meeting.status == MeetingStatus.PLANNED).limit(UNSENT_LIMIT),
        waiting=waiting, vote=vote)


def facilitator_dashboard(member: Member, *, now: datetime) -> FacilitatorDashboard:
    """Seven queries whatever the number of meetings, requests and cases."""
    statements = _facilitator_statements()
    parameters = {"network_id": member.network_id, "now": now}
    next_meeting = db.session.scalar(statements.next_meeting, parameters)
    unsent = db.session.scalars(statements.unsent, parameters).all()
    counts = (session_queries.rsvp_counts_by_meeting([next_meeting.id]).get(next_meeting.id, RsvpCounts())
              if next_meeting is not None else RsvpCounts())
    pending, pool = db.session.execute(statements.waiting, parameters).one()
    vote = db.session.scalar(statements.vote, parameters)
    return FacilitatorDashboard(
        next_meeting=next_meeting, next_counts=counts, unsent=unsent, pending_requests=pending,
        cases_to_select=pool, open_vote=vote, turnout=topic_queries.turnout(vote) if vote is not None else None)


# --- admin ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdminDashboard:
    networks: int  # active networks
    members: int  # active members of those networks (admins excluded)
    role: str = field(default=Role.ADMIN, init=False)


def admin_dashboard() -> AdminDashboard:
    """One query."""
    networks, members = db.session.execute(select(
        select(func.count(Network.id)).where(Network.is_active.is_(True)).scalar_subquery(),
        select(func.count(Member.id)).join(Network, Network.id == Member.network_id)
        .where(Member.is_active.is_(True), Network.is_active.is_(True)).scalar_subquery(),
    )).one()
    return AdminDashboard(networks=networks, members=members)


def dashboard_for(member: Member, *, now: datetime, today: date):
    """The dashboard of the member's role, or None (a network role without a network)."""
    if member.role == Role.ADMIN:
        return admin_dashboard()
    if member.network_id is None:
        return None
    if member.role == Role.FACILITATOR:
        return facilitator_dashboard(member, now=now)
    return coordinator_dashboard(member, now=now, today=today)
