from network.forms import Form as FlaskForm  # every form takes the input policy (network/forms.py)
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ErasureForm(FlaskForm):
    confirm = BooleanField(
        "Je confirme l'effacement : l'identité de ce membre sera remplacée partout, de façon irréversible.",
        validators=[DataRequired(message="Cochez la case pour confirmer l'effacement.")])
