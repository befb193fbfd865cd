import re

from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, HiddenField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Regexp, ValidationError

from network.forms import choices, email_address, max_length, optional, required
from network.members.enums import InstitutionKind, Role
from network.members.permissions import can_assign_role

PHONE_PATTERN = re.compile(r"^[0-9 +().\-]{6,30}$")


def _phone_check(form, field):
    if field.data and not PHONE_PATTERN.match(field.data.strip()):
        raise ValidationError("Numéro de téléphone invalide (chiffres, espaces, + . - acceptés).")


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[required(), max_length(320)])
    password = PasswordField("Mot de passe", validators=[required(), max_length(200)])
    next = HiddenField()


class PasswordForgotForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[required(), email_address(), max_length(320)])


class PasswordSetForm(FlaskForm):
    password = PasswordField("Nouveau mot de passe", validators=[required(), max_length(200)],
                             description="12 caractères au moins ; une phrase de passe est idéale.")
    confirm = PasswordField("Confirmez le mot de passe",
                            validators=[required(), EqualTo("password", message="Les deux mots de passe diffèrent.")])


class _ReferenceFields(FlaskForm):
    institution_id = SelectField("Institution employeuse", coerce=_int_or_none, validators=[optional()])
    territory_id = SelectField("Territoire (EPCI)", coerce=_int_or_none, validators=[optional()])

    def set_references(self, institutions, territories):
        self.institution_id.choices = choices([(None, "— Aucune —"), *((i.id, i.name) for i in institutions)])
        self.territory_id.choices = choices([(None, "— Aucun —"), *((t.id, t.name) for t in territories)])


class ProfileForm(_ReferenceFields):
    first_name = StringField("Prénom", validators=[required(), max_length(100)])
    last_name = StringField("Nom", validators=[required(), max_length(100)])
    phone = TelField("Téléphone", validators=[optional(), max_length(30), _phone_check])
    job_title = StringField("Fonction", validators=[optional(), max_length(200)])


class MemberForm(ProfileForm):
    email = EmailField("Adresse e-mail professionnelle", validators=[required(), email_address(), max_length(320)])
    role = SelectField("Rôle", validators=[required()])
    is_associated_operator = BooleanField("Opérateur associé (exerce la fonction pour une collectivité)")
    joined_on = DateField("Entrée dans le réseau", validators=[optional()],
                          description="Sert au calcul des indicateurs (présence, auto-évaluation).")

    def __init__(self, *args, actor, institutions=(), territories=(), is_admin_account=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_references(institutions, territories)
        # Admins belong to no network: the role is offered only on an admin's own account form.
        roles = (Role.ADMIN,) if is_admin_account else (Role.COORDINATOR, Role.FACILITATOR)
        self.role.choices = choices((role.value, role.label) for role in roles if can_assign_role(actor, role))


class NetworkForm(FlaskForm):
    name = StringField("Nom du réseau", validators=[required(), max_length(200)])
    slug = StringField("Identifiant court (URL)", validators=[
        required(), max_length(60),
        Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message="Lettres minuscules, chiffres et tirets uniquement."),
    ], description="Par exemple « pas-de-calais ».")
    department_code = StringField("Département (code)", validators=[
        required(), Regexp(r"^(\d{2,3}|2A|2B)$", message="Code de département invalide (ex. 62, 2A, 974).")])
    mailbox_email = EmailField("Boîte fonctionnelle du réseau", validators=[required(), email_address(), max_length(320)],
                               description="Organisatrice des invitations de calendrier.")


class InstitutionForm(FlaskForm):
    name = StringField("Nom de l'institution", validators=[required(), max_length(200)])
    kind = SelectField("Type", choices=choices((kind.value, kind.label) for kind in InstitutionKind),
                       validators=[required()])


class TerritoryForm(FlaskForm):
    name = StringField("Nom du territoire", validators=[required(), max_length(200)])
    siren = StringField("SIREN de l'EPCI", validators=[
        optional(), Regexp(r"^\d{9}$", message="Le SIREN compte exactement 9 chiffres.")])


class ImportUploadForm(FlaskForm):
    file = FileField("Fichier CSV", validators=[
        FileRequired(message="Choisissez un fichier."),
        FileAllowed(["csv", "txt"], message="Le fichier doit être au format CSV (.csv)."),
    ])


class ImportConfirmForm(FlaskForm):
    payload = HiddenField(validators=[required(), max_length(8_000_000)])  # the file, base64 (MAX_CONTENT_LENGTH)


class EmailChangeForm(FlaskForm):
    new_email = EmailField("Nouvelle adresse e-mail", validators=[required(), email_address(), max_length(320)])
    password = PasswordField("Votre mot de passe actuel", validators=[required(), max_length(200)],
                             description="Pour vérifier que c'est bien vous.")


class EmailForceForm(FlaskForm):
    new_email = EmailField("Nouvelle adresse e-mail", validators=[required(), email_address(), max_length(320)])
    checked = BooleanField(
        "J'ai vérifié l'identité de la personne, qui a perdu l'accès à son ancienne adresse",
        validators=[DataRequired(message="Confirmez que vous avez vérifié l'identité de la personne.")])


class LinkConfirmForm(FlaskForm):
    """The button of a page reached from an emailed link (GET only shows it: link scanners must not act)."""
