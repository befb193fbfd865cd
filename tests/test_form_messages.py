"""WTForms' own messages (a choice not offered) are French, beside the app's own (a number that is not one),
from a catalog loaded once per worker, not read again from disk for every request that builds a form."""

import gettext

from babel import support
from wtforms import IntegerField, SelectChoice, SelectField

from network.forms import Form


class Sample(Form):
    kind = SelectField(choices=[SelectChoice("rencontre", "Rencontre"), SelectChoice("formation", "Formation")])
    places = IntegerField()


def test_built_in_messages_are_french(app):
    with app.test_request_context(method="POST", data={"kind": "colloque", "places": "douze"}):
        form = Sample(meta={"csrf": False})

        assert form.validate() is False
        assert form.errors == {"kind": ["N'est pas un choix valide."], "places": ["Nombre entier attendu."]}


def test_the_catalog_is_not_read_again_for_each_request(app, monkeypatch):
    def submitted():
        with app.test_request_context(method="POST", data={"kind": "colloque", "places": "12"}):
            form = Sample(meta={"csrf": False})
            form.validate()
            return form.errors

    submitted()  # the worker's first form: the catalog may be read now, once
    reads = []
    for module, name in ((gettext, "translation"), (support.Translations, "load")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *args, _original=original, **kwargs: reads.append(args) or _original(
            *args, **kwargs))

    assert [submitted(), submitted()] == [{"kind": ["N'est pas un choix valide."]}] * 2
    assert reads == []
