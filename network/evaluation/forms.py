"""Evaluation forms: the period filter, the questionnaire, the self-assessment and the grid editor."""

from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from network.evaluation.enums import GRID_SCORE_CHOICES
from network.evaluation.scales import GSE_ANSWERS, GSE_ITEMS
from network.forms import max_length, required


class PeriodFilterForm(FlaskForm):
    """GET filter: year, quarter, territory (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    annee = SelectField("Année", coerce=int)
    trimestre = SelectField("Trimestre", choices=[
        SelectChoice(value, label) for value, label in (("", "Toute l'année"), ("1", "1er trimestre"),
                                                        ("2", "2e trimestre"), ("3", "3e trimestre"),
                                                        ("4", "4e trimestre"))], validators=[Optional()])
    territoire = SelectField("Territoire", validators=[Optional()])

    def __init__(self, *args, years: list[int], territories: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.annee.choices = [SelectChoice(year, str(year)) for year in years]
        self.territoire.choices = [SelectChoice("", "Tous les territoires")] + [
            SelectChoice(str(t.id), t.name) for t in territories]


class SelfEfficacyForm(FlaskForm):
    """The ten GSE items, one radio field each (item_1 … item_10), added below from GSE_ITEMS; `skip` carries the
    numbers of the questions the member chose to leave unanswered once asked (the « Enregistrer sans… » button)."""

    skip = StringField(validators=[Optional(), max_length(40)])

    def unconfirmed_skips(self) -> list[int]:
        """The unanswered questions the member has not yet confirmed skipping (empty: the answers can be saved)."""
        missing = [n for n, answer in enumerate(self_efficacy_answers(self), start=1) if answer is None]
        return [] if skip_key(missing) == (self.skip.data or "") else missing


def skip_key(numbers: list[int]) -> str:
    return ",".join(str(number) for number in numbers)


def missing_sentence(numbers: list[int]) -> str:
    """« Vous n'avez pas répondu à la question 10. » / « … aux questions 3 et 10. »"""
    if len(numbers) == 1:
        return f"Vous n'avez pas répondu à la question {numbers[0]}."
    listed = ", ".join(str(number) for number in numbers[:-1]) + f" et {numbers[-1]}"
    return f"Vous n'avez pas répondu aux questions {listed}."


for _number, _item in enumerate(GSE_ITEMS, start=1):
    setattr(SelfEfficacyForm, f"item_{_number}", RadioField(
        f"{_number}. {_item}", choices=[SelectChoice(str(value), label) for value, label in GSE_ANSWERS],
        validators=[Optional()]))


def self_efficacy_answers(form: SelfEfficacyForm) -> list[int | None]:
    return [int(getattr(form, f"item_{n}").data) if getattr(form, f"item_{n}").data in {"1", "2", "3", "4"} else None
            for n in range(1, len(GSE_ITEMS) + 1)]


def self_efficacy_data(response) -> dict[str, str]:
    """A stored questionnaire as the form's data, to correct it."""
    return {f"item_{n}": str(answer) for n, answer in enumerate(response.answers, start=1) if answer is not None}


def self_assessment_form(activities, formdata=None) -> FlaskForm:
    """One select per active activity (0–3 or NC), named activity_<id>."""

    class SelfAssessmentForm(FlaskForm):
        """Fields added below, one per activity of this network's grid."""

    for activity in activities:
        setattr(SelfAssessmentForm, f"activity_{activity.id}", SelectField(
            activity.label, choices=[SelectChoice(value, label) for value, label in [("", "— choisir —"), *GRID_SCORE_CHOICES]],
            validators=[InputRequired(message="Notez cette activité (0 à 3) ou choisissez NC.")]))
    return SelfAssessmentForm(formdata=formdata)


def self_assessment_scores(form, activities) -> dict[int, int | None]:
    values = {activity.id: getattr(form, f"activity_{activity.id}").data for activity in activities}
    return {activity_id: None if value == "NC" else int(value) for activity_id, value in values.items()}


class RubricForm(FlaskForm):
    title = StringField("Intitulé de la rubrique (mission)", validators=[required(), max_length(300)])
    short_title = StringField("Libellé court (radar)", validators=[required(), max_length(60)])
    is_active = BooleanField("Rubrique en usage", default=True)


class ActivityForm(FlaskForm):
    label = TextAreaField("Activité", validators=[required(), max_length(1000)])
    is_active = BooleanField("Activité en usage", default=True)


class BilanYearsForm(FlaskForm):
    """GET filter of the experiment's report: from one year to another (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    de = SelectField("De l'année", coerce=int)
    a = SelectField("À l'année", coerce=int)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.de.choices = self.a.choices = [SelectChoice(year, str(year)) for year in years]

    def validate_a(self, field):
        if self.de.data is not None and field.data is not None and field.data < self.de.data:
            raise ValidationError("L'année de fin doit suivre l'année de début (ou être la même).")


class PublishBilanForm(FlaskForm):
    """Freeze the report of closed years as a publication (POST, CSRF)."""

    de = HiddenField(validators=[InputRequired()])
    a = HiddenField(validators=[InputRequired()])
