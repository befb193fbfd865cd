"""Accessibility basics on the main pages, as each demo role: a plain-text title, exactly one <h1>, headings that
do not skip a level downwards, every form control labelled, and `aria-current` on the active menu entry."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from network.codev.enums import CaseState
from network.codev.models import Case
from network.demo import DEMO_PASSWORD, seed_demo
from network.extensions import db
from network.members.models import Member
from network.sessions.enums import MeetingStatus
from network.sessions.models import Meeting
from network.topics.enums import VoteStatus
from network.topics.models import TopicVote

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageAudit(HTMLParser):
    """What the checks need from one page, with the standard library's parser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[int] = []
        self.label_depth = 0
        self.label_targets: set[str] = set()
        self.controls: list[dict] = []  # {tag, id, name, wrapped, aria}
        self.ids: set[str] = set()
        self.current_links: list[str] = []
        self.title: str | None = None  # the document's <title> (not an SVG chart's)
        self._in_nav = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._in_title:
            self.title += f"<{tag}>"  # markup written in <title> shows as text in the browser's tab
        elif tag == "title" and self.title is None:
            self._in_title, self.title = True, ""
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        elif tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.label_targets.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and (attrs.get("type") or "text").lower() in UNLABELLED_TYPES:
                return
            self.controls.append({"tag": tag, "id": attrs.get("id"), "name": attrs.get("name"),
                                  "wrapped": self.label_depth > 0,
                                  "aria": bool(attrs.get("aria-label") or attrs.get("aria-labelledby"))})
        elif tag == "nav" and attrs.get("id") == "navigation":
            self._in_nav += 1
        elif tag == "a" and self._in_nav and attrs.get("aria-current") == "page":
            self.current_links.append(attrs.get("href"))

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "label":
            self.label_depth -= 1
        elif tag == "nav" and self._in_nav:
            self._in_nav -= 1

    def unlabelled(self) -> list[str]:
        return [f"{c['tag']} name={c['name']} id={c['id']}" for c in self.controls
                if not (c["wrapped"] or c["aria"] or (c["id"] and c["id"] in self.label_targets))]

    def skipped_levels(self) -> list[tuple[int, int]]:
        return [(before, after) for before, after in zip(self.headings, self.headings[1:]) if after > before + 1]


def audit(response) -> PageAudit:
    parser = PageAudit()
    parser.feed(response.get_data(as_text=True))
    return parser


def _one(statement):
    return db.session.scalars(statement.limit(1)).one()


def _pages(role: str) -> list[tuple[str, str | None]]:
    """(path, the menu entry expected to be current) for each main page of the role, with demo ids."""
    sophie = _one(select(Member).where(Member.email == "coordinatrice@example.org"))
    network_id = sophie.network_id
    meeting = _one(select(Meeting).where(Meeting.network_id == network_id, Meeting.status == MeetingStatus.INVITED)
                   .order_by(Meeting.starts_at))
    held = _one(select(Meeting).where(Meeting.network_id == network_id, Meeting.status == MeetingStatus.HELD))
    vote = _one(select(TopicVote).where(TopicVote.network_id == network_id, TopicVote.status == VoteStatus.OPEN))
    own_case = _one(select(Case).where(Case.client_id == sophie.id).order_by(Case.id))
    proposed = _one(select(Case).where(Case.network_id == network_id, Case.state == CaseState.PROPOSED))
    common = [("/", "/"), ("/profil", "/profil")]
    network_pages = [("/rencontres/", "/rencontres/"), (f"/rencontres/{meeting.id}", "/rencontres/"),
                     ("/rencontres/mes-rencontres", "/rencontres/"), ("/themes/", "/themes/"),
                     (f"/themes/votes/{vote.id}", "/themes/"), ("/themes/proposer", "/themes/"),
                     ("/codev/", "/codev/"), ("/membres", "/membres")]
    if role == "coordinatrice":
        return common + network_pages + [
            (f"/codev/cas/{own_case.id}", "/codev/"), ("/codev/cas/nouveau", "/codev/"),
            ("/evaluation/moi", "/evaluation/moi"),
            ("/evaluation/efficacite", "/evaluation/moi"), ("/evaluation/grille", "/evaluation/moi")]
    if role == "animatrice.caf":
        return common + network_pages + [
            (f"/rencontres/{held.id}/presences", "/rencontres/"), (f"/codev/cas/{proposed.id}", "/codev/"),
            (f"/codev/rencontres/{meeting.id}", "/codev/"), ("/rencontres/nouvelle", "/rencontres/"),
            ("/rencontres/planifier", "/rencontres/"), ("/themes/votes/nouveau", "/themes/"),
            (f"/membres/{sophie.id}", "/membres"),
            ("/evaluation/", "/evaluation/"), ("/evaluation/grille/modifier", "/evaluation/"),
            ("/adhesion/demandes", "/adhesion/demandes"), ("/membres/nouveau", "/membres")]
    return common + [("/evaluation/reseaux", "/evaluation/"), ("/evaluation/bilan", "/evaluation/"),
                     ("/reseaux", "/reseaux"), ("/reseaux/nouveau", "/reseaux"),
                     ("/donnees/journal", "/donnees/journal"), (f"/rencontres/{meeting.id}", None)]


@pytest.fixture
def demo(db):
    seed_demo()
    db.session.commit()


@pytest.mark.parametrize("role", ["admin", "animatrice.caf", "coordinatrice"])
def test_main_pages_have_one_h1_and_labelled_fields(client, login, demo, role):
    member = _one(select(Member).where(Member.email == f"{role}@example.org"))
    pages = _pages(role)
    login(member, password=DEMO_PASSWORD)
    problems = []
    for path, current in pages:
        response = client.get(path)
        if response.status_code != 200:
            problems.append(f"{path}: HTTP {response.status_code}")
            continue
        page = audit(response)
        if "<" in (page.title or "<") or not page.title.strip().endswith(" · Réseau des chargés de coopération"):
            problems.append(f"{path}: title {page.title!r}")
        if page.headings.count(1) != 1:
            problems.append(f"{path}: {page.headings.count(1)} <h1>")
        elif page.headings[0] != 1:
            problems.append(f"{path}: a heading comes before the <h1>")
        if page.skipped_levels():
            problems.append(f"{path}: heading levels skipped {page.skipped_levels()}")
        if page.unlabelled():
            problems.append(f"{path}: unlabelled {page.unlabelled()}")
        if "contenu" not in page.ids:
            problems.append(f"{path}: no #contenu target for the skip link")
        expected = [current] if current else []
        if page.current_links != expected:
            problems.append(f"{path}: aria-current on {page.current_links}, expected {expected}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("path", ["/connexion", "/mot-de-passe/oublie", "/adhesion/", "/confidentialite"])
def test_public_pages_have_one_h1_and_labelled_fields(client, demo, path):
    page = audit(client.get(path))

    assert page.headings.count(1) == 1
    assert page.unlabelled() == []
    assert page.skipped_levels() == []


def test_page_audit_reports_what_it_should():
    page = PageAudit()
    page.feed('<title>Vote<script src="x"></script> · R</title><h1>A</h1><h3>B</h3><label for="a">A</label><input id="a"><input name="b" type="text">'
              '<label><select name="c"></select></label><input type="hidden" name="d"><textarea name="e"></textarea>')

    assert page.title == "Vote<script> · R"
    assert page.unlabelled() == ["input name=b id=None", "textarea name=e id=None"]
    assert page.skipped_levels() == [(1, 3)]
