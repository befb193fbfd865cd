"""Facilitators attach files and links to a meeting; who may see and download them; what the download says."""

import io
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from network.audit import AuditEvent
from network.extensions import db
from network.resources.models import FileBlob, Resource
from network.sessions.guest_tokens import make_guest_token
from network.sessions.models import Invitation
from tests import factories
from tests.resources import samples
from tests.sessions.factories import page_text


def _resources() -> list[Resource]:
    return list(db.session.scalars(select(Resource).order_by(Resource.id)))


def test_upload_pdf_stores_it_once_and_audits(login, client, facilitator, meeting, upload):
    login(facilitator)
    response = upload(meeting, name="Présentation SDSF.pdf", title="Support SDSF")
    assert response.status_code == 302
    assert response.location == f"/ressources/rencontre/{meeting.id}"
    [resource] = _resources()
    assert (resource.title, resource.filename, resource.media_type, resource.year) == (
        "Support SDSF", "Présentation SDSF.pdf", "application/pdf", meeting.starts_at.year)
    events = db.session.execute(select(AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
                                       AuditEvent.fields, AuditEvent.actor_id)).all()
    assert events == [("resource.upload", "Resource", resource.id, "file", facilitator.id)]


def test_upload_same_content_twice_keeps_one_blob(login, facilitator, meeting, upload):
    login(facilitator)
    data = samples.pdf()
    upload(meeting, data=data, name="a.pdf")
    upload(meeting, data=data, name="b.pdf")
    assert len(_resources()) == 2
    assert db.session.scalar(select(func.count()).select_from(FileBlob)) == 1


def test_upload_to_an_agenda_item(login, facilitator, meeting, agenda_item, upload):
    login(facilitator)
    upload(meeting, agenda_item_id=str(agenda_item.id))
    assert [r.agenda_item_id for r in _resources()] == [agenda_item.id]


@pytest.mark.parametrize(("data", "name", "message"), [
    (samples.HTML_AS_PDF, "support.pdf", "Ce type de fichier n'est pas accepté"),
    (samples.SVG_AS_PDF, "support.pdf", "Ce type de fichier n'est pas accepté"),
    (b"", "vide.pdf", "Le fichier est vide."),
])
def test_upload_hostile_file_is_refused_in_french(login, facilitator, meeting, upload, data, name, message):
    login(facilitator)
    response = upload(meeting, data=data, name=name)
    assert response.status_code == 200
    assert message in page_text(response)
    assert _resources() == []


def test_upload_zip_bomb_is_refused(login, facilitator, meeting, upload):
    login(facilitator)
    response = upload(meeting, data=samples.zip_bomb_docx(), name="rapport.docx")
    assert "Ce document se décompresse en un volume anormal : il est refusé." in page_text(response)
    assert _resources() == []


def test_upload_over_the_limit_gets_a_french_413(app, login, facilitator, meeting, upload):
    login(facilitator)
    limit = app.config["RESOURCE_MAX_BYTES"]
    app.config["RESOURCE_MAX_BYTES"] = 2048
    try:
        response = upload(meeting, data=samples.pdf() + b"%" * 70_000)
    finally:
        app.config["RESOURCE_MAX_BYTES"] = limit
    assert response.status_code == 413
    assert "Le fichier envoyé dépasse la taille autorisée (2\u00a0ko)." in page_text(response)
    assert _resources() == []


