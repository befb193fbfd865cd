"""Pure predicates about materials and minutes, used by views (404/403) and templates.

What a meeting leaves behind belongs to its network: its facilitators and coordinators see it, its facilitators
manage it, its named guests see it through their own link. Nothing is public; admins and other networks only see
what a facilitator shared with every network.
"""

from network.members.enums import Role
from network.members.permissions import is_facilitator_of


def is_network_member(actor, network_id: int | None) -> bool:
    return (actor.role in (Role.FACILITATOR, Role.COORDINATOR) and network_id is not None
            and actor.network_id == network_id)


def can_view_meeting_resources(actor, meeting) -> bool:
    return is_network_member(actor, meeting.network_id)


def can_manage_meeting_resources(actor, meeting) -> bool:
    return is_facilitator_of(actor, meeting.network_id)


def can_view_resource(actor, resource) -> bool:
    if is_facilitator_of(actor, resource.network_id):
        return True
    if resource.is_pending:
        return False
    return is_network_member(actor, resource.network_id) or resource.shared_at is not None


def can_delete_resource(actor, resource) -> bool:
    return is_facilitator_of(actor, resource.network_id)


def can_view_library(actor, network) -> bool:
    return is_network_member(actor, network.id)


def can_write_minutes(actor, meeting) -> bool:
    return is_facilitator_of(actor, meeting.network_id)


def can_view_minutes(actor, minutes) -> bool:
    if is_facilitator_of(actor, minutes.network_id):
        return True
    return minutes.is_published and is_network_member(actor, minutes.network_id)


def can_view_resource_figures(actor, network_id: int | None) -> bool:
    """« Ressources partagées »: the network's facilitators (admins see every network on the national page)."""
    return is_facilitator_of(actor, network_id)
