"""CODEV verbs. Each takes model instances and a keyword-only `actor`, flushes, queues mail and
audit rows, raises a DomainError with a French message, and never commits.

`change_case_state()` owns every state change of a case (the table is enums.CASE_TRANSITIONS).
Emails name the case by its reference and the meeting only: never its title or content.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, or_, select

from network.audit import record_audit
from network.codev import permissions, queries
from network.codev.enums import (
    CASE_TRANSITIONS, SUBGROUP_MAX_SIZE, SUBGROUP_MIN_SIZE, CaseState, CaseType, Outcome, SubgroupEventKind,
    SubgroupRole, Theme,
)
from network.codev.models import Case, CaseAction, CaseFollowUp, CaseRecord, Subgroup, SubgroupEvent, SubgroupMember
from network.database import utcnow
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members.enums import Role
from network.members.models import Member
from network.outbox import external_url, queue_templated_email
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.models import Invitation, Meeting

PROPOSABLE_MEETING_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.INVITED)
SELECTABLE_MEETING_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD)
# A follow-up is due once the next meeting after the workshop is a week away (or past),
# or, when none is planned, three months after the workshop; reminders at most every two weeks.
FOLLOW_UP_LEAD = timedelta(days=7)
FOLLOW_UP_FALLBACK = timedelta(days=90)
REMINDER_INTERVAL = timedelta(days=14)

STATE_TIMESTAMPS = {
    CaseState.PROPOSED: "proposed_at", CaseState.SELECTED: "selected_at", CaseState.WORKED: "worked_at",
    CaseState.FOLLOWED_UP: "followed_up_at", CaseState.CLOSED: "closed_at",
}

SHEET_FIELDS = ("title", "case_type", "theme", "context", "question", "help_wanted")
RECORD_FIELDS = ("exposition", "clarifications", "contract", "suggestions", "synthesis", "client_learnings",
                 "group_learnings")


@dataclass
class CaseSheet:
    title: str
    case_type: str
    theme: str
    context: str = ""
    question: str = ""
    help_wanted: str = ""


@dataclass
class RecordData:
    exposition: str = ""
    clarifications: str = ""
    contract: str = ""
    suggestions: str = ""
    synthesis: str = ""
    client_learnings: str = ""
    group_learnings: str = ""


@dataclass
class FollowUpData:
    outcome: str
    helpfulness: int
    actions_done: str = ""
    comment: str = ""


# --- the fiche-cas ----------------------------------------------------------------------------------

def _check_sheet(data: CaseSheet) -> None:
    if not data.title.strip():
        raise DomainError("Donnez un titre au cas.")
    if data.case_type not in set(CaseType):
        raise DomainError("Type de cas inconnu.")
    if data.theme not in set(Theme):
        raise DomainError("Thème inconnu.")


def create_case(*, actor: Member, data: CaseSheet, previous: Case | None = None) -> Case:
    if not permissions.can_write_case(actor):
        raise NotAllowed("Seuls les chargés de coopération d'un réseau rédigent des fiches-cas.")
    _check_sheet(data)
    case = Case(network_id=actor.network_id, client_id=actor.id, state=CaseState.DRAFT, state_changed_at=utcnow(),
                previous_case_id=previous.id if previous else None,
                **{name: getattr(data, name).strip() for name in SHEET_FIELDS})
    db.session.add(case)
    db.session.flush()
    record_audit(actor=actor, action="codev.case.create", obj=case, fields=SHEET_FIELDS)
    return case


def update_case_sheet(case: Case, *, actor: Member, data: CaseSheet) -> list[str]:
    """Returns the names of the fields that changed (what the audit row records)."""
    if not permissions.is_client(actor, case):
        raise NotAllowed("Seule la personne qui porte le cas peut modifier sa fiche.")
    if not permissions.can_edit_case_sheet(actor, case):
        raise InvalidTransition("La fiche ne se modifie plus une fois le cas retenu pour un atelier.")
    _check_sheet(data)
    changed = [name for name in SHEET_FIELDS if getattr(case, name) != getattr(data, name).strip()]
    for name in changed:
        setattr(case, name, getattr(data, name).strip())
    if changed:
        record_audit(actor=actor, action="codev.case.update", obj=case, fields=changed)
    db.session.flush()
    return changed


def reconsult_case(case: Case, *, actor: Member) -> Case:
    """A new draft that follows on from a worked case (same client, theme and type)."""
    if not permissions.can_reconsult(actor, case):
        raise NotAllowed("Seule la personne qui porte le cas peut le soumettre à nouveau, après l'atelier.")
    return create_case(actor=actor, previous=case, data=CaseSheet(
        title=f"{case.title} (nouvelle consultation)"[:200], case_type=case.case_type, theme=case.theme,
        context=_content_of(case)[0], question="", help_wanted=""))


# --- the state machine ------------------------------------------------------------------------------

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


def _content_of(case: Case) -> tuple[str, str]:
    """(context, question), read explicitly: the columns are deferred with raiseload."""
    return db.session.execute(select(Case.context, Case.question).where(Case.id == case.id)).one()


def _guard_proposed(case: Case, meeting: Meeting | None) -> None:
    context, question = _content_of(case)
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
        raise DomainError("Cette rencontre n'accueille plus de cas : choisissez une rencontre à venir.")


def _dissolve_subgroup(case: Case, actor: Member) -> None:
    if case.subgroup is not None:
        db.session.delete(case.subgroup)
        case.subgroup = None
        db.session.add(SubgroupEvent(case_id=case.id, actor_id=actor.id, kind=SubgroupEventKind.DISSOLVED))


def _notify_client(case: Case, target: CaseState, meeting: Meeting | None) -> None:
    client = db.session.get(Member, case.client_id)
    subject = {CaseState.SELECTED: f"CODEV : votre cas {case.reference} est retenu",
               CaseState.POSTPONED: f"CODEV : votre cas {case.reference} est reporté"}[target]
    queue_templated_email("codev_case_state", to=client.email, subject=subject, member=client,
                          reference=case.reference, target=target.value, meeting=meeting,
                          link=external_url("codev.case_detail", case_id=case.id))


# --- facilitators' verbs ------------------------------------------------------------------------------

def propose_case(case: Case, *, actor: Member, meeting: Meeting | None) -> None:
    change_case_state(case, CaseState.PROPOSED, actor=actor, meeting=meeting)


def select_case(case: Case, *, actor: Member, meeting: Meeting) -> None:
    change_case_state(case, CaseState.SELECTED, actor=actor, meeting=meeting)


def postpone_case(case: Case, *, actor: Member, meeting: Meeting | None = None) -> None:
    change_case_state(case, CaseState.POSTPONED, actor=actor, meeting=meeting)


class CompositionRefused(DomainError):
    """Every reason a proposed composition is refused, at once (the form shows them all)."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def compose_subgroup(case: Case, *, actor: Member, animator: Member | None, consultants: list[Member]) -> Subgroup:
    """Seat the client, one animator and the consultants (5 to 8 people in all), chosen among the members of the
    case's network who answered yes to the meeting; one subgroup per person and meeting. A recomposition keeps the
    unchanged seats (and their approval); every new seat or new role waits for the client's approval, who is
    asked by email. Nobody but the client reads the case from a seat the client has not approved."""
    if not permissions.is_network_facilitator(actor, case.network_id):
        raise NotAllowed("Seuls les co-animateurs du réseau composent les sous-groupes.")
    if case.state != CaseState.SELECTED or case.meeting_id is None:
        raise InvalidTransition("Seul un cas retenu pour une rencontre reçoit un sous-groupe.")
    client = db.session.get(Member, case.client_id)
    seats = [(client, SubgroupRole.CLIENT), *([(animator, SubgroupRole.ANIMATOR)] if animator else []),
             *[(consultant, SubgroupRole.CONSULTANT) for consultant in consultants]]
    _check_seats(case, seats, has_animator=animator is not None)
    subgroup = case.subgroup
    if subgroup is None:
        subgroup = Subgroup(meeting_id=case.meeting_id, case_id=case.id)
        subgroup.members = []
        db.session.add(subgroup)
        case.subgroup = subgroup
    now = utcnow()
    wanted = {member.id: role for member, role in seats}
    changes: list[tuple[SubgroupEventKind, int, str]] = []
    for seat in list(subgroup.members):
        if seat.member_id not in wanted:
            subgroup.members.remove(seat)
            changes.append((SubgroupEventKind.REMOVED, seat.member_id, seat.role))
    db.session.flush()
    for member, role in seats:
        seat = subgroup.seat_of(member.id)
        if seat is None:
            subgroup.members.append(SubgroupMember(meeting_id=case.meeting_id, member_id=member.id, role=role,
                                                   approved_at=now if role == SubgroupRole.CLIENT else None))
            if role != SubgroupRole.CLIENT:
                changes.append((SubgroupEventKind.PROPOSED, member.id, role))
        elif seat.role != role:
            seat.role, seat.approved_at = role, None
            changes.append((SubgroupEventKind.ROLE_CHANGED, member.id, role))
    db.session.flush()
    if changes:
        _record_subgroup_events(case, actor, "codev.subgroup.compose", changes)
        _ask_client_approval(case, client, subgroup)
    return subgroup


