"""Template context of the calendar and meeting pages: every value computed here, in a fixed
number of queries, so templates only format."""

from flask_login import current_user

from network.database import utcnow
from network.scope import scope_args
from network.sessions import queries
from network.sessions.enums import MeetingStatus, Rsvp, RsvpSource
from network.sessions.forms import GuestForm, RsvpForm, WalkInForm
from network.sessions.permissions import (
    can_answer, can_manage_meeting, can_manage_meetings, can_register, can_see_answers,
)
from network.sessions.services import allowed_transitions, has_started_day, waitlist_position

RSVP_LABELS = {answer.value: answer.label for answer in Rsvp}
RSVP_SOURCE_LABELS = {source.value: source.label for source in RsvpSource}


def calendar_context(network, year: int) -> dict:
    meetings = queries.calendar(network.id, year)
    ids = [meeting.id for meeting in meetings]
    now = utcnow()
    staff = can_manage_meetings(current_user, network.id) or current_user.is_admin
    return {
        "network": network, "year": year, "years": queries.calendar_years(network.id, year),
        "upcoming": [m for m in meetings if m.ends_at > now], "past": [m for m in meetings if m.ends_at <= now][::-1],
        "counts": queries.rsvp_counts_by_meeting(ids) if staff else {},
        "attendance": queries.meeting_attendance_by_id(network.id, year, now) if staff else {},
        "places": queries.confirmed_counts([m.id for m in meetings if m.is_training]),
        "mine": queries.my_invitations(current_user.id, ids),
        "can_manage": can_manage_meetings(current_user, network.id), "staff": staff, "scope": scope_args(network),
    }


def meeting_context(meeting) -> dict:
    now = utcnow()
    answers_visible = can_see_answers(current_user, meeting)
    mine = queries.my_invitation(meeting.id, current_user.id)
    registration = queries.my_registration(meeting.id, current_user.id) if meeting.is_training else None
    answerable = (can_answer(current_user, mine) and meeting.status == MeetingStatus.INVITED
                  and meeting.ends_at > now and not meeting.is_training)
    return {
        "meeting": meeting, "agenda": queries.agenda(meeting.id), "now": now,
        "can_manage": can_manage_meeting(current_user, meeting), "answers_visible": answers_visible,
        "invitations": queries.invitation_rows(meeting.id) if answers_visible else [],
        "rsvp_labels": RSVP_LABELS, "rsvp_source_labels": RSVP_SOURCE_LABELS,
        "counts": queries.rsvp_counts(meeting.id),
        "attendance": queries.meeting_attendance_of(meeting, now),
        "mine": mine, "rsvp_form": RsvpForm(answer=mine.rsvp if mine and mine.rsvp != "pending" else None,
                                            comment=mine.rsvp_comment if mine else None) if answerable else None,
        "guest_form": GuestForm(), "walk_in_form": WalkInForm(),
        "transitions": allowed_transitions(meeting), "day_started": has_started_day(meeting, now),
        "registration": registration,
        "waitlist_position": waitlist_position(registration) if registration and registration.is_waitlisted else None,
        "can_register": can_register(current_user, meeting) and meeting.status == MeetingStatus.INVITED
        and meeting.starts_at > now,
        "registrations": queries.registrations(meeting.id) if meeting.is_training and answers_visible else [],
        "places_taken": queries.confirmed_counts([meeting.id]).get(meeting.id, 0) if meeting.is_training else 0,
    }
