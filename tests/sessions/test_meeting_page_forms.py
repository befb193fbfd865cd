"""The meeting page writes its answer and guest forms out (no form object built per page view): the markup must
stay what RsvpForm and GuestForm render, and posting it must still go through those classes' validation."""

import re

from network.extensions import db
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.forms import GuestForm, RsvpForm
from tests import factories
from tests.sessions.factories import create_meeting, invite

# What the page rendered before the forms were written out: the form classes through the shared `field` macro.
RSVP_REFERENCE = """{% from "_macros.html" import field %}
<form method="post" action="{{ action }}" novalidate>
  {{ form.hidden_tag() }}
  <fieldset class="choice-group"><legend>{{ form.answer.label.text }}</legend>
    {% for option in form.answer %}<label class="choice">{{ option() }} {{ option.label.text }}</label>{% endfor %}
  </fieldset>
  {{ field(form.comment) }}
  <button type="submit" class="button">Enregistrer ma réponse</button>
</form>"""
GUEST_REFERENCE = """{% from "_macros.html" import field %}
<form method="post" action="{{ action }}" class="grid grid--4 grid--tight form-inline-grid" novalidate>
  {{ form.hidden_tag() }}
  {{ field(form.name) }}
  {{ field(form.job) }}
  {{ field(form.email) }}
  <div class="field field--button"><button type="submit" class="button button--secondary">Inviter</button></div>
</form>"""


def _normalized(markup: str) -> str:
    """Whitespace collapsed (the macro's indentation is not the page's) and the CSRF token left out."""
    markup = re.sub(r'(name="csrf_token" type="hidden" value=)"[^"]*"', r'\1"TOKEN"', markup)
    markup = re.sub(r"\s+", " ", markup)
    return re.sub(r">\s+<", "><", markup).strip()


def _form_on_page(page: str, action: str) -> str:
    match = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.DOTALL)
    assert match is not None, f"no form posting to {action}"
    return match.group(0)


def _reference(app, template: str, form_class, action: str, **data) -> str:
    with app.test_request_context():
        return app.jinja_env.from_string(template).render(form=form_class(**data), action=action)


def test_written_out_answer_form_is_what_rsvp_form_renders(app, client, login, network):
    coordinator = factories.create_member(network=network)
    meeting = create_meeting(network, status=MeetingStatus.INVITED)
    invitation, = invite(meeting, coordinator, rsvp=Rsvp.NO)
    invitation.rsvp_comment = "Réunion « budget » <ce jour-là> & après"
    db.session.commit()
    login(coordinator)

    page = client.get(f"/rencontres/{meeting.id}").get_data(as_text=True)

    action = f"/rencontres/{meeting.id}/reponse"
    expected = _reference(app, RSVP_REFERENCE, RsvpForm, action, answer="no", comment=invitation.rsvp_comment)
    assert _normalized(_form_on_page(page, action)) == _normalized(expected)
    assert 'checked id="answer-1"' in page and "Réunion « budget » &lt;ce jour-là&gt; &amp; après</textarea>" in page


def test_written_out_answer_form_of_a_pending_invitation_has_nothing_checked(app, client, login, network):
    coordinator = factories.create_member(network=network)
    meeting = create_meeting(network, status=MeetingStatus.INVITED)
    invite(meeting, coordinator)
    login(coordinator)

    page = client.get(f"/rencontres/{meeting.id}").get_data(as_text=True)

    action = f"/rencontres/{meeting.id}/reponse"
    expected = _reference(app, RSVP_REFERENCE, RsvpForm, action)
    assert _normalized(_form_on_page(page, action)) == _normalized(expected)
    assert page.count(" checked ") == 0


def test_written_out_guest_form_is_what_guest_form_renders(app, client, login, network):
    facilitator = factories.create_member(network=network, role="facilitator")
    meeting = create_meeting(network, status=MeetingStatus.INVITED)
    login(facilitator)

    page = client.get(f"/rencontres/{meeting.id}").get_data(as_text=True)

    action = f"/rencontres/{meeting.id}/invites-externes"
    assert _normalized(_form_on_page(page, action)) == _normalized(_reference(app, GUEST_REFERENCE, GuestForm, action))


def test_written_out_answer_form_still_validates_with_rsvp_form(client, login, network):
    coordinator = factories.create_member(network=network)
    meeting = create_meeting(network, status=MeetingStatus.INVITED)
    invitation, = invite(meeting, coordinator)
    login(coordinator)

    refused = client.post(f"/rencontres/{meeting.id}/reponse", data={"answer": "maybe", "comment": "x" * 501})
    db.session.refresh(invitation)
    assert (refused.status_code, invitation.rsvp) == (302, Rsvp.PENDING)

    client.post(f"/rencontres/{meeting.id}/reponse", data={"answer": "excused", "comment": "Formation ce jour-là"})
    db.session.refresh(invitation)
    assert (invitation.rsvp, invitation.rsvp_comment) == (Rsvp.EXCUSED, "Formation ce jour-là")
