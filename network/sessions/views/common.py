"""Helpers shared by the meeting views: loading with authorization."""

from datetime import datetime

from flask import abort
from flask_login import current_user

from network.auth import require, require_in_reach
from network.extensions import db
from network.members.enums import Role
from network.sessions import queries
from network.sessions.models import Meeting
from network.sessions.permissions import can_manage_meeting, can_view_meeting

STAFF = (Role.ADMIN, Role.FACILITATOR)
NETWORK_ROLES = (Role.ADMIN, Role.FACILITATOR, Role.COORDINATOR)


def _authorized(meeting, *, manage: bool = False):
    """The meeting (an entity or a plain row) if the signed-in member may see it, or manage it; 403 if out of reach."""
    require_in_reach(meeting.network_id)
    require(can_manage_meeting(current_user, meeting) if manage else can_view_meeting(current_user, meeting))
    return meeting


def load_meeting(meeting_id: int, *, manage: bool = False) -> Meeting:
    """The meeting with venue, facilitators and network; 404 if unknown or another network's, 403 if out of reach."""
    return _authorized(queries.meeting_detail(meeting_id) or abort(404), manage=manage)


def load_meeting_to_change(meeting_id: int) -> Meeting:
    """As `load_meeting(manage=True)` (same 404 and 403), the meeting alone, its relationships unloaded: for the
    writes at the door (a check-in, a walk-in), which change its rows and show nothing of it."""
    return _authorized(db.session.get(Meeting, meeting_id) or abort(404), manage=True)


def load_meeting_page(meeting_id: int) -> queries.MeetingPage:
    """As `load_meeting` (same 404 and 403), for the pages that only show the meeting: one plain row."""
    return _authorized(queries.meeting_page(meeting_id) or abort(404))


def load_meeting_view(meeting_id: int, now: datetime) -> queries.MeetingView:
    """As `load_meeting_page` (same 404 and 403), with what the meeting page reads for the signed-in member as of
    `now`: one statement."""
    view = queries.meeting_view(meeting_id, current_user.id, now) or abort(404)
    _authorized(view.meeting)
    return view
