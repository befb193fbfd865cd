"""Pure predicates about meetings, used by views (403) and templates (hide the button).

Facilitators of a meeting's network manage it; admins read everything; coordinators
of the network see the calendar and the meeting, answer and register. Nobody sees
another network's meetings.
"""

from network.members.enums import Role
from network.members.permissions import is_facilitator_of


def can_view_network_meetings(actor, network_id: int | None) -> bool:
    return actor.role == Role.ADMIN or (network_id is not None and actor.network_id == network_id)


def can_view_meeting(actor, meeting) -> bool:
    return can_view_network_meetings(actor, meeting.network_id)


def can_manage_meetings(actor, network_id: int | None) -> bool:
    return is_facilitator_of(actor, network_id)


def can_manage_meeting(actor, meeting) -> bool:
    return can_manage_meetings(actor, meeting.network_id)


def can_see_answers(actor, meeting) -> bool:
    """Who answered what, and attendance records: facilitators of the network and admins."""
    return actor.role == Role.ADMIN or can_manage_meeting(actor, meeting)


def can_answer(actor, invitation) -> bool:
    return invitation is not None and invitation.member_id == actor.id


def can_register(actor, meeting) -> bool:
    return (meeting.is_training and actor.role in (Role.COORDINATOR, Role.FACILITATOR)
            and actor.network_id == meeting.network_id)


def can_view_member_attendance(actor, member) -> bool:
    return actor.id == member.id or actor.role == Role.ADMIN or is_facilitator_of(actor, member.network_id)
