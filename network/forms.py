"""Form helpers shared by features: the input policy every form inherits (`Form`), French messages for the common
validators, and bounded query parameters."""

from datetime import date, datetime

from flask import abort, request
from flask_wtf import FlaskForm
from wtforms import (
    DateField, DateTimeField, DecimalField, FloatField, Form as WTForm, IntegerField, RadioField, SelectChoice,
    SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, StopValidation, ValidationError

from network.text import DB_INT_MAX, DB_INT_MIN, FIRST_DATE, LAST_DATE, clean_text, has_line_break

REQUIRED = "Ce champ est obligatoire."
# A text field that names no maximum gets this one (a single line, a multi-line text).
DEFAULT_MAX_LINE, DEFAULT_MAX_TEXT = 1000, 20_000


def required():
    return DataRequired(message=REQUIRED)


def input_required():
    return InputRequired(message=REQUIRED)


def email_address():
    return Email(message="Adresse e-mail invalide.", check_deliverability=False)


def max_length(limit: int):
    return Length(max=limit, message=f"{limit} caractères au maximum.")


def optional():
    return Optional()


def add_form_error(form: WTForm, field_name: str, message: str) -> None:
    getattr(form, field_name).errors = [*getattr(form, field_name).errors, message]


def choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


# --- the input policy -------------------------------------------------------------------------------------------

def _single_line(form, field):
    if has_line_break(field.data):
        raise StopValidation("Une seule ligne : retirez les retours à la ligne.")


def _within_db_range(form, field):
    if isinstance(field.data, int) and not DB_INT_MIN <= field.data <= DB_INT_MAX:
        raise ValidationError("Nombre hors limites.")


def _plausible_date(form, field):
    value = field.data.date() if isinstance(field.data, datetime) else field.data
    if isinstance(value, date) and not FIRST_DATE <= value <= LAST_DATE:
        raise ValidationError(f"Date hors limites (entre {FIRST_DATE.year} et {LAST_DATE.year}).")


def _bounded(coerce):
    """A choice field's coerce whose integers must fit the database: an id beyond is an invalid choice."""
    def bounded(value):
        result = coerce(value)
        if isinstance(result, int) and not isinstance(result, bool) and not DB_INT_MIN <= result <= DB_INT_MAX:
            raise ValueError("out of range")
        return result
    bounded.policy_bounded = True
    return bounded


def is_text_field(field) -> bool:
    return isinstance(field, StringField)


def apply_input_policy(field) -> None:
    """Bind-time policy for one field (see network.text for why control characters are removed):
    text → cleaned, bounded, one line unless a textarea; integers and ids → within the database's range;
    dates → within FIRST_DATE–LAST_DATE; French messages for what cannot be parsed."""
    if is_text_field(field):
        field.filters = (clean_text, *field.filters)
        extra = [] if isinstance(field, TextAreaField) else [_single_line]
        if not any(isinstance(v, Length) and v.max is not None and v.max >= 0 for v in field.validators):
            limit = DEFAULT_MAX_TEXT if isinstance(field, TextAreaField) else DEFAULT_MAX_LINE
            extra.append(max_length(limit))
            field.flags.maxlength = limit
        field.validators = [*extra, *field.validators]  # first: a refused line break stops the chain
    elif isinstance(field, (IntegerField, DecimalField, FloatField)):
        field.validators = [*field.validators, _within_db_range]
        field.invalid_value_message = field.invalid_value_message or "Nombre entier attendu."
    elif isinstance(field, (DateField, DateTimeField)):
        field.validators = [*field.validators, _plausible_date]
    if isinstance(field, (SelectField, SelectMultipleField, RadioField)):
        field.coerce = _bounded(field.coerce)
        field.invalid_value_message = field.invalid_value_message or "Choix invalide."


class Form(FlaskForm):
    """Every form of the application derives from this one (tests/test_input_policy.py checks it)."""

    class Meta:
        # WTForms' own messages in French, its catalog loaded once per worker: Flask-WTF would read and parse the
        # catalog file again for every request that builds a form (~0.15 ms, a tenth of a light page).
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            apply_input_policy(field)
            return field


# --- query parameters -------------------------------------------------------------------------------------------

YEAR_RANGE = (2000, 2100)  # ?annee= beyond answers 400: no meeting is planned there, and date() ends at 9999
PAGE_RANGE = (1, 100_000)  # ?page= is clamped: an offset past the end shows an empty page


def query_year(default: int) -> int:
    return query_int("annee", default, minimum=YEAR_RANGE[0], maximum=YEAR_RANGE[1])


def query_page() -> int:
    return query_int("page", 1, minimum=PAGE_RANGE[0], maximum=PAGE_RANGE[1], clamp=True)


def query_int(name: str, default: int | None = None, *, minimum: int, maximum: int, clamp: bool = False) -> int | None:
    """?name= as an integer: missing or not a number → default; out of [minimum, maximum] → clamped, or 400."""
    raw = request.args.get(name, "")
    try:
        value = int(raw) if raw.strip() and len(raw) <= 20 else None
    except ValueError:
        value = None
    if value is None:
        return default
    if minimum <= value <= maximum:
        return value
    if clamp:
        return min(max(value, minimum), maximum)
    abort(400)
