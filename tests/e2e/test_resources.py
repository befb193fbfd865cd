"""Journey: a facilitator uploads the speaker's slides to a meeting and publishes the minutes; a coordinator
finds them in the network's Ressources by a word that is only inside the PDF."""

from datetime import timedelta

from network.database import utcnow
from network.extensions import db
from network.outbox import send_due
from network.sessions.enums import AgendaItemKind, MeetingStatus
from network.sessions.models import AgendaItem
from tests import factories
from tests.resources import samples
from tests.sessions import factories as sf


def _sign_in(page, base, member):
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_upload_slides_publish_minutes_and_find_them(live_server, new_page, network, smtp_server, tmp_path):
    claire = factories.create_member(network=network, role="facilitator", first_name="Claire", last_name="Dubois")
    sophie = factories.create_member(network=network, first_name="Sophie", last_name="Martin",
                                     email="sophie.martin@example.test")
    meeting = sf.create_meeting(network, starts_at=utcnow().replace(microsecond=0) - timedelta(days=2),
                                status=MeetingStatus.HELD, title="Rencontre de printemps")
    db.session.add(AgendaItem(meeting_id=meeting.id, kind=AgendaItemKind.THEMATIC, title="Le SDSF", position=1,
                              speaker="Mme Roux, Caf"))
    db.session.commit()
    sf.invite(meeting, sophie)
    slides = tmp_path / "Présentation SDSF.pdf"
    slides.write_bytes(samples.pdf("Le schéma départemental et les haltes-garderies itinérantes"))

    # 1. The facilitator goes from the meeting page to its documents and uploads the slides for the segment.
    desk = new_page()
    _sign_in(desk, live_server, claire)
    desk.goto(f"{live_server}/rencontres/{meeting.id}")
    desk.get_by_role("link", name="Voir les documents de la rencontre").click()
    desk.get_by_role("link", name="Ajouter le support de l'intervention").click()
    desk.get_by_label("Fichier", exact=True).set_input_files(str(slides))
    desk.get_by_label("Titre", exact=True).fill("Support de Mme Roux")
    desk.get_by_role("button", name="Ajouter").click()
    assert desk.locator(".notice--success").inner_text() == "Document ajouté à la rencontre."
    assert desk.get_by_role("link", name="Support de Mme Roux").is_visible()

    # 2. She writes and publishes the minutes; Sophie gets one email.
    desk.get_by_role("link", name="Rédiger le compte rendu").click()
    desk.get_by_label("En bref").fill("Le SDSF présenté ; prochain thème : l'accès aux droits.")
    desk.get_by_label("Compte rendu", exact=True).fill("## Décisions\n\n- Prochain thème : **l'accès aux droits**.")
    desk.get_by_role("button", name="Enregistrer").click()
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.get_by_role("button", name="Publier et envoyer aux invités").click()
    assert desk.locator(".notice--success").inner_text() == (
        "Compte rendu publié ; 1 personne invitée est prévenue par e-mail.")
    assert desk.locator("article.minutes h2").first.inner_text() == "Décisions"
    send_due()
    assert [message["To"] for message in smtp_server.messages] == ["sophie.martin@example.test"]

    # 3. Sophie searches the network's Ressources for a word that is only inside the PDF, without its accent.
    reader = new_page()
    _sign_in(reader, live_server, sophie)
    reader.get_by_role("link", name="Ressources").click()
    reader.get_by_label("Rechercher").fill("halte garderie itinerante")
    reader.get_by_role("button", name="Afficher").click()
    assert reader.locator("p[role=status]").inner_text() == "1 ressource pour «\u00a0halte garderie itinerante\u00a0»."
    href = reader.get_by_role("link", name="Support de Mme Roux").get_attribute("href")
    download = reader.request.get(f"{live_server}{href}")  # with Sophie's session cookie
    assert (download.status, download.headers["content-type"]) == (200, "application/pdf")
    reader.get_by_label("Rechercher").fill("accès aux droits")
    reader.get_by_role("button", name="Afficher").click()
    reader.get_by_role("link", name="Compte rendu — Rencontre de printemps").click()
    assert "modifié" not in reader.locator(".page-head").inner_text()
    assert reader.locator("article.minutes li").inner_text() == "Prochain thème : l'accès aux droits."
