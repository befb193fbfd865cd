"""Every route of app.url_map, walked generically as each role over a populated database, with hostile URL
arguments, query parameters and form values: no answer may be a 5xx (nor an exception).

Nothing here names a route: a route added later is walked as soon as it exists. URL arguments take real ids of the
model their name points to (meeting_id → Meeting), the other network's ids, ids beyond 32 and 64 bits and hostile
strings; POST routes get the form found on their own page (or on any page that posts to them) filled with hostile
values, with a valid CSRF token. Values are sampled with a fixed seed, not crossed exhaustively."""

import io
import os
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from sqlalchemy import inspect as sql_inspect, select

from network.codev.enums import CaseState
from network.codev.models import CaseAction, CaseFollowUp, CaseRecord
from network.database import utcnow
from network.evaluation import services as evaluation_services
from network.outbox import send_due
from network.extensions import db
from network.members.enums import InstitutionKind
from network.members.tokens import PASSWORD_RESET, PASSWORD_SETUP, make_password_token
from network.registration.models import JoinRequest
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus, Rsvp
from network.sessions.models import AgendaItem, Attendance, Invitation
from network.sessions.tokens import make_rsvp_token
from network.topics.models import Ballot, BallotPoint
from tests import factories
from tests.codev.factories import create_case, seat
from tests.sessions.factories import create_meeting, create_venue, invite
from tests.topics.factories import create_topic, create_vote

SEED = 14
ROLES = ("anonymous", "admin", "facilitator", "coordinator")
FORM_VARIANTS = 3  # per form: the page's own values, then this many with hostile values sampled into the fields
CONTROL = "ctl\x00\x01\x08\x0b\x0c\x1b\x7f"
HUGE_INTS = ["99999999999999999999", str(2 ** 31), str(2 ** 63), "-1", "0", "-2147483649"]
PATH_STRINGS = ["\x00", "a\nb", "<script>alert(1)</script>", "é😀", "x" * 300, "..", "=1+1", " ", "%", "'; --"]
VALUES = [CONTROL, "x" * 10_000, "99999999999999999999", "-99999999999999999999", "-1", "0", "2147483648",
          "2027-02-30", "0001-01-01", "9999-12-31", "99999-01-01", "25:61", "😀🎉\u202eœ", "<b>gras</b><script>x()</script>",
          '=HYPERLINK("http://evil.test","clic")', "", " ", "ligne un\r\nligne deux", "1e308", "NaN", "%00", "{foreign}"]
QUERY_NAMES = ("page", "annee", "reseau", "q", "etat", "type", "role", "trimestre", "territoire", "action",
               "reponse", "next")
QUERY_VALUES = ["99999999999999999999", "-1", "0", "2147483648", "x" * 3000, "😀", "<script>", "{foreign_slug}",
                "../../etc", "=1+1", "nan"]
GOOD = {"email": "fuzz@example.org", "date": "2027-03-15", "time": "10:00", "number": "3", "tel": "01 02 03 04 05",
        "url": "https://example.org", "password": "une phrase de passe solide et longue"}
# Stored text as old rows may hold it (before the input policy): every page and renderer must show it.
STORED = "Titre\x01 sur\ndeux lignes =1+1 <b>😀</b>"


# --- a populated database: two networks, everything the routes show --------------------------------------------

@dataclass
class World:
    admin: object
    facilitator: object
    coordinator: object
    own: object
    foreign: object
    strings: dict[str, list[str]] = field(default_factory=dict)


