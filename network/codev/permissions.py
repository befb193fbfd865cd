"""Pure predicates about CODEV cases, used by views (404/403) and templates (hide the button).

They read `case.subgroup.members` when a subgroup exists: queries that feed them load it
(`queries.case_for_access`). The client and the subgroup members whose seat the client approved are the
only readers of content: a seat awaiting approval (a newcomer, a facilitator who seated herself) grants nothing.
"""

from network.codev.enums import (
    AFTER_WORKSHOP_STATES, CASE_TRANSITIONS, FOLLOW_UP_STATES, RECORD_EDITABLE_STATES, SHEET_EDITABLE_STATES,
    CaseState, Party, SubgroupRole,
)
from network.members.enums import Role


def is_client(member, case) -> bool:
    return member.id == case.client_id


def subgroup_role(member, case) -> str | None:
    """The member's approved seat in the case's subgroup (client / animator / consultant), or None — also
    None while the client has not approved the seat."""
    if case.subgroup is None:
        return None
    return case.subgroup.approved_role_of(member.id)


def pending_seat(member, case):
    """The member's seat awaiting the client's approval, or None."""
    seat = case.subgroup.seat_of(member.id) if case.subgroup is not None else None
    return seat if seat is not None and not seat.is_approved else None


def is_network_facilitator(member, network_id: int | None) -> bool:
    return member.role == Role.FACILITATOR and network_id is not None and member.network_id == network_id


def parties_of(member, case) -> frozenset[Party]:
    parties = set()
    if is_client(member, case):
        parties.add(Party.CLIENT)
    if subgroup_role(member, case) == SubgroupRole.ANIMATOR:
        parties.add(Party.ANIMATOR)
    if is_network_facilitator(member, case.network_id):
        parties.add(Party.FACILITATOR)
    return frozenset(parties)


def can_read_case_content(member, case) -> bool:
    """Confidentiality: the client and the members of its subgroup whose seat the client approved, nobody else."""
    return is_client(member, case) or subgroup_role(member, case) is not None


def can_view_case(member, case) -> bool:
    """Whether the case exists for this member at all (otherwise: 404). Drafts are the client's alone."""
    if can_read_case_content(member, case):
        return True
    if case.state == CaseState.DRAFT:
        return False
    return member.role == Role.ADMIN or is_network_facilitator(member, case.network_id)


def can_edit_case_sheet(member, case) -> bool:
    return is_client(member, case) and case.state in SHEET_EDITABLE_STATES


def can_edit_record(member, case) -> bool:
    """The record is filled by the subgroup's animator or the client."""
    role = SubgroupRole.CLIENT if is_client(member, case) else subgroup_role(member, case)
    return role in (SubgroupRole.CLIENT, SubgroupRole.ANIMATOR) and case.state in RECORD_EDITABLE_STATES


def can_move_case(member, case, target: CaseState) -> bool:
    allowed = CASE_TRANSITIONS.get((CaseState(case.state), target))
    return bool(allowed and allowed & parties_of(member, case))


def may_attempt_move(member, case, target: CaseState) -> bool:
    """Whether the member is a party who makes this kind of move at all (else 403); whether the move is
    legal from the case's current state is the service's answer (a French message)."""
    parties = parties_of(member, case)
    return any(to == target and allowed & parties for (_, to), allowed in CASE_TRANSITIONS.items())


def can_record_follow_up(member, case) -> bool:
    return is_client(member, case) and case.state in FOLLOW_UP_STATES


def can_manage_capitalisation(member, case) -> bool:
    return is_client(member, case) and case.state in AFTER_WORKSHOP_STATES


def can_reconsult(member, case) -> bool:
    return is_client(member, case) and case.state in AFTER_WORKSHOP_STATES


def can_approve_subgroup(member, case) -> bool:
    """The client approves or refuses the people of their subgroup, until the workshop."""
    return is_client(member, case) and case.state == CaseState.SELECTED and case.subgroup is not None


def can_view_subgroup_history(member, case) -> bool:
    return is_client(member, case) or is_network_facilitator(member, case.network_id)


def can_write_case(member) -> bool:
    return member.role == Role.COORDINATOR and member.network_id is not None


def can_manage_workshop(member, meeting) -> bool:
    return is_network_facilitator(member, meeting.network_id)


def can_export_cases(member, network) -> bool:
    return member.role == Role.ADMIN or is_network_facilitator(member, network.id)


def can_view_capitalisation(member, network) -> bool:
    return member.role == Role.ADMIN or member.network_id == network.id
