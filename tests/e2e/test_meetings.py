"""Journey: a facilitator plans the year and sends the invitations, a member answers from the
email link without signing in, the facilitator checks people in on a phone."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from network.database import utcnow
from network.extensions import db
from network.members.enums import InstitutionKind
from network.outbox import send_due
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.models import Invitation, Meeting
from tests import factories
from tests.e2e.conftest import PHONE
from tests.sessions import factories as sf

RSVP_YES = re.compile(r"Je serai présent·e : (http://\S+)")


def _sign_in(page, base, member):
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_plan_invite_answer_and_check_in(live_server, new_page, network, smtp_server):
    caf = factories.create_institution(network, "Caf du Pas-de-Calais", InstitutionKind.CAF)
    msa = factories.create_institution(network, "MSA Nord-Pas de Calais", InstitutionKind.MSA)
    claire = factories.create_member(network=network, role="facilitator", first_name="Claire", last_name="Dubois",
                                     institution_id=caf.id)
    factories.create_member(network=network, role="facilitator", first_name="Julien", last_name="Lefebvre",
                            institution_id=msa.id)
    sophie = factories.create_member(network=network, first_name="Sophie", last_name="Martin",
                                     email="sophie.martin@example.test")
    sf.create_venue(network, "Caf du Pas-de-Calais — site d'Arras", "caf")
    sf.create_venue(network, "MSA Nord-Pas de Calais — Lille", "msa", street="33 rue du Ballon",
                    postal_code="59000", city="Lille")
    year = date.today().year + 1

    # 1. The facilitator plans the year (pre-filled form) and sends the first meeting's invitations.
    desk = new_page()
    _sign_in(desk, live_server, claire)
    desk.goto(f"{live_server}/rencontres/planifier?annee={year}")
    assert desk.locator("#slots-0-venue_id option:checked").inner_text() == "Caf du Pas-de-Calais — site d'Arras (Arras)"
    assert desk.locator("#slots-1-venue_id option:checked").inner_text() == "MSA Nord-Pas de Calais — Lille (Lille)"
    desk.get_by_role("button", name="Planifier les 4 rencontres").click()
    assert desk.locator(".notice--success").inner_text() == f"4 rencontres planifiées pour {year}."
    desk.get_by_role("link", name=f"Rencontre du réseau — 1er trimestre {year}").click()
    desk.get_by_role("button", name="Envoyer les invitations").click()
    assert desk.locator(".notice--success").inner_text() == "3 invitations envoyées."

    # 2. Sophie answers from the link in her email, without signing in.
    send_due()
    mail = next(m for m in smtp_server.messages if m["To"] == sophie.email)
    link = RSVP_YES.search(mail.get_body(preferencelist=("plain",)).get_content()).group(1)
    phone = new_page(viewport=PHONE)
    phone.goto(link)
    assert phone.get_by_label("Je serai présent·e").is_checked()
    phone.get_by_label("Commentaire (facultatif)").fill("J'arriverai vers 10 h.")
    phone.get_by_role("button", name="Envoyer ma réponse").click()
    assert phone.locator("h1").inner_text() == "Merci, votre réponse est enregistrée"
    db.session.expire_all()
    invitation = db.session.scalar(select(Invitation).where(Invitation.member_id == sophie.id))
    assert (invitation.rsvp, invitation.rsvp_comment) == (Rsvp.YES, "J'arriverai vers 10 h.")

    # 3. On the day, the facilitator checks people in on a phone.
    today = sf.create_meeting(network, title="Rencontre du jour", status=MeetingStatus.INVITED,
                              starts_at=utcnow() - timedelta(minutes=5))
    sf.invite(today, claire, sophie)
    door = new_page(viewport=PHONE)
    _sign_in(door, live_server, claire)
    door.goto(f"{live_server}/rencontres/{today.id}/presences")
    door.get_by_placeholder("Rechercher un nom").fill("mart")
    assert door.locator(f"#membre-{claire.id}").is_hidden()
    row = door.locator(f"#membre-{sophie.id}")
    row.get_by_role("button", name="Présent·e").click()
    assert door.locator(f"#membre-{sophie.id} button[value=present]").get_attribute("aria-pressed") == "true"
    db.session.expire_all()
    assert db.session.get(Meeting, today.id).status == MeetingStatus.HELD
    assert db.session.scalar(select(db.func.count(Meeting.id))) == 5
