"""Main navigation by role, and the links every page's frame carries. Entries whose endpoint is not registered are
skipped, so a feature appears in the menu as soon as its blueprint exists.

Both depend only on the role and on where the app is mounted (the request's script root), never on data: each
worker builds them once per role and mount point and keeps them in the app's extensions. Building them on every
page was 14 of a page's ~20 calls to url_for, ~4 % of a meeting page's work. The menu's HTML, which also marks the
current page's section, is rendered once per role, mount point and endpoint (a few hundred at most): its loop was
a seventh of a meeting page's template time."""

from dataclasses import dataclass

from flask import current_app, has_request_context, request, url_for
from flask_login import current_user
from markupsafe import Markup

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


@dataclass(frozen=True)
class FrameLinks:
    """The links of base.html's header and footer."""
    favicon: str
    stylesheet: str
    script: str
    home: str
    profile: str
    logout: str
    privacy: str


def _built(kind: str, key, build):
    built = current_app.extensions.setdefault("network.navigation", {})
    if (kind, key) not in built:
        built[kind, key] = build()
    return built[kind, key]


def nav_items() -> tuple[NavItem, ...]:
    if not has_request_context() or not current_user.is_authenticated:  # emails render outside requests
        return ()
    role = Role(current_user.role)
    return _built("menu", (role, request.script_root), lambda: tuple(
        NavItem(entry.label, url_for(entry.endpoint), entry.section)
        for entry in NAV_ENTRIES
        if role in entry.roles and entry.endpoint in current_app.view_functions
    ))


def nav_menu() -> Markup:
    """The menu's items as HTML (templates/_nav_items.html), the current page's section marked."""
    if not has_request_context() or not current_user.is_authenticated:
        return Markup()
    role, endpoint = Role(current_user.role), request.endpoint
    return _built("menu-html", (role, request.script_root, endpoint), lambda: Markup(
        current_app.jinja_env.get_template("_nav_items.html").render(
            home=frame_links().home, items=nav_items(), endpoint=endpoint)))


def frame_links() -> FrameLinks | None:
    if not has_request_context():  # emails render outside requests, and have no frame
        return None
    return _built("frame", request.script_root, lambda: FrameLinks(
        favicon=url_for("static", filename="favicon.svg"), stylesheet=url_for("static", filename="css/app.css"),
        script=url_for("static", filename="js/app.js"), home=url_for("home.index"),
        profile=url_for("members.profile"), logout=url_for("members.logout"), privacy=url_for("home.privacy")))


def install_navigation(app) -> None:
    app.context_processor(lambda: {"nav_menu": nav_menu(), "frame_links": frame_links()})
