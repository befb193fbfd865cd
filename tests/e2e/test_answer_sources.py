"""The meeting page tells the facilitator where each answer came from (lien, site, agenda), on a desk and on a
phone; an Outlook answer read from the organizer's mailbox shows as « agenda »."""

import os

import pytest
from sqlalchemy import select

from network.extensions import db
from network.sessions import services
from network.sessions.enums import RsvpSource
from network.sessions.models import Invitation
from network.sessions.services.replies import process_reply
from tests import factories
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.sessions import factories as sf
from tests.sessions.reply_emails import outlook_reply


def _sign_in(page, base, member):
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_meeting_page_shows_answer_sources(live_server, new_page, network, viewport):
    claire = factories.create_member(network=network, role="facilitator", first_name="Claire", last_name="Dubois")
    ines = factories.create_member(network=network, first_name="Inès", last_name="Lemaire", email="ines@example.test")
    paul = factories.create_member(network=network, first_name="Paul", last_name="Martin")
    venue = sf.create_venue(network, "Caf du Pas-de-Calais — site d'Arras")
    # In 30 days (the factory's default): the browser tests keep the machine's clock, so no fixed date.
    meeting = sf.create_meeting(network, venue=venue, title="Rencontre du réseau — été")
    services.add_guest(actor=claire, meeting=meeting, name="Marie Durand", job="directrice du CIAS",
                       email="marie.durand@cias.test")
    services.send_invitations(meeting, actor=claire)
    process_reply(outlook_reply(uid=meeting.ical_uid, attendee=ines.email, organizer=network.mailbox_email,
                                comment="Je viendrai avec une collègue."))
    paul_invitation = db.session.scalar(select(Invitation).where(Invitation.member_id == paul.id))
    services.answer_invitation(paul_invitation, answer="no", comment=None, actor=None, source=RsvpSource.LINK)
    db.session.commit()

    page = new_page(viewport=viewport)
    _sign_in(page, live_server, claire)
    page.goto(f"{live_server}/rencontres/{meeting.id}")
    rows = page.locator("#invites tbody tr")
    sources = {rows.nth(i).locator('td[data-label="Nom"]').inner_text().split(" Invité")[0].strip():
               rows.nth(i).locator('td[data-label="Via"]').inner_text().strip()
               for i in range(rows.count())}
    assert sources == {"Claire Dubois": "—", "Inès Lemaire": "agenda", "Paul Martin": "lien",
                       "Marie Durand, directrice du CIAS": "—"}
    assert page.locator('#invites td[data-label="Via"]').first.is_visible()
    # Nothing wider than the screen: the table turns into cards on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    if os.environ.get("RESEAU_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"answer-sources-{viewport['width']}.png"), full_page=True)
        page.locator("#invites").screenshot(path=str(ARTIFACTS / f"answer-sources-{viewport['width']}-table.png"))
