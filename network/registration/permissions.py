"""Pure predicates about join requests, used by views (403) and templates."""

from network.members.enums import Role
from network.members.permissions import is_facilitator_of


def can_view_join_requests(actor, network) -> bool:
    """Facilitators of the network; admins too, read-only, for support."""
    return actor.role == Role.ADMIN or is_facilitator_of(actor, network.id)


def can_decide_join_request(actor, join_request) -> bool:
    """Only the network's own facilitators admit new members."""
    return is_facilitator_of(actor, join_request.network_id)