def _network_content(network, *, hostile: bool):
    text = STORED if hostile else "Texte"
    institution = factories.create_institution(network, name=f"Caf {text}", kind=InstitutionKind.CAF)
    territory = factories.create_territory(network, name=f"CC {text}", siren="200000000")
    facilitator = factories.create_member(network, role="facilitator", institution_id=institution.id)
    coordinators = [factories.create_member(network, territory_id=territory.id, institution_id=institution.id,
                                            job_title=text) for _ in range(5)]
    venue = create_venue(network, name=f"Lieu {text}", access_notes=text)
    now = utcnow().replace(microsecond=0)
    past = create_meeting(network, starts_at=now - timedelta(days=40), status=MeetingStatus.HELD, venue=venue,
                          title=f"Rencontre {text}", description=text)
    future = create_meeting(network, starts_at=now + timedelta(days=20), status=MeetingStatus.INVITED, venue=venue,
                            title=f"Prochaine {text}")
    training = create_meeting(network, starts_at=now + timedelta(days=50), kind=MeetingKind.TRAINING, capacity=3,
                              status=MeetingStatus.INVITED, trainer=text)
    for meeting in (past, future, training):
        invite(meeting, facilitator, *coordinators, rsvp=Rsvp.YES)
    db.session.add_all([Attendance(meeting_id=past.id, member_id=member.id, status="present", recorded_at=past.starts_at)
                        for member in coordinators[:3]])
    db.session.add(AgendaItem(meeting_id=future.id, kind=AgendaItemKind.THEMATIC, title=f"Point {text}",
                              position=1, speaker=text, details="https://example.org"))
    topics = [create_topic(network, author=coordinators[0], title=f"Thème {n} {text}", description=text)
              for n in range(3)]
    vote = create_vote(future, topics)
    ballot = Ballot(vote_id=vote.id, member_id=coordinators[1].id)
    ballot.points = [BallotPoint(topic_id=topics[0].id, points=1)]
    db.session.add(ballot)
    client = coordinators[0]
    create_case(client, title=f"Brouillon {text}")
    create_case(client, state=CaseState.PROPOSED, meeting=future, title=f"Proposé {text}")
    worked = create_case(client, state=CaseState.WORKED, meeting=past, title=f"Travaillé {text}")
    seat(worked, past, animator=coordinators[1], consultants=coordinators[2:4])
    db.session.add_all([CaseRecord(case_id=worked.id, exposition=text, synthesis=text),
                        CaseAction(case_id=worked.id, description=f"Action {text}", owner=text),
                        CaseFollowUp(case_id=worked.id, author_id=client.id, outcome="resolved", helpfulness=2,
                                     actions_done=text, comment=text)])
    db.session.add(JoinRequest(network_id=network.id, status="pending", email=f"candidat{network.id}@example.test",
                               first_name=text, last_name="Candidat", phone="0102030405", job_title=text,
                               territory_id=territory.id, privacy_accepted_at=now))
    db.session.commit()
    evaluation_services.create_default_grid(network, actor=None)
    rubric = evaluation_services.add_rubric(network, title=f"Rubrique {text}", short_title=text[:40], actor=facilitator)
    evaluation_services.add_activity(rubric, network, label=f"Activité {text}", actor=facilitator)
    db.session.commit()
    return facilitator, client, make_rsvp_token(_invitation_of(future, client))


def _invitation_of(meeting, member) -> Invitation:
    return db.session.scalars(select(Invitation).where(Invitation.meeting_id == meeting.id,
                                                       Invitation.member_id == member.id)).one()


def build_world() -> World:
    own = factories.create_network(name=f"Réseau {STORED}")
    foreign = factories.create_network()
    facilitator, coordinator, own_rsvp = _network_content(own, hostile=True)
    _foreign_facilitator, foreign_coordinator, foreign_rsvp = _network_content(foreign, hostile=False)
    admin = factories.create_member(None, role="admin")
    world = World(admin=admin, facilitator=facilitator, coordinator=coordinator, own=own, foreign=foreign)
    world.strings = {
        "slug": [own.slug, foreign.slug],
        "token": [coordinator.calendar_token, foreign_coordinator.calendar_token, own_rsvp, foreign_rsvp,
                  make_password_token(coordinator, PASSWORD_SETUP), make_password_token(coordinator, PASSWORD_RESET)],
    }
    return world


# --- what a page offers: its forms and its links ----------------------------------------------------------------

@dataclass
class Control:
    name: str
    kind: str  # input type, "select", "textarea", "multiple"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class PageForm:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)


