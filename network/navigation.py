"""Main navigation by role. Entries whose endpoint is not registered are skipped,
so a feature appears in the menu as soon as its blueprint exists."""

from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from flask_login import current_user

from network.members.enums import Role

EVERYONE = frozenset(Role)
NETWORK_MEMBERS = frozenset({Role.FACILITATOR, Role.COORDINATOR})
STAFF = frozenset({Role.ADMIN, Role.FACILITATOR})


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: frozenset
    section: str | tuple[str, ...]  # endpoints starting with this prefix (or one of them) mark the entry as current


NAV_ENTRIES = (
    NavEntry("Rencontres", "sessions.calendar", NETWORK_MEMBERS, "sessions."),
    NavEntry("Thèmes", "topics.topic_list", NETWORK_MEMBERS, "topics."),
    NavEntry("CODEV", "codev.case_list", NETWORK_MEMBERS, "codev."),
    NavEntry("Ressources", "resources.library", NETWORK_MEMBERS, "resources."),
    NavEntry("Évaluation", "evaluation.dashboard", STAFF, "evaluation."),
    NavEntry("Mon évaluation", "evaluation.my_evaluation", frozenset({Role.COORDINATOR}), "evaluation."),
    NavEntry("Membres", "members.directory", NETWORK_MEMBERS, ("members.directory", "members.member")),
    NavEntry("Adhésions", "registration.request_queue", frozenset({Role.FACILITATOR}), "registration."),
    NavEntry("Ressources partagées", "resources.national", frozenset({Role.ADMIN}), "resources."),
    NavEntry("Réseaux", "members.network_list", frozenset({Role.ADMIN}), "members.network"),
    NavEntry("Journal", "privacy.audit_log", frozenset({Role.ADMIN}), "privacy.audit"),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    section: str | tuple[str, ...]


def nav_items() -> list[NavItem]:
    if not has_request_context() or not current_user.is_authenticated:  # emails render outside requests
        return []
    role = Role(current_user.role)
    return [
        NavItem(entry.label, url_for(entry.endpoint), entry.section)
        for entry in NAV_ENTRIES
        if role in entry.roles and entry.endpoint in current_app.view_functions
    ]


def install_navigation(app) -> None:
    app.context_processor(lambda: {"nav_items": nav_items()})
