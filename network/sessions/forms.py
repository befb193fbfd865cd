"""Forms of the meeting pages. Paris wall-clock times become UTC instants here, with a
French error for a time that does not exist on a clock-change day."""

from datetime import datetime

from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from wtforms import (
    BooleanField, DateField, EmailField, FieldList, FormField, IntegerField, RadioField, SelectField, StringField,
    TextAreaField, TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, ValidationError

from network.calendar import paris_to_utc
from network.errors import DomainError
from network.forms import email_address, input_required, max_length, optional, required
from network.members.enums import InstitutionKind
from network.sessions.enums import AgendaItemKind, AttendanceStatus, MeetingKind

DATE_MESSAGE = "Date invalide (jj/mm/aaaa)."
TIME_MESSAGE = "Heure invalide (hh:mm)."


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class FrenchDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_MESSAGE) from None


class FrenchTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(TIME_MESSAGE) from None


class FrenchIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Nombre entier attendu.") from None


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices; None becomes the empty option."""
    return [SelectChoice("" if value is None else value, label) for value, label in pairs]


def _to_utc(form, day_field, time_field) -> datetime | None:
    """The UTC instant of a date + time pair, or None with the error put on the time field."""
    day, clock = day_field.data, time_field.data
    if day is None or clock is None:
        return None
    try:
        return paris_to_utc(day, clock)
    except DomainError as error:
        time_field.errors = [*time_field.errors, str(error)]
        return None


class _DateTimeRange:
    """Mixin: `day`, `start` and `end` fields → `starts_at`, `ends_at` (UTC), validated."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def validate_range(self) -> bool:
        self.starts_at = _to_utc(self, self.day, self.start)
        self.ends_at = _to_utc(self, self.day, self.end)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            self.end.errors = [*self.end.errors, "L'heure de fin doit être postérieure à l'heure de début."]
        return not (self.day.errors or self.start.errors or self.end.errors)


class VenueForm(FlaskForm):
    name = StringField("Nom du lieu", validators=[required(), max_length(200)],
                       description="Par exemple « Caf du Pas-de-Calais — site d'Arras ».")
    host_kind = SelectField("Accueilli par", choices=options((kind.value, kind.label) for kind in InstitutionKind),
                            validators=[required()])
    street = StringField("Adresse", validators=[required(), max_length(200)])
    postal_code = StringField("Code postal", validators=[required(), max_length(10)])
    city = StringField("Commune", validators=[required(), max_length(100)])
    access_notes = TextAreaField("Accès, stationnement, salle", validators=[optional(), max_length(2000)])
    is_active = BooleanField("Lieu proposé pour les prochaines rencontres", default=True)

    def validate_postal_code(self, field):
        if not field.data.strip().isdigit() or len(field.data.strip()) != 5:
            raise ValidationError("Code postal invalide (5 chiffres).")


class _MeetingChoices(FlaskForm):
    venue_id = SelectField("Lieu", coerce=_int_or_none, validators=[optional()])
    caf_facilitator_id = SelectField("Co-animation Caf", coerce=_int_or_none, validators=[optional()])
    msa_facilitator_id = SelectField("Co-animation MSA", coerce=_int_or_none, validators=[optional()])

    def set_choices(self, venues, facilitators):
        self.venue_id.choices = options([(None, "— À définir —")] + [(v.id, f"{v.name} ({v.city})") for v in venues])
        def people(kind):
            return options([(None, "— À définir —")] + [
                (m.id, m.full_name) for m in facilitators if m.institution is None or m.institution.kind == kind])
        self.caf_facilitator_id.choices = people(InstitutionKind.CAF)
        self.msa_facilitator_id.choices = people(InstitutionKind.MSA)


class MeetingForm(_DateTimeRange, _MeetingChoices):
    kind = SelectField("Type", choices=options((kind.value, kind.label) for kind in MeetingKind), validators=[required()])
    title = StringField("Intitulé", validators=[required(), max_length(200)])
    description = TextAreaField("Présentation", validators=[optional(), max_length(5000)])
    day = FrenchDateField("Date", validators=[input_required()], format="%Y-%m-%d")
    start = FrenchTimeField("Début", validators=[input_required()])
    end = FrenchTimeField("Fin", validators=[input_required()])
    trainer = StringField("Formateur ou formatrice", validators=[optional(), max_length(200)],
                          description="Formations mutualisées seulement.")
    capacity = FrenchIntegerField("Nombre de places", validators=[optional(), NumberRange(min=1, max=500,
                            message="Entre 1 et 500 places.")], description="Formations : vide = sans limite.")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.validate_range() and valid


class SlotForm(_DateTimeRange, FlaskForm):
    class Meta:
        csrf = False

    day = FrenchDateField("Date", validators=[input_required()], format="%Y-%m-%d")
    start = FrenchTimeField("Début", validators=[input_required()])
    end = FrenchTimeField("Fin", validators=[input_required()])
    venue_id = SelectField("Lieu", coerce=_int_or_none, validators=[optional()])


class PlanYearForm(_MeetingChoices):
    slots = FieldList(FormField(SlotForm), min_entries=0, max_entries=4)  # one per quarter not planned yet

    def set_choices(self, venues, facilitators):
        super().set_choices(venues, facilitators)
        for slot in self.slots:
            slot.form.venue_id.choices = self.venue_id.choices

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        ranges = [slot.form.validate_range() for slot in self.slots]
        return valid and all(ranges)


class AgendaItemForm(FlaskForm):
    kind = SelectField("Type de point", choices=options((kind.value, kind.label) for kind in AgendaItemKind),
                       validators=[required()])
    title = StringField("Intitulé", validators=[required(), max_length(200)])
    start = FrenchTimeField("Début", validators=[optional()])
    end = FrenchTimeField("Fin", validators=[optional()])
    speaker = StringField("Intervenant·e", validators=[optional(), max_length(200)])
    details = TextAreaField("Ressources et liens (un par ligne)", validators=[optional(), max_length(5000)])

    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def validate_on(self, day) -> bool:
        """Validate, then place the times on the meeting's (Paris) day."""
        valid = self.validate_on_submit()
        if not valid:
            return False
        try:
            self.starts_at = paris_to_utc(day, self.start.data) if self.start.data else None
            self.ends_at = paris_to_utc(day, self.end.data) if self.end.data else None
        except DomainError as error:
            self.start.errors = [*self.start.errors, str(error)]
            return False
        return True

    def validate_end(self, field):
        if field.data and self.start.data and field.data <= self.start.data:
            raise ValidationError("L'heure de fin doit être postérieure à l'heure de début.")


class RsvpForm(FlaskForm):
    answer = RadioField("Votre réponse", choices=options([("yes", "Je serai présent·e"), ("no", "Je ne viendrai pas"),
                                                         ("excused", "Je suis excusé·e")]),
                        validators=[required()])
    comment = TextAreaField("Commentaire (facultatif)", validators=[optional(), max_length(500)])


class GuestForm(FlaskForm):
    name = StringField("Prénom et nom", validators=[required(), max_length(200)])
    job = StringField("Fonction (facultatif)", validators=[optional(), max_length(200)])
    email = EmailField("Adresse e-mail", validators=[required(), email_address(), max_length(320)])


class WalkInForm(FlaskForm):
    name = StringField("Nom et prénom", validators=[required(), max_length(200)])
    organisation = StringField("Structure", validators=[optional(), max_length(200)])


class AttendanceForm(FlaskForm):
    status = SelectField("Présence", choices=options((status.value, status.label) for status in AttendanceStatus),
                         validators=[required()])
