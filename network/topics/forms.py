from datetime import datetime, time
from zoneinfo import ZoneInfo

from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from wtforms import (
    BooleanField, DateField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
    TimeField,
)
from wtforms.validators import NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from network.formatting import french_date
from network.forms import input_required, max_length, optional, required
from network.topics.enums import DEFAULT_MAX_PER_TOPIC

PARIS = ZoneInfo("Europe/Paris")


def _links_check(form, field):
    for line in (field.data or "").splitlines():
        if line.strip() and not line.strip().startswith(("http://", "https://")):
            raise ValidationError(f"« {line.strip()[:60]} » n'est pas une adresse web (http:// ou https://).")


class TopicForm(FlaskForm):
    title = StringField("Titre du thème", validators=[required(), max_length(200)],
                        description="Par exemple : « Le schéma départemental des services aux familles ».")
    description = TextAreaField("En quelques lignes", validators=[optional(), max_length(2000)],
                                description="Ce que vous aimeriez apprendre ou partager, et pourquoi maintenant.")
    links = TextAreaField("Liens utiles", validators=[optional(), max_length(2000), _links_check],
                          description="Facultatif : une adresse web par ligne.")


class MergeForm(FlaskForm):
    into_id = SelectField("Doublon de", coerce=int, validators=[required()])

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.into_id.choices = [(topic.id, topic.title) for topic in targets]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VoteRoundForm(FlaskForm):
    # Choices are display only: the view checks the meeting's network (403), the service the topics'.
    meeting_id = SelectField("Rencontre où le vote a lieu", coerce=int, validators=[required()], validate_choice=False,
                             description="Le thème retenu sera celui de la rencontre trimestrielle suivante.")
    topic_ids = MultiCheckboxField("Thèmes candidats", coerce=int, validate_choice=False,
                                   description="Au moins deux thèmes, choisis parmi les propositions.")
    closes_on = DateField("Clôture le", validators=[input_required()],
                          description="Proposé : la veille de la rencontre, à 18 h (ou sa fin si elle a lieu aujourd'hui).")
    closes_time = TimeField("à", default=time(18, 0), validators=[input_required()])
    points_per_voter = IntegerField("Points par votant", validators=[optional(), NumberRange(
        min=1, max=50, message="Entre 1 et 50 points.")],
        description="Laissez vide : ⌈nombre de thèmes ÷ 3⌉.")
    max_per_topic = IntegerField("Points au maximum sur un même thème", default=DEFAULT_MAX_PER_TOPIC,
                                 validators=[input_required(), NumberRange(min=1, max=10, message="Entre 1 et 10.")])
    hide_results = BooleanField("Masquer les résultats jusqu'à la clôture")

    def __init__(self, *args, meetings=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_id.choices = [(meeting.id, f"{meeting.title} — {french_date(meeting.starts_at)}")
                                   for meeting in meetings]
        self.topic_ids.choices = [(topic.id, topic.title) for topic in topics]

    def validate_meeting_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Choisissez une rencontre de la liste : une rencontre trimestrielle à venir.")

    def validate_topic_ids(self, field):
        if len(field.data or []) < 2:
            raise ValidationError("Choisissez au moins deux thèmes candidats.")

    @property
    def closes_at(self) -> datetime:
        """The deadline typed in Europe/Paris time, as an aware datetime."""
        return datetime.combine(self.closes_on.data, self.closes_time.data, tzinfo=PARIS)


class BallotForm(FlaskForm):
    """One radio group per candidate (0 … max points); built for a round by ballot_form()."""

    candidate_ids: tuple[int, ...] = ()

    def allocation(self) -> dict[int, int]:
        return {topic_id: self[f"topic_{topic_id}"].data or 0 for topic_id in self.candidate_ids}

    def topic_field(self, topic_id: int):
        return self[f"topic_{topic_id}"]


def ballot_form(candidate_ids, max_per_topic: int, current: dict[int, int], **kwargs) -> BallotForm:
    class RoundBallotForm(BallotForm):
        """One points field per candidate of this round, added below."""

    RoundBallotForm.candidate_ids = tuple(candidate_ids)
    choices = [(value, str(value)) for value in range(max_per_topic + 1)]
    for topic_id in candidate_ids:
        setattr(RoundBallotForm, f"topic_{topic_id}",
                RadioField("Points", coerce=int, default=current.get(topic_id, 0), validators=[optional()]))
    form = RoundBallotForm(**kwargs)
    for topic_id in candidate_ids:  # choices set on the instance, as WTForms 3.3 wants for plain tuples
        form.topic_field(topic_id).choices = list(choices)
    return form


class ConfirmForm(FlaskForm):
    topic_id = RadioField("Thème retenu", coerce=int, validators=[input_required()])

    def __init__(self, *args, leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topic_id.choices = [(topic.id, topic.title) for topic in leaders]
        if len(self.topic_id.choices) == 1 and self.topic_id.data is None:
            self.topic_id.data = self.topic_id.choices[0][0]
