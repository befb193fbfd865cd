"""Verb functions for meetings. They take `actor=`, never commit, and raise DomainError subclasses."""

from network.sessions.services import mailing  # noqa: F401
from network.sessions.services.attendance import add_walk_in, record_attendance  # noqa: F401
from network.sessions.services.feeds import calendar_feed  # noqa: F401
from network.sessions.services.lifecycle import (  # noqa: F401
    TRANSITIONS, allowed_transitions, cancel_meeting, change_meeting_status, has_started_day, send_invitations,
)
from network.sessions.services.planning import (  # noqa: F401
    QUARTER_NAMES, QUARTERS, AgendaData, MeetingData, Slot, VenueData, add_agenda_item, create_meeting, create_venue,
    default_agenda, default_facilitators, default_slots, delete_agenda_item, plan_year, planned_quarters,
    update_agenda_item, update_meeting, update_venue,
)
from network.sessions.services.responses import (  # noqa: F401
    LinkInvalid, add_guest, answer_invitation, invitation_for_token, send_reminders,
)
from network.sessions.services.trainings import promote_waitlist, register, unregister, waitlist_position  # noqa: F401
