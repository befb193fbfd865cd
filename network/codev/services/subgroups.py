"""The subgroup of a case: composed by the facilitators, approved (or a member refused) by the client."""

from sqlalchemy import select

from network.audit import record_audit
from network.codev import permissions, queries
from network.codev.enums import SUBGROUP_MAX_SIZE, SUBGROUP_MIN_SIZE, CaseState, SubgroupEventKind, SubgroupRole
from network.codev.models import Case, Subgroup, SubgroupEvent, SubgroupMember
from network.database import utcnow
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members.enums import Role
from network.members.models import Member
from network.outbox import external_url, queue_templated_email
from network.sessions.enums import Rsvp
from network.sessions.models import Invitation, Meeting

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
