from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from wtforms import BooleanField, PasswordField, StringField

from network.forms import max_length, required


class SecondFactorForm(FlaskForm):
    code = StringField("Code de vérification", validators=[required(), max_length(40)],
                       description="Les 6 chiffres affichés par votre application d'authentification, "
                                   "ou l'un de vos codes de secours.",
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"})
    remember = BooleanField("Se souvenir de cet appareil pendant 30 jours")


class TotpConfirmForm(FlaskForm):
    code = StringField("Code à 6 chiffres", validators=[required(), max_length(12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class LinkPasswordForm(FlaskForm):
    password = PasswordField("Mot de passe de votre compte Réseau", validators=[required(), max_length(200)])


class ConfirmForm(FlaskForm):
    """A button only (a POST, so a mail scanner opening a link changes nothing)."""


class SignInPolicyForm(FlaskForm):
    requires_sso_for_facilitators = BooleanField("Les co-animateurs de ce réseau se connectent avec ProConnect "
                                                 "(le mot de passe ne leur suffit plus)")
