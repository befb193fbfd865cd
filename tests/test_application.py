"""network.application: template globals in one dict, the synchronous hooks remembered — same pages, same hooks."""

import gc
import re

import pytest

from network.application import Application


def test_a_template_s_globals_are_one_dict_of_the_environment_s_and_its_own(app):
    template = app.jinja_env.from_string("{{ greeting }}, {{ Role.COORDINATOR.label }}",
                                         globals={"greeting": "Bonjour"})
    assert type(template.globals) is dict
    assert template.globals["csrf_token"] is app.jinja_env.globals["csrf_token"]
    assert template.globals["url_for"] is app.jinja_env.globals["url_for"]
    with app.test_request_context("/"):
        assert template.render() == "Bonjour, Chargé·e de coopération"


def test_an_imported_macro_still_reads_the_environment_s_globals(app):
    """post_button (templates/_macros.html) calls csrf_token(), a global of the environment, from an imported
    module: the token it writes is the one the request signs."""
    with app.test_request_context("/"):
        html = app.jinja_env.from_string(
            '{% from "_macros.html" import post_button %}{{ post_button("/sortie", "Partir") }}').render()
        token = app.jinja_env.globals["csrf_token"]()
    assert re.fullmatch(r'<form method="post" action="/sortie" class="inline-form">\s*'
                        r'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
                        r'<button type="submit" class="button button--secondary">Partir</button>\s*</form>',
                        html).group(1) == token


def test_a_synchronous_function_is_itself_and_remembered():
    app = Application(__name__)

    def hook():
        return "fait"

    assert app.ensure_sync(hook) is hook
    assert hook in app._synchronous
    assert app.ensure_sync(hook) is hook


def test_a_function_made_for_one_request_is_forgotten_with_it():
    app = Application(__name__)
    remembered = len(app._synchronous)

    def made_for_one_request():
        return None

    app.ensure_sync(made_for_one_request)
    assert len(app._synchronous) == remembered + 1
    del made_for_one_request
    gc.collect()
    assert len(app._synchronous) == remembered


def test_a_coroutine_function_is_still_handed_to_flask_and_never_remembered():
    """Without asgiref (Flask's `async` extra, which the app does not install) Flask refuses an async view with
    its own message; the app says the same, and keeps no trace of the function."""
    app = Application(__name__)

    async def view():
        return "fait"

    with pytest.raises(RuntimeError, match="Install Flask with the 'async' extra"):
        app.ensure_sync(view)
    assert view not in app._synchronous
