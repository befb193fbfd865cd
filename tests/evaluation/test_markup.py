"""A rate as the evaluation pages write it: the markup the Jinja macro wrote, in French."""

from markupsafe import Markup

from network.evaluation.markup import ratio
from network.sessions.attendance_figures import Ratio


def test_a_rate_in_bold_then_its_percentage_in_french():
    written = ratio(Ratio(7, 8))
    assert written == Markup('<strong>7 sur 8</strong> <span class="muted">(88\u00a0%)</span>')
    assert isinstance(written, Markup)


def test_a_rate_without_denominator_is_not_available():
    assert ratio(Ratio(0, 0)) == '<strong>0 sur 0</strong> <span class="muted">(n.d.)</span>'


def test_the_dashboard_writes_each_rate_with_the_function(app):
    """The template global: the same text as the macro it replaces, through Jinja's autoescape."""
    with app.test_request_context():
        rendered = app.jinja_env.from_string("<td>{{ ratio(r) }}</td>").render(r=Ratio(1234, 5000))
    assert rendered == '<td><strong>1234 sur 5000</strong> <span class="muted">(25\u00a0%)</span></td>'
