"""Routes of the meetings feature, one module per page group, and the helpers their templates share."""

from network.sessions import badges
from network.sessions.blueprint import bp
from network.sessions.views import attendance, invitations, planning, trainings  # noqa: F401

for helper in (badges.status_badge, badges.rsvp_badge, badges.when):  # meetings' badges and dates, on every page
    bp.add_app_template_global(helper)
bp.add_app_template_global(badges.RSVP_TONES, "rsvp_tones")
