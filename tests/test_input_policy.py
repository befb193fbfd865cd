"""The input policy (issue 14 §3): every form derives from network.forms.Form and every text field is cleaned and
bounded; ids are bounded integers; query parameters are validated; stored text of any kind renders."""

import csv
import importlib
import io
import pkgutil
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_wtf import FlaskForm
from icalendar import Calendar
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict
from werkzeug.routing.converters import NumberConverter, UnicodeConverter
from wtforms import (
    DateField, FieldList, FormField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import network
from network.evaluation import services as evaluation_services
from network.evaluation.models import GridRubric, SelfEfficacyResponse
from network.extensions import db
from network.forms import DEFAULT_MAX_LINE, DEFAULT_MAX_TEXT, Form, is_text_field
from network.text import DB_INT_MAX, clean_text
from network.topics.models import Ballot, BallotPoint, Topic
from tests.sessions.factories import create_meeting
from tests.topics.factories import create_topic, create_vote


# --- every form, every field ------------------------------------------------------------------------------------

def _all_form_classes() -> list[type]:
    for module in pkgutil.walk_packages(network.__path__, "network."):
        importlib.import_module(module.name)
    found, pending = [], [FlaskForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in found:
                found.append(subclass)
                pending.append(subclass)
    return [cls for cls in found if cls.__module__.startswith("network.") and cls is not Form]


def _bound_fields(form_class, prefix=""):
    """(name, field) of a form class, bound by its own Meta exactly as WTForms does when the form is built."""
    meta = type("Meta", tuple(k.__dict__["Meta"] for k in form_class.__mro__ if "Meta" in k.__dict__), {})()
    stub = SimpleNamespace(meta=meta)
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        field = meta.bind_field(stub, unbound, {"name": name, "prefix": prefix})
        if isinstance(field, FormField):
            yield from _bound_fields(field.form_class, f"{prefix}{name}-")
        elif isinstance(field, FieldList):
            inner = field.unbound_field
            if issubclass(inner.field_class, FormField):
                yield from _bound_fields(inner.args[0] if inner.args else inner.kwargs["form_class"], f"{name}-0-")
            else:  # a bare field in a list escapes bind_field: forbid it rather than leave a hole
                yield f"{prefix}{name}", inner
        else:
            yield f"{prefix}{name}", field


def test_every_form_derives_from_the_policy_form():
    escaped = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in _all_form_classes()
                     if not issubclass(cls, Form))

    assert escaped == []
    assert len(_all_form_classes()) >= 40  # the application's forms were all found


def test_every_text_field_is_cleaned_bounded_and_one_line_unless_a_textarea():
    problems, checked = [], 0
    for form_class in _all_form_classes():
        for name, field in _bound_fields(form_class):
            where = f"{form_class.__qualname__}.{name}"
            if isinstance(field, UnboundField):
                problems.append(f"{where}: a field directly in a FieldList escapes the policy")
                continue
            if not is_text_field(field):
                continue
            checked += 1
            limits = [v.max for v in field.validators if isinstance(v, Length) and v.max is not None and v.max >= 0]
            one_line = any(getattr(v, "__name__", "") == "_single_line" for v in field.validators)
            if field.filters[:1] != (clean_text,) or not limits or one_line == isinstance(field, TextAreaField):
                problems.append(where)

    assert problems == []
    assert checked >= 70  # the application's text fields were all inspected


class SampleForm(Form):
    class Meta:
        csrf = False

    name = StringField("Nom")
    notes = TextAreaField("Notes")
    member_id = SelectField("Membre", coerce=int, choices=[SelectChoice(1, "Un")], validate_choice=False)
    count = IntegerField("Nombre")
    day = DateField("Date")


def _sample(app, **values) -> SampleForm:
    with app.test_request_context():
        form = SampleForm(MultiDict({"name": "Nom", "notes": "", "member_id": "1", "count": "1", "day": "2027-01-02",
                                     **values}))
        form.validate()
    return form


def test_control_characters_are_removed_and_line_breaks_normalised(app):
    form = _sample(app, name="Ré\x00seau\x1b du\x7f Tarn\t62", notes="Ligne un\r\nLigne\x0bdeux\x00")

    assert (form.name.data, form.notes.data, form.errors) == ("Réseau du Tarn\t62", "Ligne un\nLigne\ndeux", {})


def test_single_line_field_refuses_a_line_break(app):
    form = _sample(app, name="Deux\r\nlignes")

    assert form.errors == {"name": ["Une seule ligne : retirez les retours à la ligne."]}


def test_text_fields_without_a_maximum_get_the_default_one(app):
    form = _sample(app, name="x" * (DEFAULT_MAX_LINE + 1), notes="y" * (DEFAULT_MAX_TEXT + 1))

    assert form.errors == {"name": [f"{DEFAULT_MAX_LINE} caractères au maximum."],
                           "notes": [f"{DEFAULT_MAX_TEXT} caractères au maximum."]}
    assert (form.name.flags.maxlength, form.notes.flags.maxlength) == (DEFAULT_MAX_LINE, DEFAULT_MAX_TEXT)


@pytest.mark.parametrize("value", ["99999999999999999999", "2147483648", "-2147483649", "1" * 5000])
def test_ids_and_numbers_beyond_the_database_range_are_refused(app, value):
    form = _sample(app, member_id=value, count=value)

    assert form.errors["member_id"] == ["Choix invalide."]
    assert form.errors["count"] in (["Nombre hors limites."], ["Nombre entier attendu."])


@pytest.mark.parametrize("value", ["0001-01-01", "2200-01-01"])
def test_implausible_dates_are_refused(app, value):
    assert _sample(app, day=value).errors == {"day": ["Date hors limites (entre 1900 et 2199)."]}


def test_every_module_writing_a_spreadsheet_goes_through_spreadsheet_cell():
    writers = [path for path in Path(network.__file__).parent.rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\(|Workbook\(", path.read_text())]
    unprotected = sorted(str(path.relative_to(Path(network.__file__).parent)) for path in writers
                         if not re.search(r"\b(spreadsheet_cell|spreadsheet_row|neutralise)\(", path.read_text()))

    assert len(writers) >= 4 and unprotected == []


# --- through the real pages ---------------------------------------------------------------------------------------

def test_grid_rubric_typed_with_control_characters_is_stored_clean(client, login, network, facilitator):
    login(facilitator)

    response = client.post("/evaluation/grille/rubriques", data={"title": "Rubrique\x00 un\x01", "short_title": "Un"})

    assert response.status_code == 302
    assert db.session.scalars(db.select(GridRubric.title)).all() == ["Rubrique un"]


def test_topic_title_with_a_line_break_is_refused_in_french(client, login, network, coordinator):
    login(coordinator)

    response = client.post("/themes/proposer", data={"title": "Deux\nlignes", "description": "", "links": ""})

    assert response.status_code == 200
    assert "Une seule ligne : retirez les retours à la ligne." in response.get_data(as_text=True)
    assert db.session.scalars(db.select(Topic)).all() == []


def test_every_integer_url_argument_is_bounded_and_every_text_one_printable(app):
    loose = sorted(f"{rule.rule} {name}" for rule in app.url_map.iter_rules()
                   for name, converter in rule._converters.items()
                   if (isinstance(converter, NumberConverter) and (converter.max is None or converter.max > DB_INT_MAX))
                   or (type(converter) is UnicodeConverter))

    assert loose == []


@pytest.mark.parametrize("url", ["/rencontres/99999999999999999999", "/rencontres/2147483648",
                                 "/codev/cas/18446744073709551616", "/themes/votes/99999999999999999999",
                                 "/rencontres/agenda/a%00b.ics", "/reseaux/a%01b/parametres"])
def test_ids_beyond_the_database_range_and_control_characters_in_urls_answer_404(client, login, admin, url):
    login(admin)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("url", "status"), [
    ("/rencontres/?annee=99999999", 400), ("/rencontres/?annee=-5", 400), ("/rencontres/assiduite?annee=100000", 400),
    ("/rencontres/planifier?annee=1", 400), ("/rencontres/?annee=2027", 200), ("/rencontres/?annee=abc", 200),
    ("/codev/?page=99999999999999999999", 200), ("/codev/?page=-3", 200), ("/membres?q=%00", 400),
])
def test_out_of_range_query_parameters_answer_400_or_are_clamped(client, login, network, facilitator, url, status):
    login(facilitator)

    assert client.get(url).status_code == status


def test_audit_log_with_huge_page_and_network_is_clamped(client, login, admin):
    login(admin)

    response = client.get("/donnees/journal?page=9999999999999999999&reseau=99999999999999999999")

    assert response.status_code == 200


def _stored_controls() -> str:
    """What an old row may hold: PostgreSQL never stored a NUL, SQLite did."""
    return "\x00\x01" if db.engine.dialect.name == "sqlite" else "\x01\x1b"


def test_grid_rubric_with_control_characters_in_an_old_row_still_exports_and_reports(client, login, network,
                                                                                      facilitator):
    evaluation_services.add_rubric(network, title=f"Rubrique{_stored_controls()} un", short_title="=Un",
                                   actor=facilitator)
    db.session.commit()
    login(facilitator)

    xlsx, pdf, page = (client.get(url) for url in ("/evaluation/export.xlsx", "/evaluation/rapport.pdf",
                                                   "/evaluation/rapport"))

    assert (xlsx.status_code, pdf.status_code, page.status_code) == (200, 200, 200)
    grid = load_workbook(io.BytesIO(xlsx.data))["Grille"]
    assert [row[0] for row in grid.iter_rows(values_only=True)] == ["Rubrique", "Rubrique un"]
    assert pdf.data.startswith(b"%PDF-")


def test_meeting_title_with_a_line_break_still_downloads_as_ics(client, login, network, facilitator):
    meeting = create_meeting(network, title=f"Rencontre\r\ndu Tarn{_stored_controls()}")
    login(facilitator)

    response = client.get(f"/rencontres/{meeting.id}/rencontre.ics")

    assert response.status_code == 200
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Rencontre du Tarn"


def test_blank_self_efficacy_answer_is_a_missing_item(client, login, network, coordinator):
    login(coordinator)
    answers = {f"item_{n}": "3" for n in range(1, 11)} | {"item_2": " ", "item_5": ""}

    asked = client.post("/evaluation/efficacite", data=answers)  # a skipped item is asked about first (issue #15)
    response = client.post("/evaluation/efficacite", data=answers | {"skip": "2,5"})

    assert (asked.status_code, "Vous n&#39;avez pas répondu aux questions 2 et 5." in asked.text) == (200, True)
    assert response.status_code == 302
    (stored,) = db.session.scalars(db.select(SelfEfficacyResponse)).all()
    assert [getattr(stored, f"item_{n}") for n in range(1, 11)] == [3, None, 3, 3, None, 3, 3, 3, 3, 3]


def test_personal_data_zip_neutralises_formulas_written_by_other_members(client, login, network, coordinator):
    meeting = create_meeting(network)
    other = create_topic(network, title='=HYPERLINK("http://evil.test","clic")')
    vote = create_vote(meeting, [other, create_topic(network, title="Thème sage")])
    ballot = Ballot(vote_id=vote.id, member_id=coordinator.id)
    ballot.points = [BallotPoint(topic_id=other.id, points=1)]
    db.session.add(ballot)
    db.session.commit()
    login(coordinator)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/donnees/mes-donnees.zip").data))

    rows = list(csv.reader(io.StringIO(archive.read("votes.csv").decode("utf-8-sig")), delimiter=";"))
    assert rows == [["tour_de_vote", "theme", "points"], [str(vote.id), '\'=HYPERLINK("http://evil.test","clic")', "1"]]