def test_upload_larger_than_the_app_wide_limit_is_accepted_up_to_the_resource_limit(app, login, client, facilitator,
                                                                                      meeting):
    login(facilitator)
    big = samples.pdf() + b"\n%" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    # Encoded here, in memory: the test client spools a large body to a file it does not close.
    boundary, body = encode_multipart({"csrf_token": client.csrf_token(), "kind": "file",
                                       "file": FileStorage(io.BytesIO(big), "gros.pdf")})
    response = client.post_without_csrf(f"/ressources/rencontre/{meeting.id}/ajouter", data=body,
                                        content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    assert [r.size for r in _resources()] == [len(big)]


def test_upload_without_file_or_csrf_is_refused(login, client, facilitator, meeting, upload):
    login(facilitator)
    response = client.post(f"/ressources/rencontre/{meeting.id}/ajouter", data={"kind": "file"})
    assert "Choisissez un fichier." in page_text(response)
    response = client.post_without_csrf(f"/ressources/rencontre/{meeting.id}/ajouter",
                                        data={"kind": "link", "title": "x", "url": "https://example.org"})
    assert response.status_code == 400  # the French « Formulaire expiré » page
    assert _resources() == []


def test_attach_link_and_refuse_a_javascript_url(login, client, facilitator, meeting):
    login(facilitator)
    response = client.post(f"/ressources/rencontre/{meeting.id}/ajouter",
                           data={"kind": "link", "title": "Site de la Caf", "url": "javascript:alert(1)"})
    assert "Adresse invalide : elle doit commencer par https:// ou http://." in page_text(response)
    response = client.post(f"/ressources/rencontre/{meeting.id}/ajouter",
                           data={"kind": "link", "title": "Site de la Caf", "url": "https://www.caf.fr/"})
    assert response.status_code == 302
    assert [(r.kind, r.url, r.blob_id) for r in _resources()] == [("link", "https://www.caf.fr/", None)]


# --- downloads ---------------------------------------------------------------------------------------

def test_download_pdf_inline_with_rfc5987_name_nosniff_private(login, client, facilitator, meeting, upload):
    login(facilitator)
    data = samples.pdf()
    upload(meeting, data=data, name="Réunion des élus.pdf")
    [resource] = _resources()
    response = client.get(f"/ressources/{resource.id}/telecharger")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"Reunion des elus.pdf\"; filename*=UTF-8''" + quote("Réunion des élus.pdf"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_downloads_are_counted_per_day_without_who(login, client, make_client, facilitator, coordinator, meeting,
                                                  stored):
    from network.calendar import to_paris
    from network.database import utcnow
    from network.network_versions import network_version
    from network.resources.models import ResourceDownload
    login(coordinator)
    version = network_version(meeting.network_id)
    db.session.rollback()
    for _ in range(2):
        assert client.get(f"/ressources/{stored.id}/telecharger").status_code == 200
    rows = db.session.execute(select(ResourceDownload.resource_id, ResourceDownload.day, ResourceDownload.count)).all()
    assert rows == [(stored.id, to_paris(utcnow()).date(), 2)]
    assert network_version(meeting.network_id) == version  # a download leaves the network's results alone
    assert [c.name for c in ResourceDownload.__table__.columns] == ["resource_id", "day", "count"]


def test_download_office_file_as_attachment(login, client, facilitator, meeting, upload):
    login(facilitator)
    upload(meeting, data=samples.docx(), name="../../Relevé\x07 de décisions.docx")
    [resource] = _resources()
    response = client.get(f"/ressources/{resource.id}/telecharger")
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Releve de decisions.docx\"; filename*=UTF-8''" + quote("Relevé de décisions.docx"))


def test_download_polyglot_is_served_as_pdf_only(login, client, facilitator, meeting, upload):
    login(facilitator)
    upload(meeting, data=samples.pdf_html_polyglot(), name="page.html")
    [resource] = _resources()
    response = client.get(f"/ressources/{resource.id}/telecharger")
    assert (response.headers["Content-Type"], response.headers["X-Content-Type-Options"]) == (
        "application/pdf", "nosniff")
    assert response.headers["Content-Disposition"].startswith("inline; filename=page.pdf")


# --- who sees what -------------------------------------------------------------------------------------

@pytest.fixture
def stored(facilitator, meeting, login, make_client, upload):
    upload(meeting, on=login(facilitator, on=make_client()))
    [resource] = _resources()
    return resource


@pytest.mark.parametrize(("who", "materials", "download"), [
    ("facilitator", 200, 200),
    ("coordinator", 200, 200),
    ("outsider", 404, 404),
    ("admin", 403, 404),  # no role on a network's pages; a download only of what was shared nationally
])
def test_permission_matrix_of_materials(request, login, client, meeting, stored, who, materials, download):
    login(request.getfixturevalue(who))
    assert client.get(f"/ressources/rencontre/{meeting.id}").status_code == materials
    assert client.get(f"/ressources/{stored.id}/telecharger").status_code == download


def test_anonymous_is_sent_to_login(client, meeting, stored):
    assert client.get(f"/ressources/{stored.id}/telecharger").location == (
        f"/connexion?next=/ressources/{stored.id}/telecharger")
    assert client.get(f"/ressources/rencontre/{meeting.id}").status_code == 302


@pytest.mark.parametrize("who", ["coordinator", "outsider"])
def test_upload_refused_to_who_does_not_facilitate_the_network(request, login, client, meeting, upload, who):
    login(request.getfixturevalue(who))
    expected = 403 if who == "coordinator" else 404
    assert client.get(f"/ressources/rencontre/{meeting.id}/ajouter").status_code == expected
    assert upload(meeting).status_code == expected
    assert _resources() == []


def test_guest_link_shows_and_serves_the_meeting_materials(client, meeting, stored):
    invitation = Invitation(meeting_id=meeting.id, guest_email="intervenante@example.org", guest_name="Mme Martin")
    db.session.add(invitation)
    db.session.commit()
    token = make_guest_token(invitation)
    page = client.get(f"/ressources/invite/{token}")
    assert page.status_code == 200
    assert f"/ressources/invite/{token}/{stored.id}" in page_text(page)
    response = client.get(f"/ressources/invite/{token}/{stored.id}")
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/pdf")


def test_guest_link_does_not_open_another_meeting_or_a_tampered_token(client, network, meeting, stored):
    from tests.sessions.factories import create_meeting
    other = create_meeting(network)
    invitation = Invitation(meeting_id=other.id, guest_email="x@example.org", guest_name="X")
    db.session.add(invitation)
    db.session.commit()
    token = make_guest_token(invitation)
    assert client.get(f"/ressources/invite/{token}/{stored.id}").status_code == 404
    assert client.get(f"/ressources/invite/{token[:-2]}xx").status_code == 404
    assert client.get("/ressources/invite/" + "a" * 5000).status_code == 404


def test_member_invitation_is_no_guest_link(client, coordinator, meeting, stored):
    [invitation] = __import__("tests.sessions.factories", fromlist=["invite"]).invite(meeting, coordinator)
    assert client.get(f"/ressources/invite/{make_guest_token(invitation)}").status_code == 404


@pytest.mark.parametrize("path", [
    "/ressources/99999999999999999999/telecharger", "/ressources/rencontre/99999999999999999999",
    "/ressources/-1/telecharger", "/ressources/rencontre/0/compte-rendu/versions/0",
    "/ressources/?annee=abc&type=<script>&q=%00%ff", "/ressources/?annee=99999999999999999999",
])
def test_hostile_ids_and_parameters_never_break(login, client, coordinator, path):
    login(coordinator)
    assert client.get(path).status_code in (200, 400, 404)  # 400: a control character in the query (network/routing.py)


# --- deletion ------------------------------------------------------------------------------------------

def test_delete_removes_the_resource_and_its_unshared_blob(login, client, facilitator, meeting, stored):
    login(facilitator)
    response = client.post(f"/ressources/{stored.id}/supprimer")
    assert response.status_code == 302
    assert _resources() == []
    assert db.session.scalar(select(func.count()).select_from(FileBlob)) == 0
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
        "resource.upload", "resource.delete"]