def _check_seats(case: Case, seats: list[tuple[Member, SubgroupRole]], *, has_animator: bool) -> None:
    """Collects every problem of the proposed composition and raises them together."""
    errors = [] if has_animator else ["Choisissez l'animateur·rice du sous-groupe."]
    seen: dict[int, SubgroupRole] = {}
    for member, role in seats:
        if member.id in seen:
            if seen[member.id] == SubgroupRole.CLIENT or role == SubgroupRole.CLIENT:
                errors.append(f"{member.full_name} porte le cas : elle ou il ne peut pas occuper une autre place "
                              "dans le sous-groupe.")
            else:
                errors.append(f"{member.full_name} figure deux fois dans le sous-groupe.")
            continue
        seen[member.id] = role
        if member.network_id != case.network_id:
            errors.append(f"{member.full_name} n'appartient pas au réseau de ce cas.")
        elif not member.is_active:
            errors.append(f"Le compte de {member.full_name} est désactivé.")
    if not SUBGROUP_MIN_SIZE <= len(seen) <= SUBGROUP_MAX_SIZE:
        chosen = f"{len(seen)} choisie" if len(seen) == 1 else f"{len(seen)} choisies"
        errors.append(f"Un sous-groupe compte de {SUBGROUP_MIN_SIZE} à {SUBGROUP_MAX_SIZE} personnes, "
                      f"client et animateur compris ({chosen}).")
    people = {member.id: member for member, _ in seats}
    coming = set(db.session.scalars(select(Invitation.member_id).where(
        Invitation.meeting_id == case.meeting_id, Invitation.member_id.in_(seen), Invitation.rsvp == Rsvp.YES)))
    absent = [people[member_id].full_name for member_id in seen if member_id not in coming]
    if absent:
        errors.append("Ces personnes n'ont pas confirmé leur venue à la rencontre : " + ", ".join(absent) + ".")
    blockers = queries.seat_blockers(case)
    for reason, message in ((queries.SEATED_ELSEWHERE, "Déjà dans un autre sous-groupe de cette rencontre : "),
                            (queries.BRINGS_A_CASE, "Portent un autre cas à cette rencontre : "),
                            (queries.REFUSED_BY_CLIENT, "Refusées par la personne qui porte le cas : ")):
        names = [people[member_id].full_name for member_id in seen
                 if member_id != case.client_id and blockers.get(member_id) == reason]
        if names:
            errors.append(message + ", ".join(names) + ".")
    if errors:
        raise CompositionRefused(errors)


