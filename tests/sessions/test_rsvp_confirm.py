"""Answering from the email: the landing page asks to confirm in one click (GET never answers), the confirmation
page gives the meeting's details with its venue and « Ajouter à mon agenda »; no venue reads « Lieu à confirmer »."""

import pytest
from icalendar import Calendar
from sqlalchemy import select

from network.extensions import db
from network.outbox import send_due
from network.sessions import services
from network.sessions.enums import Rsvp
from network.sessions.models import Invitation
from network.sessions.tokens import make_rsvp_token
from tests import factories
from tests.sessions import factories as sf


def _invitation(network, meeting, caf_facilitator):
    member = factories.create_member(network=network, first_name="Inès")
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    return db.session.scalar(select(Invitation).where(Invitation.member_id == member.id))


@pytest.fixture
def meeting(network, venue):
    venue.access_notes = "Parking visiteurs à gauche"
    db.session.commit()
    return sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue,
                             title="Rencontre du réseau — 2e trimestre 2027")


def test_landing_page_asks_to_confirm_in_one_click(client, network, meeting, caf_facilitator):
    invitation = _invitation(network, meeting, caf_facilitator)
    token = make_rsvp_token(invitation)

    page = sf.page_text(client.get(f"/rencontres/reponse/{token}?reponse=yes"))
    db.session.refresh(invitation)

    assert "Confirmez votre réponse d'un clic\u00a0:" in page
    assert '<input type="hidden" name="answer" value="yes">' in page
    assert "Confirmer\u00a0: je serai présent·e</button>" in page
    assert invitation.rsvp == Rsvp.PENDING  # a link scanner's GET answers nothing


def test_confirmation_page_gives_details_and_the_calendar_entry(client, network, meeting, caf_facilitator, venue):
    invitation = _invitation(network, meeting, caf_facilitator)
    token = make_rsvp_token(invitation)

    done = sf.page_text(client.post(f"/rencontres/reponse/{token}", data={"answer": "yes"}))
    ics = client.get(f"/rencontres/reponse/{token}/rencontre.ics")
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]

    assert "Merci, votre réponse est enregistrée" in done
    assert f"<dt>Où</dt><dd>{venue.name}<br>{venue.address}<br><span class=\"muted\">Parking visiteurs à gauche</span>" \
           in done
    assert f'<a class="button" href="/rencontres/reponse/{token}/rencontre.ics">Ajouter à mon agenda</a>' in done
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert (str(event["UID"]), str(event["SUMMARY"])) == (meeting.ical_uid, meeting.title)


def test_calendar_entry_of_a_bad_link_is_not_found(client):
    assert client.get("/rencontres/reponse/pas-un-jeton/rencontre.ics").status_code == 404


def test_invitation_without_venue_says_lieu_a_confirmer(smtp_server, network, caf_facilitator, client):
    meeting = sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, title="Rencontre sans lieu")
    invitation = _invitation(network, meeting, caf_facilitator)
    send_due()
    message = next(mail.message for mail in smtp_server.received if "Inès" in mail.message.get_body(
        ("plain",)).get_content())

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    landing = sf.page_text(client.get(f"/rencontres/reponse/{make_rsvp_token(invitation)}"))

    assert "Où : Lieu à confirmer" in text
    assert "Lieu à confirmer</p>" in html
    assert "Lieu à confirmer" in landing
