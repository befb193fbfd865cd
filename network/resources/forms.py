"""Forms of the materials, minutes and library pages."""

import re
from urllib.parse import urlsplit

from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from network.forms import max_length, optional, required
from network.codev.enums import Theme
from network.resources.enums import NewsFrequency, ResourceKind

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n]")


def single_line(_form, field):
    if field.data and (_CONTROL.search(field.data) or _LINE_BREAK.search(field.data)):
        raise ValidationError("Une seule ligne, sans caractère de contrôle.")


def no_control(_form, field):
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("Le texte contient des caractères de contrôle.")


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return -1  # not a choice: pre_validate refuses it


class ResourceForm(FlaskForm):
    kind = RadioField("Type", choices=[SelectChoice(ResourceKind.FILE.value, "Un fichier"),
                                       SelectChoice(ResourceKind.LINK.value, "Un lien")],
                      default=ResourceKind.FILE.value, validators=[required()])
    title = StringField("Titre", validators=[optional(), max_length(200), single_line],
                        description="Par défaut, le nom du fichier.")
    description = TextAreaField("Description", validators=[optional(), max_length(2000), no_control])
    agenda_item_id = SelectField("Rattaché à", coerce=_int_or_none, validators=[optional()])
    file = FileField("Fichier", description="PDF, ODP/PPTX, ODT/DOCX, ODS/XLSX, PNG ou JPEG.")
    url = StringField("Adresse du lien", validators=[optional(), max_length(2000), single_line])

    def set_agenda(self, agenda):
        self.agenda_item_id.choices = [SelectChoice("", "La rencontre entière")] + [
            SelectChoice(item.id, item.title) for item in agenda]

    def validate_url(self, field):
        if self.kind.data != ResourceKind.LINK:
            return
        value = (field.data or "").strip()
        if not value:
            raise ValidationError("Ce champ est obligatoire.")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError("Adresse invalide : elle doit commencer par https:// ou http://.")

    def validate_title(self, field):
        if self.kind.data == ResourceKind.LINK and not (field.data or "").strip():
            raise ValidationError("Ce champ est obligatoire.")

    def validate_file(self, field):
        if self.kind.data == ResourceKind.FILE and not getattr(field.data, "filename", None):
            raise ValidationError("Choisissez un fichier.")


class GuestUploadForm(FlaskForm):
    file = FileField("Votre support", description="PDF, ODP/PPTX, ODT/DOCX, ODS/XLSX, PNG ou JPEG.")
    title = StringField("Titre", validators=[optional(), max_length(200), single_line],
                        description="Par défaut, le nom du fichier.")

    def validate_file(self, field):
        if not getattr(field.data, "filename", None):
            raise ValidationError("Choisissez un fichier.")


class MinutesForm(FlaskForm):
    summary = TextAreaField("En bref", validators=[optional(), max_length(1000), no_control],
                            description="Deux ou trois phrases reprises dans l'e-mail envoyé aux invités.")
    body = TextAreaField("Compte rendu", validators=[optional(), max_length(100_000), no_control],
                         description="En Markdown : ## Titre, **gras**, listes avec « - ».")


class ShareForm(FlaskForm):
    theme = SelectField("Thème", choices=[SelectChoice("", "— Choisir —")] + [
        SelectChoice(theme.value, theme.label) for theme in Theme], validators=[required()])


class NewsForm(FlaskForm):
    title = StringField("Titre", validators=[required(), max_length(200), single_line])
    body = TextAreaField("Texte", validators=[optional(), max_length(20_000), no_control],
                         description="En Markdown : **gras**, listes avec « - », liens [texte](https://…).")
    file = FileField("Pièce jointe (facultative)", description="PDF, ODP/PPTX, ODT/DOCX, ODS/XLSX, PNG ou JPEG.")


class NewsPreferenceForm(FlaskForm):
    frequency = RadioField("Recevoir les actualités par e-mail", choices=[
        SelectChoice(value.value, value.label) for value in NewsFrequency], validators=[required()])


class EmptyForm(FlaskForm):
    """A POST with its CSRF token only (publish, delete)."""
