"""Routes of the meetings feature, one module per page group."""

from network.sessions.views import attendance, invitations, planning, trainings  # noqa: F401
