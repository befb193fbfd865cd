"""CODEV verbs. Each takes model instances and a keyword-only `actor`, flushes, queues mail and
audit rows, raises a DomainError with a French message, and never commits.

`change_case_state()` owns every state change of a case (the table is enums.CASE_TRANSITIONS).
Emails name the case by its reference and the meeting only: never its title or content.

One module per part of a case's life; the public names are all here, as callers import them."""

from network.codev.services.follow_ups import (
    FOLLOW_UP_FALLBACK, FOLLOW_UP_LEAD, REMINDER_INTERVAL, FollowUpData, follow_ups_due_query, record_follow_up,
    send_follow_up_reminders, set_capitalisation_consent,
)
from network.codev.services.records import RECORD_FIELDS, RecordData, add_action, save_record, update_action
from network.codev.services.sheets import SHEET_FIELDS, CaseSheet, create_case, reconsult_case, update_case_sheet
from network.codev.services.states import (
    PROPOSABLE_MEETING_STATUSES, SELECTABLE_MEETING_STATUSES, STATE_TIMESTAMPS, change_case_state, postpone_case,
    propose_case, select_case,
)
from network.codev.services.subgroups import (
    AUDIT_FIELDS_LENGTH, CompositionRefused, approve_subgroup, compose_subgroup, refuse_subgroup_member,
)

__all__ = [
    "AUDIT_FIELDS_LENGTH", "CaseSheet", "CompositionRefused", "FOLLOW_UP_FALLBACK", "FOLLOW_UP_LEAD", "FollowUpData",
    "PROPOSABLE_MEETING_STATUSES", "RECORD_FIELDS", "REMINDER_INTERVAL", "RecordData", "SELECTABLE_MEETING_STATUSES",
    "SHEET_FIELDS", "STATE_TIMESTAMPS", "add_action", "approve_subgroup", "change_case_state", "compose_subgroup",
    "create_case", "follow_ups_due_query", "postpone_case", "propose_case", "reconsult_case", "record_follow_up",
    "refuse_subgroup_member", "save_record", "select_case", "send_follow_up_reminders", "set_capitalisation_consent",
    "update_action", "update_case_sheet",
]
