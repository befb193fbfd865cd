"""on_refusal: a DomainError in the block rolls the failed write back, gives its French message, and answers."""

import pytest
from flask import get_flashed_messages, render_template_string
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from wtforms import StringField

from network.errors import Conflict, InvalidTransition
from network.extensions import db
from network.forms import Form
from network.members.models import Network
from network.views_support import on_refusal


class SlugForm(Form):
    slug = StringField("Adresse")


def _add_network() -> None:
    db.session.add(Network(slug="brouillon", name="Réseau refusé", department_code="62", mailbox_email="r@example.org"))
    db.session.flush()


def _network_count() -> int:
    return db.session.scalar(select(func.count(Network.id)))


def _refused_answer(app, answer, **options):
    """Run a refused write inside on_refusal; the HTTP answer it raises, and what the session then holds."""
    with app.test_request_context("/", method="POST"):
        with pytest.raises(HTTPException) as raised:
            with on_refusal(answer, **options):
                _add_network()
                raise InvalidTransition("Cette rencontre est déjà close.")
        db.session.commit()  # what a view could commit afterwards: the failed write is no longer there
        return raised.value.get_response(), get_flashed_messages(with_categories=True)


def test_on_refusal_redirects_with_the_message_flashed_as_an_error(app):
    response, flashed = _refused_answer(app, "/rencontres/7")

    assert response.status_code == 302
    assert response.headers["Location"] == "/rencontres/7"
    assert flashed == [("error", "Cette rencontre est déjà close.")]


def test_on_refusal_rolls_the_failed_write_back(app):
    _refused_answer(app, "/rencontres/7")

    assert _network_count() == 0


def test_on_refusal_renders_the_page_again_after_the_rollback(app):
    seen = []

    def page():
        seen.append(_network_count())
        return "le formulaire, de nouveau"

    response, flashed = _refused_answer(app, page)

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "le formulaire, de nouveau"
    assert flashed == [("error", "Cette rencontre est déjà close.")]
    assert seen == [0]


def test_on_refusal_keeps_the_status_the_page_gives(app):
    response, _flashed = _refused_answer(app, lambda: ("bulletin refusé", 400))

    assert response.status_code == 400
    assert response.get_data(as_text=True) == "bulletin refusé"


def test_on_refusal_puts_the_message_under_a_field_instead_of_flashing(app):
    with app.test_request_context("/", method="POST"):
        form = SlugForm(formdata=MultiDict({"slug": "lens"}), meta={"csrf": False})
        assert form.validate()

        def page():
            return render_template_string("{{ form.slug.data }} : {{ form.slug.errors|join(' / ') }}", form=form)

        with pytest.raises(HTTPException) as raised:
            with on_refusal(page, under=form.slug):
                raise Conflict("Cette adresse est déjà prise.")

        assert raised.value.get_response().get_data(as_text=True) == "lens : Cette adresse est déjà prise."
        assert get_flashed_messages() == []


def test_on_refusal_lets_a_function_pick_the_field_from_the_message(app):
    with app.test_request_context("/", method="POST"):
        form = SlugForm(formdata=MultiDict({"slug": "lens"}), meta={"csrf": False})
        form.validate()
        picked = []

        def field_for(message):
            picked.append(message)
            return form.slug

        with pytest.raises(HTTPException):
            with on_refusal(lambda: "", under=field_for):
                raise Conflict("Ce territoire n'est pas celui du réseau.")

        assert picked == ["Ce territoire n'est pas celui du réseau."]
        assert form.slug.errors == ["Ce territoire n'est pas celui du réseau."]


def test_on_refusal_without_a_refusal_lets_the_view_go_on(app):
    with app.test_request_context("/", method="POST"):
        with on_refusal("/rencontres/7"):
            _add_network()
        db.session.commit()

        assert get_flashed_messages() == []
    assert _network_count() == 1


def test_on_refusal_leaves_other_exceptions_alone(app):
    with app.test_request_context("/", method="POST"):
        with pytest.raises(KeyError):
            with on_refusal("/rencontres/7"):
                _add_network()
                raise KeyError("bug")

        assert get_flashed_messages() == []
        assert _network_count() == 1  # not rolled back here: a bug ends in the 500 handler, which rolls back
