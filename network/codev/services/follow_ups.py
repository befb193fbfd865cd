"""Follow-up of a worked case, consent to capitalisation, and the reminders sent when a follow-up is due."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select

from network.audit import record_audit
from network.codev import permissions
from network.codev.enums import CaseState, Outcome
from network.codev.models import Case, CaseFollowUp
from network.codev.services.states import change_case_state
from network.database import utcnow
from network.errors import DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members.models import Member
from network.outbox import external_url, queue_templated_email
from network.sessions.enums import MeetingStatus
from network.sessions.models import Meeting

# A follow-up is due once the next meeting after the workshop is a week away (or past),
# or, when none is planned, three months after the workshop; reminders at most every two weeks.
FOLLOW_UP_LEAD = timedelta(days=7)
FOLLOW_UP_FALLBACK = timedelta(days=90)
REMINDER_INTERVAL = timedelta(days=14)


@dataclass
class FollowUpData:
    outcome: str
    helpfulness: int
    actions_done: str = ""
    comment: str = ""


def record_follow_up(case: Case, *, actor: Member, data: FollowUpData, meeting: Meeting | None = None
                     ) -> CaseFollowUp:
    if not permissions.is_client(actor, case):
        raise NotAllowed("Seule la personne qui porte le cas en renseigne le suivi.")
    if not permissions.can_record_follow_up(actor, case):
        raise InvalidTransition("Le suivi se renseigne une fois le cas travaillé en atelier.")
    if data.outcome not in set(Outcome):
        raise DomainError("Choisissez où en est la situation.")
    if data.helpfulness not in (0, 1, 2, 3):
        raise DomainError("L'aide apportée par l'atelier se note de 0 à 3.")
    if meeting is not None:
        _check_follow_up_meeting(case, meeting)
    follow_up = CaseFollowUp(case_id=case.id, author_id=actor.id, meeting_id=meeting.id if meeting else None,
                             outcome=data.outcome, helpfulness=data.helpfulness,
                             actions_done=data.actions_done.strip(), comment=data.comment.strip())
    db.session.add(follow_up)
    case.outcome = data.outcome
    db.session.flush()
    record_audit(actor=actor, action="codev.follow_up.add", obj=case,
                 fields=["outcome", "helpfulness", "actions_done", "comment"])
    if case.state == CaseState.WORKED:
        change_case_state(case, CaseState.FOLLOWED_UP, actor=actor)
    else:
        case.followed_up_at = utcnow()
    return follow_up


def _check_follow_up_meeting(case: Case, meeting: Meeting) -> None:
    workshop = db.session.get(Meeting, case.meeting_id) if case.meeting_id else None
    if (meeting.network_id != case.network_id or meeting.status == MeetingStatus.CANCELLED
            or (workshop is not None and meeting.starts_at <= workshop.starts_at)):
        raise DomainError("Choisissez une rencontre du réseau qui a suivi l'atelier.")


def set_capitalisation_consent(case: Case, *, actor: Member, consent: bool) -> None:
    if not permissions.can_manage_capitalisation(actor, case):
        raise NotAllowed("Seule la personne qui porte le cas décide de sa capitalisation, après l'atelier.")
    if case.has_capitalisation_consent != consent:
        case.has_capitalisation_consent = consent
        record_audit(actor=actor, action="codev.case.capitalisation", obj=case, fields=["has_capitalisation_consent"])
    db.session.flush()


def follow_ups_due_query(now: datetime):
    """Worked cases without any follow-up whose client should be reminded now."""
    workshop = db.aliased(Meeting)
    later = db.aliased(Meeting)
    next_meeting_near = exists().where(
        later.network_id == Case.network_id, later.starts_at > workshop.starts_at,
        later.starts_at <= now + FOLLOW_UP_LEAD, later.status != MeetingStatus.CANCELLED)
    return (
        select(Case).join(workshop, workshop.id == Case.meeting_id)
        .where(Case.state == CaseState.WORKED,
               ~exists().where(CaseFollowUp.case_id == Case.id),
               or_(Case.followup_reminder_sent_at.is_(None), Case.followup_reminder_sent_at <= now - REMINDER_INTERVAL),
               or_(next_meeting_near, and_(Case.worked_at.is_not(None), Case.worked_at <= now - FOLLOW_UP_FALLBACK)))
        .order_by(Case.id)
    )


def send_follow_up_reminders(*, now: datetime | None = None) -> int:
    """Queue one reminder per due case (to its client; no content) and return how many."""
    now = now or utcnow()
    cases = db.session.scalars(follow_ups_due_query(now)).all()
    clients = {member.id: member for member in db.session.scalars(
        select(Member).where(Member.id.in_({case.client_id for case in cases}), Member.is_active.is_(True)))}
    sent = 0
    for case in cases:
        client = clients.get(case.client_id)
        if client is None:
            continue
        queue_templated_email("codev_follow_up_reminder", to=client.email,
                              subject=f"CODEV : où en est votre cas {case.reference} ?", member=client,
                              reference=case.reference, link=external_url("codev.follow_up", case_id=case.id))
        case.followup_reminder_sent_at = now
        record_audit(actor=None, action="codev.follow_up.reminder", obj=case, fields=["followup_reminder_sent_at"])
        sent += 1
    db.session.flush()
    return sent
