"""The whole journey with the real SMTP server: request → confirm → facilitators notified → decision."""

from datetime import timedelta

from sqlalchemy import func, select

from network.database import utcnow
from network.extensions import db
from network.members.models import Institution, Member
from network.outbox import OutboxMessage, OutboxStatus, send_due
from network.registration.enums import JoinRequestStatus
from network.registration.models import JoinRequest
from tests import factories
from tests.registration.conftest import link_in, make_join_request, messages_to, plain_text

NEW_PASSWORD = "les rencontres du jeudi matin"


def test_join_request_confirmed_approved_then_password_set_and_login(
        client, other_client, login, network, facilitator, caf, epci, form_data, smtp_server):
    co_facilitator = factories.create_member(network=network, role="facilitator", email="animateur.msa@example.test")
    factories.create_member(network=network, role="facilitator", email="ancien@example.test", is_active=False)

    response = client.post(f"/adhesion/{network.slug}", data=form_data)
    assert response.status_code == 302
    assert response.location == f"/adhesion/{network.slug}/demande-envoyee"
    assert send_due().sent == 1
    [confirmation] = smtp_server.messages
    assert confirmation["To"] == "aurelie.dumont@example.org"
    assert confirmation["Subject"].strip() == f"Confirmez votre adresse pour rejoindre le réseau — {network.name}"
    assert confirmation["Reply-To"] == network.mailbox_email

    confirm_path = link_in(confirmation)
    assert confirm_path.startswith("/adhesion/confirmer/")
    visitor = other_client()
    assert "Confirmer mon adresse" in visitor.get(confirm_path).get_data(as_text=True)
    response = visitor.post(confirm_path)
    assert response.status_code == 302
    assert response.location == f"/adhesion/{network.slug}/adresse-confirmee"
    smtp_server.clear()
    assert send_due().sent == 2
    assert sorted(message["To"] for message in smtp_server.messages) == [co_facilitator.email, facilitator.email]
    notice = messages_to(smtp_server, facilitator.email)[0]
    assert notice["Subject"].strip() == "Nouvelle demande d'adhésion : Aurélie Dumont"
    assert notice["Reply-To"] == "aurelie.dumont@example.org"
    assert link_in(notice) == "/adhesion/demandes"

    login(facilitator)
    queue = client.get("/adhesion/demandes").get_data(as_text=True)
    assert "Aurélie Dumont" in queue and "Caf du Pas-de-Calais" in queue and "CC des 7 Vallées" in queue
    join_request = db.session.scalar(select(JoinRequest))
    response = client.post(f"/adhesion/demandes/{join_request.id}/accepter")
    assert response.status_code == 302
    assert response.location == "/adhesion/demandes"

    member = db.session.scalar(select(Member).where(Member.email == "aurelie.dumont@example.org"))
    assert (member.role, member.is_active, member.network_id, member.institution_id, member.territory_id,
            member.phone, member.job_title, member.has_password) == (
        "coordinator", True, network.id, caf.id, epci.id, "03 21 45 67 89", "Chargée de coopération CTG", False)
    smtp_server.clear()
    assert send_due().sent == 1
    [welcome] = smtp_server.messages
    assert welcome["To"] == member.email
    assert welcome["Subject"].strip() == f"Bienvenue dans le réseau — {network.name}"
    password_path = link_in(welcome)
    assert password_path.startswith("/mot-de-passe/activation/")

    newcomer = other_client()
    response = newcomer.post(password_path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert newcomer.post("/connexion", data={"email": member.email, "password": NEW_PASSWORD}).status_code == 302
    assert newcomer.get("/profil").status_code == 200
    assert newcomer.get(password_path).status_code == 400  # the set-password link worked once


def test_confirmation_link_works_once(client, network, facilitator, form_data, smtp_server):
    client.post(f"/adhesion/{network.slug}", data=form_data)
    send_due()
    path = link_in(smtp_server.messages[0])
    assert client.post(path).status_code == 302
    response = client.post(path)
    assert response.status_code == 400
    assert "Ce lien n'est plus valable" in response.get_data(as_text=True)
    assert client.get(path).status_code == 400


def test_decline_with_message_emails_the_person(client, login, network, facilitator, smtp_server):
    join_request = make_join_request(network, email="refus@example.test")
    login(facilitator)
    response = client.post(f"/adhesion/demandes/{join_request.id}/refuser",
                           data={f"refus-{join_request.id}-message": "Ce réseau réunit les chargés de coopération CTG."})
    assert response.status_code == 302
    db.session.refresh(join_request)
    assert (join_request.status, join_request.decided_by_id, join_request.decision_message) == (
        JoinRequestStatus.DECLINED, facilitator.id, "Ce réseau réunit les chargés de coopération CTG.")
    assert db.session.scalar(select(func.count(Member.id)).where(Member.email == "refus@example.test")) == 0
    send_due()
    [answer] = smtp_server.messages
    assert answer["To"] == "refus@example.test"
    assert answer["Subject"].strip() == f"Votre demande d'adhésion — {network.name}"
    assert "Ce réseau réunit les chargés de coopération CTG." in plain_text(answer)
    assert "Aucune demande en attente." in client.get("/adhesion/demandes").get_data(as_text=True)


def test_decline_without_message_is_fine(client, login, network, facilitator, smtp_server):
    join_request = make_join_request(network)
    login(facilitator)
    assert client.post(f"/adhesion/demandes/{join_request.id}/refuser").status_code == 302
    send_due()
    assert "Message de" not in plain_text(smtp_server.messages[0])


def test_decline_message_too_long_is_refused_with_french_message(client, login, network, facilitator):
    join_request = make_join_request(network)
    login(facilitator)
    response = client.post(f"/adhesion/demandes/{join_request.id}/refuser",
                           data={f"refus-{join_request.id}-message": "x" * 2001}, follow_redirects=True)
    assert "2000 caractères au maximum." in response.get_data(as_text=True)
    db.session.refresh(join_request)
    assert join_request.status == JoinRequestStatus.PENDING


def test_typed_employer_becomes_an_institution_on_approval(client, login, network, facilitator, smtp_server):
    join_request = make_join_request(network, institution_name="Centre social Les Tilleuls",
                                     institution_kind="partner", is_associated_operator=True)
    login(facilitator)
    assert "Absente de la liste\u00a0: sera ajoutée" in client.get("/adhesion/demandes").get_data(as_text=True)
    client.post(f"/adhesion/demandes/{join_request.id}/accepter")
    institution = db.session.scalar(select(Institution).where(Institution.network_id == network.id))
    member = db.session.scalar(select(Member).where(Member.email == join_request.email))
    assert (institution.name, institution.kind) == ("Centre social Les Tilleuls", "partner")
    assert (member.institution_id, member.is_associated_operator, member.territory_id) == (institution.id, True, None)


def test_typed_employer_matching_an_existing_institution_reuses_it(client, login, network, facilitator):
    existing = factories.create_institution(network, name="Centre social Les Tilleuls", kind="partner")
    join_request = make_join_request(network, institution_name="centre social les tilleuls", institution_kind="partner",
                                     is_associated_operator=True)
    login(facilitator)
    client.post(f"/adhesion/demandes/{join_request.id}/accepter")
    member = db.session.scalar(select(Member).where(Member.email == join_request.email))
    assert member.institution_id == existing.id
    assert db.session.scalar(select(func.count(Institution.id))) == 1


def test_approving_when_an_account_appeared_meanwhile_says_so(client, login, network, facilitator):
    join_request = make_join_request(network, email="double@example.test")
    factories.create_member(network=network, email="double@example.test")
    login(facilitator)
    page = client.post(f"/adhesion/demandes/{join_request.id}/accepter", follow_redirects=True).get_data(as_text=True)
    assert "Un compte existe déjà pour double@example.test" in page
    db.session.refresh(join_request)
    assert join_request.status == JoinRequestStatus.PENDING


def test_approving_twice_says_already_handled(client, login, network, facilitator):
    join_request = make_join_request(network)
    login(facilitator)
    client.post(f"/adhesion/demandes/{join_request.id}/accepter")
    page = client.post(f"/adhesion/demandes/{join_request.id}/accepter", follow_redirects=True).get_data(as_text=True)
    assert "Cette demande a déjà été traitée." in page
    assert db.session.scalar(select(func.count(Member.id)).where(Member.email == join_request.email)) == 1


def test_request_survives_mail_outage_and_is_sent_later(client, network, facilitator, form_data, smtp_server, smtp_down):
    response = client.post(f"/adhesion/{network.slug}", data=form_data)
    assert response.status_code == 302
    report = send_due()
    assert (report.sent, report.failed) == (0, 1)
    assert db.session.scalar(select(JoinRequest.status)) == JoinRequestStatus.UNCONFIRMED
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.PENDING
    assert smtp_server.messages == []


def test_mail_outage_then_recovery_delivers_the_confirmation(app, client, network, facilitator, form_data, smtp_server):
    state = app.extensions["mail"]
    original = state.port
    state.port = 1  # nothing listens there
    try:
        client.post(f"/adhesion/{network.slug}", data=form_data)
        assert send_due().failed == 1
    finally:
        state.port = original
    assert send_due(now=utcnow() + timedelta(minutes=5)).sent == 1
    assert smtp_server.messages[0]["To"] == "aurelie.dumont@example.org"
