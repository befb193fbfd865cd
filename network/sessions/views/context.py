"""Template context of the calendar and meeting pages: every value computed here, in a fixed
number of queries, so templates only format."""

from datetime import datetime

from flask_login import current_user

from network.database import utcnow
from network.scope import scope_args
from network.sessions import queries
from network.sessions.enums import AttendanceStatus, MeetingStatus, RegistrationStatus, Rsvp, RsvpSource
from network.sessions.forms import RsvpForm
from network.sessions.permissions import (
    can_answer, can_manage_meeting, can_manage_meetings, can_register, can_see_answers,
)
from network.sessions.services import allowed_transitions, has_started_day, waitlist_position

RSVP_LABELS = {answer.value: answer.label for answer in Rsvp}
RSVP_SOURCE_LABELS = {source.value: source.label for source in RsvpSource}
# The answers RsvpForm offers, as (value, label): the meeting page writes the form out.
RSVP_CHOICES = tuple((answer.value, answer.label) for answer in RsvpForm.answer.kwargs["choices"])
# The answers, attendances and registrations of « Mes rencontres », as the models label them.
MY_MEETING_LABELS = {
    "rsvp": RSVP_LABELS,
    "attendance": {status.value: status.label for status in AttendanceStatus},
    "registration": {status.value: status.label for status in RegistrationStatus},
}


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


def meeting_context(view: queries.MeetingView, now: datetime) -> dict:
    """Plain rows for what the page lists, flags for the forms it shows, as of `now` (the view's)."""
    meeting, mine, registration = view.meeting, view.mine, view.registration
    answers_visible = can_see_answers(current_user, meeting)
    can_manage = can_manage_meeting(current_user, meeting)
    if not meeting.is_training:
        registration = None
    answerable = (can_answer(current_user, mine) and meeting.status == MeetingStatus.INVITED
                  and meeting.ends_at > now and not meeting.is_training)
    takes_guests = (can_manage and answers_visible and not meeting.is_training
                    and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED) and meeting.starts_at > now)
    return {
        "meeting": meeting, "agenda": view.agenda, "now": now,
        "can_manage": can_manage, "answers_visible": answers_visible,
        "invitations": queries.invitation_rows(meeting.id) if answers_visible else [],
        "rsvp_labels": RSVP_LABELS, "rsvp_source_labels": RSVP_SOURCE_LABELS,
        "counts": view.counts,
        "attendance": view.attendance,
        # the answer and guest forms are written out in the template: no form object to build for the page
        "mine": mine, "answerable": answerable, "rsvp_choices": RSVP_CHOICES, "takes_guests": takes_guests,
        "transitions": allowed_transitions(meeting), "day_started": has_started_day(meeting, now),
        "registration": registration,
        "waitlist_position": waitlist_position(registration) if registration and registration.is_waitlisted else None,
        "can_register": can_register(current_user, meeting) and meeting.status == MeetingStatus.INVITED
        and meeting.starts_at > now,
        "registrations": queries.registrations(meeting.id) if meeting.is_training and answers_visible else [],
        "places_taken": view.places_taken if meeting.is_training else 0,
    }