def test_delete_keeps_a_blob_another_resource_holds(login, client, facilitator, meeting, stored, upload):
    login(facilitator)
    upload(meeting, name="copie.pdf")
    client.post(f"/ressources/{stored.id}/supprimer")
    assert db.session.scalar(select(func.count()).select_from(FileBlob)) == 1


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("outsider", 404)])
def test_delete_refused(request, login, client, stored, who, status):
    login(request.getfixturevalue(who))
    assert client.post(f"/ressources/{stored.id}/supprimer").status_code == status
    assert len(_resources()) == 1


def test_meeting_page_links_to_its_documents(login, client, coordinator, meeting):
    login(coordinator)
    page = page_text(client.get(f"/rencontres/{meeting.id}"))
    assert f'href="/ressources/rencontre/{meeting.id}"' in page


WEIRD_QUERIES = ["", "?q=%00%01%ff&annee=-1&type=%3Cscript%3E&par=theme&theme=x&point=abc",
                 "?annee=99999999999999999999999&q=" + "a" * 5000, "?q=%22%27)%20OR%201%3D1--&type=link"]


@pytest.mark.parametrize("who", ["facilitator", "coordinator", "outsider", "admin"])
def test_every_resources_page_answers_hostile_input_without_error(app, request, login, client, meeting, stored, who):
    login(request.getfixturevalue(who))
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("resources.") or "GET" not in rule.methods:
            continue
        values = {name: (meeting.id if name == "meeting_id" else stored.id if name == "resource_id" else 1)
                  if "int" in type(converter).__name__.lower() else "x" * 300
                  for name, converter in rule._converters.items()}
        path = rule.build(values)[1]
        for query in WEIRD_QUERIES:
            status = client.get(path + query).status_code
            assert status in (200, 302, 400, 403, 404), (path + query, status)
        for form in ({"kind": "zzz", "agenda_item_id": "abc", "title": "x\x00", "url": "javascript:1"},
                     {"frequency": ["each", "none"], "theme": "\uffff\u202e", "body": "a" * 200_000}):
            assert client.post(path, data=form).status_code in (200, 302, 400, 403, 404, 405), path
