"""Pure predicates of the evaluation feature, used by views (403) and templates."""

from network.members.enums import Role


def can_view_indicators(actor, network) -> bool:
    """Admins for every network; facilitators for their own."""
    return actor.role == Role.ADMIN or (actor.role == Role.FACILITATOR and network is not None
                                        and actor.network_id == network.id)


def can_view_all_networks(actor) -> bool:
    return actor.role == Role.ADMIN


def can_edit_grid(actor, network) -> bool:
    return actor.role == Role.FACILITATOR and network is not None and actor.network_id == network.id


def can_self_evaluate(actor) -> bool:
    """Coordinators answer the questionnaire and fill the grid; their scores are theirs alone."""
    return actor.role == Role.COORDINATOR and actor.network_id is not None
