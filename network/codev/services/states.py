"""The state machine of a case: `change_case_state()` owns every state change (the table is
enums.CASE_TRANSITIONS), with its guards, the client's notification, and the facilitators' verbs on it."""

from sqlalchemy import exists, select

from network.audit import record_audit
from network.codev import permissions
from network.codev.enums import CASE_TRANSITIONS, CaseState, SubgroupEventKind
from network.codev.models import Case, CaseFollowUp, SubgroupEvent
from network.codev.services.sheets import content_of
from network.database import utcnow
from network.errors import DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members.models import Member
from network.outbox import external_url, queue_templated_email
from network.sessions.enums import MeetingStatus
from network.sessions.models import Meeting

PROPOSABLE_MEETING_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.INVITED)
SELECTABLE_MEETING_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD)

STATE_TIMESTAMPS = {
    CaseState.PROPOSED: "proposed_at", CaseState.SELECTED: "selected_at", CaseState.WORKED: "worked_at",
    CaseState.FOLLOWED_UP: "followed_up_at", CaseState.CLOSED: "closed_at",
}


def change_case_state(case: Case, target: CaseState, *, actor: Member, meeting: Meeting | None = None) -> None:
    """The only way a case changes state: checks the move and who makes it, applies its effects,
    stamps the time, writes the audit row and queues the client's email (no content)."""
    current = CaseState(case.state)
    target = CaseState(target)
    allowed = CASE_TRANSITIONS.get((current, target))
    if allowed is None:
        raise InvalidTransition(f"Un cas « {current.label.lower()} » ne peut pas passer à « {target.label.lower()} ».")
    if not allowed & permissions.parties_of(actor, case):
        raise NotAllowed("Vous ne pouvez pas effectuer ce changement sur ce cas.")
    _GUARDS.get(target, _no_guard)(case, meeting)
    now = utcnow()
    changed = ["state"]
    if target in (CaseState.PROPOSED, CaseState.SELECTED, CaseState.POSTPONED) and case.meeting_id != (
            meeting.id if meeting else None):
        case.meeting_id = meeting.id if meeting else None
        changed.append("meeting_id")
    if target == CaseState.POSTPONED:
        case.postponed_count += 1
        _dissolve_subgroup(case, actor)
    case.state = target
    case.state_changed_at = now
    if stamp := STATE_TIMESTAMPS.get(target):
        setattr(case, stamp, now)
    db.session.flush()
    record_audit(actor=actor, action=f"codev.case.{target.value}", obj=case, fields=changed)
    if target in (CaseState.SELECTED, CaseState.POSTPONED) and actor.id != case.client_id:
        _notify_client(case, target, meeting)


def _no_guard(case: Case, meeting: Meeting | None) -> None:
    return None


def _guard_proposed(case: Case, meeting: Meeting | None) -> None:
    context, question = content_of(case)
    if not (context.strip() and question.strip()):
        raise DomainError("Décrivez le contexte et la question posée au groupe avant de proposer le cas.")
    if meeting is not None:
        _check_meeting(case, meeting, PROPOSABLE_MEETING_STATUSES, future_only=True)


def _guard_selected(case: Case, meeting: Meeting | None) -> None:
    if meeting is None:
        raise DomainError("Choisissez la rencontre où le cas sera travaillé.")
    _check_meeting(case, meeting, SELECTABLE_MEETING_STATUSES, future_only=False)


def _guard_postponed(case: Case, meeting: Meeting | None) -> None:
    if meeting is None:
        return
    _check_meeting(case, meeting, PROPOSABLE_MEETING_STATUSES, future_only=True)
    current = db.session.get(Meeting, case.meeting_id) if case.meeting_id else None
    if current is not None and meeting.starts_at <= current.starts_at:
        raise DomainError("Un cas se reporte à une rencontre ultérieure.")


def _guard_worked(case: Case, meeting: Meeting | None) -> None:
    if case.subgroup is None:
        raise DomainError("Composez le sous-groupe avant d'indiquer que le cas a été travaillé.")


def _guard_followed_up(case: Case, meeting: Meeting | None) -> None:
    if not db.session.scalar(select(exists().where(CaseFollowUp.case_id == case.id))):
        raise DomainError("Renseignez d'abord le suivi du cas.")


_GUARDS = {CaseState.PROPOSED: _guard_proposed, CaseState.SELECTED: _guard_selected,
           CaseState.POSTPONED: _guard_postponed, CaseState.WORKED: _guard_worked,
           CaseState.FOLLOWED_UP: _guard_followed_up}


def _check_meeting(case: Case, meeting: Meeting, statuses, *, future_only: bool) -> None:
    if meeting.network_id != case.network_id:
        raise NotAllowed("Cette rencontre n'appartient pas au réseau du cas.")
    if meeting.status not in statuses or (future_only and meeting.starts_at <= utcnow()):
        raise DomainError("Cette rencontre n'accueille plus de cas : choisissez une rencontre à venir.")


def _dissolve_subgroup(case: Case, actor: Member) -> None:
    if case.subgroup is not None:
        db.session.delete(case.subgroup)
        case.subgroup = None
        db.session.add(SubgroupEvent(case_id=case.id, actor_id=actor.id, kind=SubgroupEventKind.DISSOLVED))


def _notify_client(case: Case, target: CaseState, meeting: Meeting | None) -> None:
    client = db.session.get(Member, case.client_id)
    subject = {CaseState.SELECTED: f"CODEV : votre cas {case.reference} est retenu",
               CaseState.POSTPONED: f"CODEV : votre cas {case.reference} est reporté"}[target]
    queue_templated_email("codev_case_state", to=client.email, subject=subject, member=client,
                          reference=case.reference, target=target.value, meeting=meeting,
                          link=external_url("codev.case_detail", case_id=case.id))


def propose_case(case: Case, *, actor: Member, meeting: Meeting | None) -> None:
    change_case_state(case, CaseState.PROPOSED, actor=actor, meeting=meeting)


def select_case(case: Case, *, actor: Member, meeting: Meeting) -> None:
    change_case_state(case, CaseState.SELECTED, actor=actor, meeting=meeting)


def postpone_case(case: Case, *, actor: Member, meeting: Meeting | None = None) -> None:
    change_case_state(case, CaseState.POSTPONED, actor=actor, meeting=meeting)
