"""Indicators of DESIGN.md §4 as SQL aggregates (GROUP BY / COUNT / SUM in the database), one module per family.

Every function takes a Scope (networks, period, optional territory, `now`) and issues a fixed number of
queries whatever the data size. Definitions live in DEFINITIONS, shown on pages, exports and the report.
"""

from network.evaluation.indicators.attendance import (
    UNASSIGNED_LABELS, attendance_breakdown, attendance_breakdowns, attendance_summary, attendance_totals,
    meeting_attendance, meeting_rows, member_assiduity, member_assiduity_rows, period_attendance,
)
from network.evaluation.indicators.topics import HELD_STATUSES
from network.sessions.attendance_counts import ATTENDED_STATUSES
from network.evaluation.indicators.codev import codev_figures
from network.evaluation.indicators.definitions import DEFINITIONS
from network.evaluation.indicators.resources import SHARED_RESOURCE_SOURCES, shared_resources_by_period
from network.evaluation.indicators.synthesis import (
    network_summaries, network_summary, series_summaries,
)
from network.evaluation.indicators.topics import topic_figures
from network.evaluation.indicators.trainings import training_figures
from network.evaluation.indicators.votes import vote_turnout

__all__ = [
    "ATTENDED_STATUSES", "DEFINITIONS", "HELD_STATUSES", "SHARED_RESOURCE_SOURCES", "UNASSIGNED_LABELS",
    "attendance_breakdown",
    "attendance_breakdowns", "attendance_summary", "attendance_totals", "codev_figures", "meeting_attendance",
    "meeting_rows", "member_assiduity", "member_assiduity_rows", "network_summaries", "network_summary",
    "period_attendance", "series_summaries", "shared_resources_by_period", "topic_figures", "training_figures", "vote_turnout",
]
