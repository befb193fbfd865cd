"""Helpers shared by the meeting views: scope, loading with authorization."""

from flask import abort, request
from flask_login import current_user

from network.auth import require, require_in_reach
from network.extensions import db
from network.members import queries as member_queries
from network.members.enums import Role
from network.members.models import Network
from network.sessions import queries
from network.sessions.models import Meeting
from network.sessions.permissions import can_manage_meeting, can_view_meeting

STAFF = (Role.ADMIN, Role.FACILITATOR)
NETWORK_ROLES = (Role.ADMIN, Role.FACILITATOR, Role.COORDINATOR)


def network_in_scope() -> Network:
    """The member's own network, or ?reseau=slug for admins."""
    if current_user.role == Role.ADMIN:
        return member_queries.network_by_slug(request.args.get("reseau", "")) or abort(404)
    return db.get_or_404(Network, current_user.network_id)


def scope_args(network: Network) -> dict:
    return {"reseau": network.slug} if current_user.role == Role.ADMIN else {}


def load_meeting(meeting_id: int, *, manage: bool = False) -> Meeting:
    """The meeting with venue, facilitators and network; 404 if unknown or another network's, 403 if out of reach."""
    meeting = queries.meeting_detail(meeting_id) or abort(404)
    require_in_reach(meeting.network_id)
    require(can_manage_meeting(current_user, meeting) if manage else can_view_meeting(current_user, meeting))
    return meeting


def load_meeting_page(meeting_id: int) -> queries.MeetingPage:
    """As `load_meeting` (same 404 and 403), for the pages that only show the meeting: one plain row."""
    meeting = queries.meeting_page(meeting_id) or abort(404)
    require_in_reach(meeting.network_id)
    require(can_view_meeting(current_user, meeting))
    return meeting

