"""URL converters that replace Werkzeug's defaults in create_app, so every route parses its arguments the same way:
an id is a positive integer that fits the database (beyond: 404, never an overflow), and a text argument (a slug,
a token) never carries a control character (404, before any query sees it)."""

import re

from collections.abc import Callable

from flask import abort, request, url_for
from werkzeug.routing import IntegerConverter, UnicodeConverter

from network.text import DB_INT_MAX

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BoundedIntConverter(IntegerConverter):
    """`<int:…>`: 0 … DB_INT_MAX unless the rule says otherwise; /rencontres/99999999999999999999 is a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):  # noqa: A002 (Werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PrintableConverter(UnicodeConverter):
    """`<…>` and `<string:…>`: one path segment without control characters."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


CONVERTERS = {"int": BoundedIntConverter, "default": PrintableConverter, "string": PrintableConverter}


def reject_control_characters_in_query() -> None:
    """?q=%00 and the like answer 400: a query parameter is one line of text (PostgreSQL refuses NUL outright)."""
    if request.query_string and any(_CONTROL.search(key) or any(_CONTROL.search(value) for value in values)
           for key, values in request.args.lists()):
        abort(400)


def install_input_parsing(app) -> None:
    """Before any blueprint is registered: a rule compiles its converters when it is added."""
    app.url_map.converters.update(CONVERTERS)
    app.before_request(reject_control_characters_in_query)


def id_urls(endpoint: str, argument: str) -> Callable[[int], str]:
    """`url_for(endpoint, **{argument: id})` for the many ids of a list: Werkzeug builds the URL once (~20 µs a
    call), then each id takes the place of a marker in it."""
    marker = str(DB_INT_MAX)
    head, tail = url_for(endpoint, **{argument: DB_INT_MAX}).split(marker, 1)
    return lambda value: f"{head}{int(value)}{tail}"
