"""Pure predicates about sign-in settings, used by views (403) and templates."""

from network.members.enums import Role
from network.members.permissions import is_facilitator_of


def can_manage_sign_in_policy(actor, network) -> bool:
    return actor.role == Role.ADMIN or is_facilitator_of(actor, network.id)


def can_reset_second_factor(actor, member) -> bool:
    """Admins only, and never their own (another admin does it: the reset is the recovery path)."""
    return actor.role == Role.ADMIN and actor.id != member.id
