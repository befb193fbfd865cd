"""CODEV test data: meetings (own factory: network/sessions is another engineer's), invitations, cases."""

import itertools
import uuid
from datetime import timedelta

from network.codev import queries
from network.codev.enums import CaseState, CaseType, SubgroupRole, Theme
from network.codev.models import Case, Subgroup, SubgroupMember
from network.database import utcnow
from network.extensions import db
from network.sessions.enums import AgendaItemKind, MeetingStatus, Rsvp
from network.sessions.models import AgendaItem, Invitation, Meeting

CONTEXT = "Contexte confidentiel : le maire de Saint-Omerville refuse de co-financer la crèche."
QUESTION = "Question confidentielle : comment rouvrir le dialogue avec l'élu à la petite enfance ?"
_sequence = itertools.count(1)


def create_meeting(network, *, days_from_now: int = 30, status: str = MeetingStatus.INVITED, **values) -> Meeting:
    starts_at = values.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=days_from_now))
    meeting = Meeting(network_id=network.id, title=values.pop("title", f"Rencontre {next(_sequence)}"),
                      starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), status=status,
                      ical_uid=f"{uuid.uuid4()}@test", **values)
    db.session.add(meeting)
    db.session.flush()  # a quarterly meeting has its CODEV workshop on the agenda, as planning gives it
    db.session.add(AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.CODEV, title="Atelier CODEV", position=0))
    db.session.commit()
    return meeting


def invite(meeting, *members, rsvp: str = Rsvp.YES) -> None:
    db.session.add_all([Invitation(meeting_id=meeting.id, member_id=member.id, rsvp=rsvp) for member in members])
    db.session.commit()


def create_case(client, *, state: str = CaseState.DRAFT, meeting=None, title: str | None = None,
                theme: str = Theme.EARLY_CHILDHOOD, context: str = CONTEXT, question: str = QUESTION, **values) -> Case:
    now = utcnow()
    case = Case(network_id=client.network_id, client_id=client.id, meeting_id=meeting.id if meeting else None,
                title=title or f"Cas {next(_sequence)}", case_type=values.pop("case_type", CaseType.PROBLEM),
                theme=theme, state=state, state_changed_at=now, context=context, question=question,
                help_wanted=values.pop("help_wanted", "Des retours d'expérience."), **values)
    if state != CaseState.DRAFT:
        case.proposed_at = now
    db.session.add(case)
    db.session.commit()
    return case


def seat(case, meeting, *, animator, consultants, approved: bool = True) -> Subgroup:
    """A subgroup written directly (the service is tested on its own), approved by the client unless told
    otherwise: content is readable only from approved seats."""
    approved_at = utcnow() if approved else None
    subgroup = Subgroup(meeting_id=meeting.id, case_id=case.id)
    subgroup.members = [
        SubgroupMember(meeting_id=meeting.id, member_id=case.client_id, role=SubgroupRole.CLIENT, approved_at=utcnow()),
        SubgroupMember(meeting_id=meeting.id, member_id=animator.id, role=SubgroupRole.ANIMATOR, approved_at=approved_at),
        *[SubgroupMember(meeting_id=meeting.id, member_id=member.id, role=SubgroupRole.CONSULTANT,
                         approved_at=approved_at) for member in consultants]]
    db.session.add(subgroup)
    db.session.commit()
    return subgroup


def reload(case) -> Case:
    """The case as views load it (subgroup and seats included), fresh from the database."""
    db.session.expire_all()
    return queries.case_for_access(case.id)
