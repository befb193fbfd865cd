"""Pure predicates about topics and vote rounds, used by views (403) and templates (hide the button)."""

from network.members.enums import Role
from network.members.permissions import is_facilitator_of
from network.topics.enums import VoteStatus

NETWORK_ROLES = (Role.FACILITATOR, Role.COORDINATOR)


def can_view_topics(actor, network_id: int | None) -> bool:
    """Admins read every network; members read their own."""
    return actor.role == Role.ADMIN or (network_id is not None and actor.network_id == network_id)


def can_propose_topic(actor, network_id: int | None) -> bool:
    return actor.role in NETWORK_ROLES and actor.is_active and network_id is not None \
        and actor.network_id == network_id


def can_manage_topics(actor, network_id: int | None) -> bool:
    """Merge, archive, open, close and confirm vote rounds: the network's facilitators only."""
    return is_facilitator_of(actor, network_id) and actor.is_active


def can_vote(actor, vote) -> bool:
    return actor.role in NETWORK_ROLES and actor.is_active and actor.network_id == vote.network_id


def can_see_results(actor, vote, now, *, has_voted: bool = False) -> bool:
    """After the close, everyone who reads the round. Before it, never when the facilitators hid the results (not
    even from themselves); otherwise a voter sees the provisional tally once their ballot is in — so it does not sway
    it — and an admin, who does not vote, sees it live."""
    if not can_view_topics(actor, vote.network_id):
        return False
    if vote.current_status(now) in (VoteStatus.CLOSED, VoteStatus.CONFIRMED):
        return True
    return not vote.hide_results and (has_voted or actor.role == Role.ADMIN)


def can_project_results(actor, vote, now) -> bool:
    """The projector page the facilitators show in the room keeps the live tally (unless the results are hidden)."""
    return (can_manage_topics(actor, vote.network_id) or actor.role == Role.ADMIN) and can_view_topics(
        actor, vote.network_id) and (
        not vote.hide_results or vote.current_status(now) in (VoteStatus.CLOSED, VoteStatus.CONFIRMED))
