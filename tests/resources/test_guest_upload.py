"""A guest speaker sends their slides once, from the link in their invitation email; a facilitator publishes them."""

import io
import re

from sqlalchemy import select

from network.audit import AuditEvent
from network.extensions import db
from network.outbox import send_due
from network.resources.models import Resource
from network.sessions import services as session_services
from network.sessions.enums import MeetingStatus
from network.sessions.guest_tokens import make_guest_token, make_upload_token
from network.sessions.models import Invitation
from tests.resources import samples
from tests.sessions.factories import create_meeting, page_text

UPLOAD_LINK = re.compile(r"Envoyez votre support \(lien personnel, un seul envoi\) : (http://\S+)")


def _guest(meeting, name="Mme Roux", email="intervenante@example.org") -> Invitation:
    invitation = Invitation(meeting_id=meeting.id, guest_email=email, guest_name=name)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def _send(client, path, data=None, name="Support Mme Roux.pdf", title=""):
    return client.post(path, data={"title": title, "file": (io.BytesIO(samples.pdf() if data is None else data),
                                                             name)}, content_type="multipart/form-data")


def test_guest_invitation_email_carries_the_upload_link(app, smtp_server, network, facilitator, client):
    meeting = create_meeting(network, status=MeetingStatus.INVITED)
    session_services.add_guest(actor=facilitator, meeting=meeting, name="Mme Roux", email="intervenante@example.org")
    db.session.commit()
    send_due()
    [mail] = smtp_server.messages
    link = UPLOAD_LINK.search(mail.get_body(("plain",)).get_content()).group(1)
    invitation = db.session.scalar(select(Invitation))
    assert link == f"{app.config['PUBLIC_BASE_URL']}/ressources/depot/{make_upload_token(invitation)}"


def test_guest_uploads_once_and_a_facilitator_publishes(client, make_client, login, facilitator, coordinator,
                                                        meeting):
    invitation = _guest(meeting)
    path = f"/ressources/depot/{make_upload_token(invitation)}"
    assert "déposez ici le support de votre intervention" in page_text(client.get(path))
    response = _send(client, path)
    assert "votre document est bien reçu" in page_text(response)
    [resource] = db.session.scalars(select(Resource)).all()
    assert (resource.status, resource.uploader_name, resource.uploaded_by_id, resource.filename) == (
        "pending", "Mme Roux", None, "Support Mme Roux.pdf")
    # Single use.
    assert "Ce lien a déjà servi" in page_text(_send(client, path, name="autre.pdf"))
    assert len(db.session.scalars(select(Resource)).all()) == 1
    # Not visible to members nor to the guests' reading link until published.
    reader = login(coordinator, on=make_client())
    assert reader.get(f"/ressources/{resource.id}/telecharger").status_code == 404
    assert f"/{resource.id}" not in page_text(client.get(f"/ressources/invite/{make_guest_token(invitation)}"))
    desk = login(facilitator, on=make_client())
    assert "À publier" in page_text(desk.get(f"/ressources/rencontre/{meeting.id}"))
    assert reader.post(f"/ressources/{resource.id}/publier").status_code == 403
    assert desk.post(f"/ressources/{resource.id}/publier").status_code == 302
    assert reader.get(f"/ressources/{resource.id}/telecharger").status_code == 200
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
        "resource.guest_upload", "resource.publish"]


def test_guest_upload_refuses_hostile_files_and_keeps_the_link(client, meeting):
    invitation = _guest(meeting)
    path = f"/ressources/depot/{make_upload_token(invitation)}"
    assert "Ce type de fichier n'est pas accepté" in page_text(_send(client, path, data=samples.HTML_AS_PDF))
    assert db.session.scalars(select(Resource)).all() == []
    assert _send(client, path).status_code == 200
    assert len(db.session.scalars(select(Resource)).all()) == 1


def test_upload_link_is_not_a_reading_link_and_the_reverse(client, meeting):
    invitation = _guest(meeting)
    assert client.get(f"/ressources/depot/{make_guest_token(invitation)}").status_code == 404
    assert client.get(f"/ressources/invite/{make_upload_token(invitation)}").status_code == 404
    assert client.get("/ressources/depot/nimporte-quoi").status_code == 404


def test_upload_link_closed_for_a_cancelled_meeting(client, network):
    meeting = create_meeting(network, status=MeetingStatus.CANCELLED)
    path = f"/ressources/depot/{make_upload_token(_guest(meeting))}"
    assert "Cette rencontre a été annulée : le dépôt est fermé." in page_text(_send(client, path))