def approve_subgroup(case: Case, *, actor: Member, seen: str) -> list[SubgroupMember]:
    """The client approves the composition they read (`seen` = its `pending_token`): each seat awaiting approval
    is approved and its person emailed; from now on they read the case."""
    subgroup = _subgroup_for_client(case, actor)
    pending = subgroup.pending_seats
    if not pending:
        raise DomainError("Aucune personne n'attend votre accord.")
    if seen != subgroup.pending_token:
        raise Conflict("La composition a changé pendant que vous la lisiez : relisez-la avant de donner votre accord.")
    now = utcnow()
    for seat in pending:
        seat.approved_at = now
    db.session.flush()
    members = _record_subgroup_events(case, actor, "codev.subgroup.approve",
                                      [(SubgroupEventKind.APPROVED, seat.member_id, seat.role) for seat in pending])
    meeting = db.session.get(Meeting, case.meeting_id)
    for seat in pending:
        member = members[seat.member_id]
        queue_templated_email("codev_subgroup", to=member.email, subject="CODEV : votre sous-groupe pour la rencontre",
                              member=member, role_label=seat.role_label, reference=case.reference,
                              meeting=meeting, link=external_url("codev.case_detail", case_id=case.id))
    return pending


def refuse_subgroup_member(case: Case, member: Member, *, actor: Member) -> None:
    """The client refuses a person (seat awaiting approval or already approved): the seat goes, and the person
    cannot be seated again in this case's subgroup; the facilitators are told, to complete the subgroup."""
    subgroup = _subgroup_for_client(case, actor)
    seat = subgroup.seat_of(member.id)
    if seat is None or seat.role == SubgroupRole.CLIENT:
        raise DomainError("Cette personne ne fait pas partie des membres du sous-groupe que vous pouvez refuser.")
    subgroup.members.remove(seat)
    db.session.flush()
    _record_subgroup_events(case, actor, "codev.subgroup.refuse", [(SubgroupEventKind.REFUSED, member.id, seat.role)])
    meeting = db.session.get(Meeting, case.meeting_id)
    for facilitator in db.session.scalars(select(Member).where(
            Member.network_id == case.network_id, Member.role == Role.FACILITATOR, Member.is_active.is_(True))
            .order_by(Member.id)):
        queue_templated_email("codev_subgroup_refusal", to=facilitator.email,
                              subject=f"CODEV : sous-groupe du cas {case.reference} à compléter",
                              member=facilitator, reference=case.reference, meeting=meeting,
                              size=len(subgroup.members),
                              link=external_url("codev.workshop", meeting_id=case.meeting_id))


