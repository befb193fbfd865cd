"""Form helpers shared by features: French messages for the common validators."""

from wtforms import Form, SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

REQUIRED = "Ce champ est obligatoire."


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


def add_form_error(form: Form, field_name: str, message: str) -> None:
    getattr(form, field_name).errors = [*getattr(form, field_name).errors, message]


def choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
