"""One way to turn a domain error into a page (STYLE.md): the views run their service call inside `on_refusal`."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import abort, flash, make_response, redirect
from flask.typing import ResponseReturnValue
from wtforms import Field

from network.errors import DomainError
from network.extensions import db


@contextmanager
def on_refusal(answer: str | Callable[[], ResponseReturnValue], *,
               under: Field | Callable[[str], Field] | None = None) -> Iterator[None]:
    """On a DomainError raised in the block: roll the failed write back, give its French message, and answer.

    `answer` is the URL to redirect to, or a function that renders the page again (a form keeps its input).
    The message is flashed as an error, or, with `under`, shown under that form field (or under the field a
    function picks from the message). Without a refusal the block runs on: the view commits and says so.
    The rollback comes first, so a page drawn again loads anew the objects whose relationships it reads (they are
    lazy="raise" and the rollback expired them), as the meeting and member edit pages do.
    """
    try:
        yield
    except DomainError as error:
        db.session.rollback()
        message = str(error)
        if under is None:
            flash(message, "error")
        else:
            field = under if isinstance(under, Field) else under(message)
            field.errors = [*field.errors, message]
        abort(redirect(answer) if isinstance(answer, str) else make_response(answer()))