class PageParser(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base, self.forms, self.links = base, [], []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])
        elif tag == "form":
            action = attrs.get("action") or self.base
            self._form = PageForm(action=action if action.startswith("/") else self.base,
                                  method=attrs.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select.value = attrs.get("value", "")
        elif self._form is None or not attrs.get("name"):
            return
        elif tag in ("input", "button"):
            kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
            self._form.controls.append(Control(attrs["name"], kind, attrs.get("value", ""), checked="checked" in attrs))
        elif tag == "select":
            self._select = Control(attrs["name"], "multiple" if "multiple" in attrs else "select")
            self._form.controls.append(self._select)
        elif tag == "textarea":
            self._textarea = Control(attrs["name"], "textarea")
            self._form.controls.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:  # as a browser: the newline right after <textarea> is not content
            self._textarea.value += data.removeprefix("\n") if not self._textarea.value else data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(response, base: str) -> PageParser:
    parser = PageParser(base)
    if response.mimetype == "text/html":
        parser.feed(response.get_data(as_text=True))
    return parser


# --- the walker ---------------------------------------------------------------------------------------------------

CSV_FILES = [
    "nom;prénom;e-mail\nDurand;Léa;lea.durand@example.test\n".encode("utf-16"),
    "\ufeffnom;prénom;e-mail\n=1+1;Léa;léa@example.test\n".encode("utf-8"),
    bytes(range(256)) * 8,
    b'nom;pr\xe9nom;e-mail\n"' + b"x" * (130 * 1024) + b'";a;b@example.test\n',
    b'nom;prenom;e-mail\n"Durand;"L\xe9a"x;a@example.test\n"',
    b"",
]


class Walker:
    def __init__(self, app, client, world: World, role: str, rng: random.Random):
        self.app, self.client, self.world, self.role, self.rng = app, client, world, role, rng
        self.failures: list[str] = []
        self.forms_by_endpoint: dict[str, list[PageForm]] = {}
        self.adapter = app.url_map.bind("localhost")
        self.ids = self._ids_by_model()
        self.foreign_ids = [str(i) for ids in self.ids.values() for i in ids[-2:]]
        self.requests = 0
        self.statuses: Counter = Counter()  # (method, status) → count: how deep the walk went
        self.endpoints: set[str] = set()  # every endpoint a request reached

    # ids of every table with an integer primary key, smallest (own network, built first) to largest (foreign)
    def _ids_by_model(self) -> dict[str, list[int]]:
        ids, self.models = {}, {}
        for mapper in db.Model.registry.mappers:
            model = mapper.class_
            keys = sql_inspect(model).primary_key
            if len(keys) == 1 and keys[0].type.python_type is int:
                ids[_snake(model.__name__)] = sorted(db.session.scalars(select(keys[0])).all())
                self.models[_snake(model.__name__)] = model
        return ids

    def _model_name(self, argument: str) -> str | None:
        """meeting_id → meeting (Meeting), item_id → agenda_item (AgendaItem), vote_id → topic_vote."""
        name = argument.removesuffix("_id")
        matches = [model for model in self.ids if model == name] or [m for m in self.ids if m.endswith("_" + name)]
        return matches[0] if matches and self.ids[matches[0]] else None

    def _ids_for(self, argument: str) -> list[int]:
        if model := self._model_name(argument):
            return self.ids[model]
        return sorted({i for ids in self.ids.values() for i in ids})  # an unknown name: any row's id

    def _related(self, combo: dict[str, str], index: int) -> dict[str, str]:
        """A later id argument takes a row that belongs to an earlier one (/rencontres/<meeting_id>/ordre-du-jour/
        <item_id>: an item of that meeting), when its model has a column named after the earlier argument."""
        for argument in list(combo):
            model = self.models.get(self._model_name(argument) or "")
            for earlier in [a for a in combo if a != argument and a.endswith("_id")]:
                if model is not None and combo[earlier].isdigit() and hasattr(model, earlier):
                    ids = db.session.scalars(select(model.id).where(getattr(model, earlier) == int(combo[earlier]))
                                             .order_by(model.id)).all()
                    if ids:
                        combo[argument] = str(ids[index % len(ids)])
        return combo

    # values for each argument of a rule
    def _candidates(self, rule, argument: str) -> tuple[list[str], list[str]]:
        """(real values, hostile values) for one URL argument."""
        converter = rule._converters[argument]
        kind = type(converter).__name__
        if kind == "AnyConverter":
            return sorted(converter.items), ["autre", "\x00"]
        if kind in ("IntegerConverter", "BoundedIntConverter", "NumberConverter"):
            ids = self._ids_for(argument)
            real = [str(i) for i in {ids[0], ids[len(ids) // 2], ids[-1]}] if ids else ["1"]
            return sorted(real), HUGE_INTS
        if kind == "PathConverter":
            return ["css/app.css"], ["../../etc/passwd", "\x00"]
        known = self.world.strings.get(argument) or self.world.strings.get(argument.split("_")[-1]) or []
        return known or ["valeur"], PATH_STRINGS

    def urls_for(self, rule) -> list[str]:
        arguments = re.findall(r"<(?:[^<>:]+:)?([^<>()]+?)(?:\([^<>]*\))?>", rule.rule)  # in path order
        if not arguments:
            return [rule.rule]
        options = {argument: self._candidates(rule, argument) for argument in arguments}
        combos = []
        for index in range(max(len(real) for real, _ in options.values())):  # each real value at least once
            combos.append(self._related({a: real[min(index, len(real) - 1)] for a, (real, _) in options.items()},
                                        index))
        for argument in arguments:  # each argument hostile once, the others real
            combos.append({a: (self.rng.choice(hostile) if a == argument else self.rng.choice(real))
                           for a, (real, hostile) in options.items()})
        return list(dict.fromkeys(_fill(rule.rule, combo) for combo in combos))

    # requests
    def request(self, method: str, url: str, **kwargs):
        self.requests += 1
        try:
            response = getattr(self.client, method)(url, **kwargs)
        except Exception as error:  # TESTING propagates exceptions: each one is a 500 in production
            self.failures.append(f"{self.role} {method.upper()} {url[:200]} → {type(error).__name__}: "
                                 f"{str(error)[:200]}")
            db.session.rollback()
            return None
        self.statuses[method.upper(), response.status_code] += 1
        self.endpoints.add(self._endpoint_of(url, method))
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method.upper()} {url[:200]} → {response.status_code}")
        return response

    def get(self, url: str):
        response = self.request("get", url)
        if response is not None and response.status_code == 200:
            page = parse_page(response, urlsplit(url).path)
            for form in page.forms:
                if form.method == "post":
                    self.forms_by_endpoint.setdefault(self._endpoint(form.action), []).append(form)
        return response

    def _endpoint_of(self, url, method):
        try:
            return self.adapter.match(urlsplit(url).path, method=method.upper())[0]
        except Exception:
            return None

    def _endpoint(self, path: str) -> str | None:
        try:
            return self.adapter.match(urlsplit(path).path, method="POST")[0]
        except Exception:
            return None

    # values
    def _hostile(self, control: Control) -> object:
        if control.kind == "file":
            return (io.BytesIO(self.rng.choice(CSV_FILES)), "membres.csv")
        value = self.rng.choice(VALUES)
        if value == "{foreign}":
            value = self.rng.choice(self.foreign_ids)
        if control.kind in ("multiple", "checkbox"):
            return [value, self.rng.choice(self.foreign_ids)]
        return value

    @staticmethod
    def _good(control: Control) -> object:
        if control.kind == "file":
            return (io.BytesIO(CSV_FILES[1]), "membres.csv")
        if control.kind in ("select", "multiple"):
            filled = [option for option in control.options if option]
            return control.value or (filled[0] if filled else "")
        if control.kind == "textarea":
            return control.value or "Texte\nsur deux lignes"
        if control.kind == "time" and not control.value:
            return "12:00" if re.search("end|fin", control.name) else "10:00"
        # as a browser: a one-line input drops the line breaks of its value (an old row may hold some)
        return re.sub("[\r\n]", "", control.value) or GOOD.get(control.kind, "Texte de test")

    def form_data(self, form: PageForm, hostile_share: float) -> dict:
        data: dict[str, object] = {}
        for control in form.controls:
            if control.name == "csrf_token":
                data[control.name] = control.value
                continue
            if control.kind in ("radio", "checkbox", "submit") and not control.checked and control.name in data:
                continue  # a group: the first (or the checked) value stands for it
            if self.rng.random() < hostile_share:
                data[control.name] = self._hostile(control)
            elif control.kind in ("radio", "checkbox", "submit") and control.name in data:
                data[control.name] = control.value
            else:
                data[control.name] = self._good(control)
        return data

    def post_form(self, url: str, form: PageForm) -> None:
        for variant in range(FORM_VARIANTS + 1):
            share = 0.0 if variant == 0 else (1.0 if variant == FORM_VARIANTS else 0.5)
            data = self.form_data(form, share)
            data.setdefault("csrf_token", self.client.csrf_token())
            self.request("post", url, data=data)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _fill(rule: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^<>:]+:)?([^<>()]+?)(?:\([^<>]*\))?>", lambda m: quote(values[m.group(1)], safe=""), rule)


def _sign_in(world: World, role: str, client) -> None:
    if role == "anonymous":
        return
    member = getattr(world, role)
    response = client.post("/connexion", data={"email": member.email, "password": factories.TEST_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def walk(app, make_client, role: str) -> Walker:
    world = build_world()
    client = make_client()
    client.raw.environ_base["REMOTE_ADDR"] = f"10.14.0.{ROLES.index(role) + 1}"  # own login throttle per role
    _sign_in(world, role, client)
    walker = Walker(app, client, world, role, random.Random(f"{SEED}-{role}"))
    rules = sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"), key=lambda r: r.rule)

    for rule in rules:  # every GET, then a hostile query string on each
        if "GET" in rule.methods:
            urls = walker.urls_for(rule)
            for url in urls:
                walker.get(url)
            query = {name: walker.rng.choice(QUERY_VALUES).replace("{foreign_slug}", world.foreign.slug)
                     for name in walker.rng.sample(QUERY_NAMES, 6)}
            walker.get(f"{urls[0]}?{urlencode(query)}")
            walker.get(f"{urls[0]}?reseau={world.own.slug}")

    for rule in rules:  # every POST: its own page's form, else a form seen posting to it, else the token alone
        if "POST" not in rule.methods:
            continue
        urls = walker.urls_for(rule)
        for url in [*urls[:3], f"{urls[0]}?reseau={world.own.slug}"]:  # ?reseau=: an admin's network scope
            if not _still_signed_in(walker):
                _sign_in(world, role, client)
            forms = []
            if "GET" in rule.methods:
                response = walker.get(url)
                if response is not None and response.status_code == 200:
                    forms = [form for form in parse_page(response, urlsplit(url).path).forms
                             if form.method == "post" and urlsplit(form.action).path == urlsplit(url).path]
            forms = forms or walker.forms_by_endpoint.get(rule.endpoint, [])[:2] or [PageForm(url, "post")]
            for form in forms[:2]:  # to the form's own action when it is this URL (it keeps its ?reseau=)
                same = urlsplit(form.action).path == urlsplit(url).path and urlsplit(form.action).query
                walker.post_form(form.action if same else url, form)
    return walker


def _still_signed_in(walker: Walker) -> bool:
    if walker.role == "anonymous":
        return True
    response = walker.client.get("/profil")
    return response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_5xx_to_hostile_input(app, make_client, smtp_server, role):
    walker = walk(app, make_client, role)
    mail = send_due(limit=100_000)  # every email the walk queued is built and accepted by a real SMTP server
    if os.environ.get("FUZZ_REPORT"):  # FUZZ_REPORT=1 pytest -s: how deep the walk went, per method and status
        print(f"\n{role}: {walker.requests} requests, {sorted(walker.statuses.items())}, {mail}")

    assert walker.failures == []
    assert sorted({rule.endpoint for rule in app.url_map.iter_rules()} - walker.endpoints - {"static"}) == []
    assert (mail.failed, len(smtp_server.received)) == (0, mail.sent)
    assert walker.statuses["GET", 200] > 20 and walker.statuses["POST", 302] > 50  # the walk got past the gates
