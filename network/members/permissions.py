"""Pure predicates about members and networks, used by views (403) and templates."""

from network.members.enums import Role


def is_facilitator_of(actor, network_id: int | None) -> bool:
    return actor.role == Role.FACILITATOR and network_id is not None and actor.network_id == network_id


def can_manage_networks(actor) -> bool:
    return actor.role == Role.ADMIN


def can_manage_members(actor, network) -> bool:
    return actor.role == Role.ADMIN or is_facilitator_of(actor, network.id)


def can_view_directory(actor, network) -> bool:
    return actor.role == Role.ADMIN or actor.network_id == network.id


def can_view_member(actor, member) -> bool:
    """Oneself; admins; members of the same network (a deactivated account: its facilitators only)."""
    if actor.id == member.id or actor.role == Role.ADMIN:
        return True
    if member.network_id is None or actor.network_id != member.network_id:
        return False
    return member.is_active or is_facilitator_of(actor, member.network_id)


def can_edit_member(actor, member) -> bool:
    if member.role == Role.ADMIN:
        return actor.role == Role.ADMIN
    return actor.role == Role.ADMIN or is_facilitator_of(actor, member.network_id)


def can_assign_role(actor, role: Role) -> bool:
    """Facilitators add coordinators and their co-facilitators; only admins name admins."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.FACILITATOR and role in (Role.COORDINATOR, Role.FACILITATOR)


def can_deactivate_member(actor, member) -> bool:
    return actor.id != member.id and can_edit_member(actor, member)


def can_correct_email(actor, member) -> bool:
    """Whoever edits a member may propose a new address; it takes effect once the member approves it."""
    return actor.id != member.id and can_edit_member(actor, member)


def can_force_email_change(actor, member) -> bool:
    """Admins only, for a member who lost the old address (applied after a delay the member may use to cancel)."""
    return actor.role == Role.ADMIN and actor.id != member.id and member.erased_at is None