def _subgroup_for_client(case: Case, actor: Member) -> Subgroup:
    if not permissions.is_client(actor, case):
        raise NotAllowed("Seule la personne qui porte le cas approuve la composition de son sous-groupe.")
    if not permissions.can_approve_subgroup(actor, case):
        raise InvalidTransition("La composition du sous-groupe s'approuve tant que le cas est retenu pour un atelier.")
    return case.subgroup


AUDIT_FIELDS_LENGTH = 500


def _record_subgroup_events(case: Case, actor: Member, action: str,
                            changes: list[tuple[SubgroupEventKind, int, str]]) -> dict[int, Member]:
    """One history row per person (shown to the client) and one audit row naming the people, never content.
    Returns the people by id."""
    people = {member.id: member for member in db.session.scalars(
        select(Member).where(Member.id.in_([member_id for _, member_id, _ in changes])))}
    names = []
    for kind, member_id, role in changes:
        member = people[member_id]
        db.session.add(SubgroupEvent(case_id=case.id, actor_id=actor.id if actor else None, kind=kind,
                                     member_id=member.id, role=role))
        names.append(f"{kind.value}:{member.full_name} ({role})")
    fields, used = [], 0
    for index, name in enumerate(names):  # the audit column is bounded: name as many people as fit, count the rest
        rest = f"+{len(names) - index}"
        if used + len(name) + 1 + len(rest) + 1 > AUDIT_FIELDS_LENGTH:
            fields.append(rest)
            break
        fields.append(name)
        used += len(name) + 1
    record_audit(actor=actor, action=action, obj=case, fields=fields)
    db.session.flush()
    return people


