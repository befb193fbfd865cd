"""How the evaluation pages write a rate: « 7 sur 10 » in bold, then the percentage, « (70 %) ».

A function rather than a Jinja macro (as network/badges.py): the dashboard writes some eighty of them, one per member
of its assiduity table and two per line of its breakdowns, and a macro call costs Jinja a new context and frame. The
values are escaped with markupsafe as Jinja's autoescape escapes a template's values."""

from markupsafe import Markup, escape

from network.formatting import french_percent


def ratio(rate) -> Markup:
    """A Ratio, its counts as Ratio.counts writes them (the text of the exports and charts, assembly.ratio_text):
    « <strong>7 sur 10</strong> <span class="muted">(70 %)</span> »."""
    percent = escape(french_percent(rate.value))
    return Markup(f'<strong>{escape(rate.counts)}</strong> <span class="muted">({percent})</span>')
