from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from wtforms import DateField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from network.codev.enums import HELPFULNESS_LABELS, CaseType, Outcome, Theme
from network.formatting import french_datetime
from network.forms import max_length, optional, required

LONG_TEXT = 20_000


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


def _meeting_label(meeting) -> str:
    return f"{meeting.title} — {french_datetime(meeting.starts_at, 'd MMMM y')}"


def _one_of(values, message):
    def check(form, field):
        if field.data not in values:
            raise ValidationError(message)
    return check


class CaseSheetForm(FlaskForm):
    title = StringField("Titre du cas", validators=[required(), max_length(200)],
                        description="Visible des co-animateurs : restez général, sans nom de personne ni de commune.")
    case_type = RadioField("Type", choices=[SelectChoice(kind.value, kind.label) for kind in CaseType], validate_choice=False,
                           validators=[required(), _one_of(set(CaseType), "Choisissez un type de cas.")],
                           default=CaseType.PROBLEM.value)
    theme = SelectField("Thème", choices=[SelectChoice("", "— Choisir un thème —")] + [SelectChoice(t.value, t.label) for t in Theme],
                        validate_choice=False, validators=[required(), _one_of(set(Theme), "Choisissez un thème de la liste.")])
    context = TextAreaField("Contexte", validators=[optional(), max_length(LONG_TEXT)],
                            description="La situation, les acteurs, ce que vous avez déjà tenté. Confidentiel.")
    question = TextAreaField("Question posée au groupe", validators=[optional(), max_length(2000)],
                             description="Une question ouverte, qui vous concerne : « Comment puis-je… ? »")
    help_wanted = TextAreaField("Aide souhaitée", validators=[optional(), max_length(2000)],
                                description="Des idées, des retours d'expérience, un regard extérieur, des contacts…")


class MeetingChoiceForm(FlaskForm):
    meeting_id = SelectField("Rencontre", coerce=_int_or_none, validate_choice=False, validators=[optional()])

    def __init__(self, *args, meetings=(), empty_label="— Prochaine rencontre, date à fixer —", **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_id.choices = [SelectChoice("", empty_label)] + [SelectChoice(str(m.id), _meeting_label(m))
                                                                      for m in meetings]


class SubgroupForm(FlaskForm):
    # Choices are the members who said yes, the client excepted; the service re-checks everything and reports
    # every problem at once (the animator missing included), with French messages.
    animator_id = SelectField("Animateur·rice du sous-groupe", coerce=_int_or_none, validate_choice=False,
                              validators=[optional()])
    consultant_ids = SelectMultipleField("Consultant·es", coerce=int, validate_choice=False)

    def __init__(self, *args, coming=(), client_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        offered = [member for member in coming if member.id != client_id]
        self.animator_id.choices = [SelectChoice("", "— Choisir —")] + [SelectChoice(str(m.id), m.full_name)
                                                                       for m in offered]
        self.consultant_ids.choices = [SelectChoice(str(m.id), m.full_name) for m in offered]


class SubgroupApprovalForm(FlaskForm):
    # The seats awaiting approval as the client read them (Subgroup.pending_token).
    composition = HiddenField(validators=[max_length(2000)])


class RecordForm(FlaskForm):
    exposition = TextAreaField("1. Exposé du client", validators=[optional(), max_length(LONG_TEXT)])
    clarifications = TextAreaField("2. Questions de clarification", validators=[optional(), max_length(LONG_TEXT)])
    contract = TextAreaField("3. Contrat : la demande reformulée", validators=[optional(), max_length(LONG_TEXT)])
    suggestions = TextAreaField("4. Suggestions des consultants", validators=[optional(), max_length(LONG_TEXT)],
                                description="Non attribuées : notez les idées, pas qui les a dites.")
    synthesis = TextAreaField("5. Synthèse", validators=[optional(), max_length(LONG_TEXT)],
                              description="Le plan d'action se complète ci-dessous, action par action.")
    client_learnings = TextAreaField("6. Apprentissages du client", validators=[optional(), max_length(LONG_TEXT)])
    group_learnings = TextAreaField("6. Apprentissages du groupe", validators=[optional(), max_length(LONG_TEXT)])


class ActionForm(FlaskForm):
    description = StringField("Action", validators=[required(), max_length(500)])
    owner = StringField("Qui", validators=[optional(), max_length(200)])
    due_on = DateField("Échéance", validators=[optional()])


def _helpfulness_in_range(form, field):
    if field.data not in HELPFULNESS_LABELS:
        raise ValidationError("Choisissez une note de 0 à 3.")


class FollowUpForm(FlaskForm):
    outcome = RadioField("Où en est la situation ?", choices=[SelectChoice(o.value, o.label) for o in Outcome],
                         validate_choice=False, validators=[_one_of(set(Outcome), "Indiquez où en est la situation.")])
    actions_done = TextAreaField("Actions menées", validators=[optional(), max_length(LONG_TEXT)])
    helpfulness = RadioField("L'atelier vous a-t-il aidé·e ?", coerce=_int_or_none,
                             choices=[SelectChoice(str(value), label) for value, label in HELPFULNESS_LABELS.items()], validate_choice=False,
                             validators=[_helpfulness_in_range])
    comment = TextAreaField("Commentaire", validators=[optional(), max_length(LONG_TEXT)])
    meeting_id = SelectField("Rencontre où vous l'avez partagé", coerce=_int_or_none, validate_choice=False,
                             validators=[optional()])

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_id.choices = [SelectChoice("", "— Aucune en particulier —")] + [
            SelectChoice(str(m.id), _meeting_label(m)) for m in meetings]

    def validate_meeting_id(self, field):
        if field.data is not None and str(field.data) not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez une rencontre de la liste.")