def _ask_client_approval(case: Case, client: Member, subgroup: Subgroup) -> None:
    if not subgroup.pending_seats or not client.is_active:
        return
    names = {member.id: member.full_name for member in db.session.scalars(
        select(Member).where(Member.id.in_([seat.member_id for seat in subgroup.members])))}
    seats = [(names[seat.member_id], seat.role_label, seat.is_approved) for seat in subgroup.members
             if seat.role != SubgroupRole.CLIENT]
    meeting = db.session.get(Meeting, case.meeting_id)
    queue_templated_email("codev_subgroup_approval", to=client.email,
                          subject=f"CODEV : la composition du sous-groupe de votre cas {case.reference} attend votre "
                                  "accord", member=client, reference=case.reference, meeting=meeting, seats=seats,
                          link=external_url("codev.case_detail", case_id=case.id))


# --- the six-step record and the action plan ------------------------------------------------------------

def _require_record_editor(case: Case, actor: Member) -> None:
    role = SubgroupRole.CLIENT if permissions.is_client(actor, case) else permissions.subgroup_role(actor, case)
    if role not in (SubgroupRole.CLIENT, SubgroupRole.ANIMATOR):
        raise NotAllowed("Seuls l'animateur du sous-groupe et la personne qui porte le cas remplissent le compte rendu.")
    if not permissions.can_edit_record(actor, case):
        raise InvalidTransition("Le compte rendu se remplit pendant ou après l'atelier, tant que le cas n'est pas clos.")


def save_record(case: Case, *, actor: Member, data: RecordData) -> list[str]:
    _require_record_editor(case, actor)
    record = db.session.scalar(select(CaseRecord).where(CaseRecord.case_id == case.id))
    if record is None:
        record = CaseRecord(case_id=case.id, **{name: "" for name in RECORD_FIELDS})
        db.session.add(record)
    changed = [name for name in RECORD_FIELDS if (getattr(record, name) or "") != getattr(data, name).strip()]
    for name in changed:
        setattr(record, name, getattr(data, name).strip())
    if changed:
        record.updated_at = utcnow()
        record.updated_by_id = actor.id
        record_audit(actor=actor, action="codev.record.update", obj=case, fields=changed)
    db.session.flush()
    return changed


def add_action(case: Case, *, actor: Member, description: str, owner: str = "", due_on: date | None = None
               ) -> CaseAction:
    _require_record_editor(case, actor)
    if not description.strip():
        raise DomainError("Décrivez l'action.")
    action = CaseAction(case_id=case.id, description=description.strip(), owner=owner.strip(), due_on=due_on)
    db.session.add(action)
    db.session.flush()
    record_audit(actor=actor, action="codev.action.add", obj=case, fields=["description", "owner", "due_on"])
    return action


def update_action(action: CaseAction, case: Case, *, actor: Member, done: bool | None = None,
                  remove: bool = False) -> None:
    if action.case_id != case.id:
        raise NotAllowed("Cette action n'appartient pas à ce cas.")
    _require_record_editor(case, actor)
    if remove:
        db.session.delete(action)
        record_audit(actor=actor, action="codev.action.remove", obj=case, fields=["action"])
    elif done is not None:
        action.is_done = done
        record_audit(actor=actor, action="codev.action.update", obj=case, fields=["is_done"])
    db.session.flush()


# --- follow-up, capitalisation --------------------------------------------------------------------------

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


# --- reminders ------------------------------------------------------------------------------------------

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
                              subject=f"CODEV : où en est votre cas {case.reference} ?", member=client,
                              reference=case.reference, link=external_url("codev.follow_up", case_id=case.id))
        case.followup_reminder_sent_at = now
        record_audit(actor=None, action="codev.follow_up.reminder", obj=case, fields=["followup_reminder_sent_at"])
        sent += 1
    db.session.flush()
    return sent
