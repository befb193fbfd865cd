import re

from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from network.forms import add_form_error, email_address, max_length, optional, required
from network.members.enums import InstitutionKind
from network.registration.services import JoinRequestData

PHONE_PATTERN = re.compile(r"^[0-9 +().\-]{6,30}$")
OTHER = "autre"


def _phone_check(form, field):
    if field.data and not PHONE_PATTERN.match(field.data.strip()):
        raise ValidationError("Numéro de téléphone invalide (chiffres, espaces, + . - acceptés).")


def _id_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class JoinForm(FlaskForm):
    first_name = StringField("Prénom", validators=[required(), max_length(100)])
    last_name = StringField("Nom", validators=[required(), max_length(100)])
    email = EmailField("Adresse e-mail professionnelle", validators=[required(), email_address(), max_length(320)],
                       description="Vous y recevrez un lien de confirmation, puis la réponse des co-animateurs.")
    phone = TelField("Téléphone professionnel", validators=[required(), max_length(30), _phone_check])
    job_title = StringField("Fonction", validators=[required(), max_length(200)],
                            description="Par exemple « Chargée de coopération CTG ».")
    institution = SelectField("Institution employeuse", validators=[required()])
    institution_name = StringField("Nom de votre employeur", validators=[optional(), max_length(200)],
                                   description="Seulement si votre employeur n'est pas dans la liste.")
    institution_kind = SelectField("Type d'employeur", validators=[optional()],
                                   choices=[SelectChoice("", "— Choisissez —")]
                                   + [SelectChoice(kind.value, kind.label) for kind in InstitutionKind])
    territory = SelectField("Territoire (EPCI)", validators=[optional()])
    is_associated_operator = BooleanField("Je suis opérateur associé : ma structure exerce la mission de coopération "
                                          "pour le compte d'une collectivité")
    privacy_accepted = BooleanField("J'ai lu la notice ci-dessus et j'accepte que ces informations soient "
                                    "transmises aux co-animateurs du réseau.",
                                    validators=[DataRequired(message="Vous devez accepter la notice pour "
                                                                             "envoyer votre demande.")])
    # Bot trap: hidden from people (CSS and aria-hidden); a filled value means a robot.
    website = StringField("Site web (laissez ce champ vide)")

    def __init__(self, *args, institutions=(), territories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.institution.choices = ([SelectChoice("", "— Choisissez —")]
                                    + [SelectChoice(str(i.id), i.name) for i in institutions]
                                    + [SelectChoice(OTHER, "Autre : mon employeur n'est pas dans la liste")])
        self.territory.choices = ([SelectChoice("", "— Choisissez —")]
                                  + [SelectChoice(str(t.id), t.name) for t in territories])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.institution.data == OTHER:
            if not (self.institution_name.data or "").strip():
                add_form_error(self, "institution_name", "Indiquez le nom de votre employeur.")
                valid = False
            if not self.institution_kind.data:
                add_form_error(self, "institution_kind", "Indiquez le type de votre employeur.")
                valid = False
        if not self.territory.data and not self.is_associated_operator.data:
            add_form_error(self, "territory", "Choisissez votre territoire, ou cochez « opérateur associé ».")
            valid = False
        return valid

    def to_data(self, email: str | None = None) -> JoinRequestData:
        typed = self.institution.data == OTHER
        return JoinRequestData(
            first_name=self.first_name.data, last_name=self.last_name.data, email=email or self.email.data,
            phone=self.phone.data, job_title=self.job_title.data,
            institution_id=None if typed else _id_or_none(self.institution.data),
            institution_name=self.institution_name.data if typed else None,
            institution_kind=self.institution_kind.data if typed else None,
            territory_id=_id_or_none(self.territory.data), is_associated_operator=self.is_associated_operator.data,
        )


class JoinRequestEditForm(JoinForm):
    """The facilitators correct a pending request before accepting it; the confirmed address stays as it is."""

    email = None
    privacy_accepted = None
    website = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution.choices[-1] = SelectChoice(OTHER, "Autre : un employeur absent de la liste")
        self.institution_name.label.text, self.institution_name.description = "Nom de l'employeur", (
            "Seulement s'il n'est pas dans la liste : il y sera ajouté à l'acceptation.")
        self.institution_kind.label.text = "Type d'employeur"
        self.is_associated_operator.label.text = ("Opérateur associé : sa structure exerce la mission de coopération "
                                                  "pour le compte d'une collectivité")

    @classmethod
    def of(cls, join_request, **kwargs) -> "JoinRequestEditForm":
        """The form filled with the request as it stands."""
        typed = join_request.institution_id is None and bool(join_request.institution_name)
        institution = OTHER if typed else str(join_request.institution_id or "")
        return cls(data=dict(
            first_name=join_request.first_name, last_name=join_request.last_name, phone=join_request.phone,
            job_title=join_request.job_title, institution=institution, institution_name=join_request.institution_name,
            institution_kind=join_request.institution_kind or "", territory=str(join_request.territory_id or ""),
            is_associated_operator=join_request.is_associated_operator), **kwargs)


class ConfirmForm(FlaskForm):
    """No field: the confirmation button (a POST, so a mail scanner opening the link confirms nothing)."""


class DeclineForm(FlaskForm):
    message = TextAreaField("Message à la personne (facultatif)", validators=[optional(), max_length(2000)],
                            description="Il figurera dans l'e-mail de réponse.")
