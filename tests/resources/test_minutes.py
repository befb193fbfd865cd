"""Minutes: Markdown rendered and sanitised, published once with one email per invited person, later edits
versioned and shown, the CODEV section from metadata only."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from network.audit import AuditEvent
from network.codev.enums import CaseState, Theme
from network.database import utcnow
from network.extensions import db
from network.outbox import send_due
from network.resources.models import Minutes, MinutesVersion
from network.resources.rendering import render_markdown
from network.sessions.models import Invitation
from tests import factories
from tests.codev.factories import CONTEXT, create_case
from tests.sessions.factories import create_meeting, invite, page_text

BODY = "## Décisions\n\n- Le prochain thème sera **l'accès aux droits**.\n\nPrésentation du SDSF par la Caf."


def _write(client, meeting, body=BODY, summary="Le SDSF présenté, l'accès aux droits choisi."):
    return client.post(f"/ressources/rencontre/{meeting.id}/compte-rendu/rediger", data={"summary": summary,
                                                                                         "body": body})


def _minutes() -> Minutes:
    return db.session.scalar(select(Minutes))


def test_render_markdown_sanitises_html_and_scripts():
    html = str(render_markdown('# Titre\n\n<script>alert(1)</script> [lien](javascript:alert(1)) '
                               '[caf](https://www.caf.fr) <img src=x onerror=alert(1)>'))
    assert html == ('<h2>Titre</h2>\n<p>&lt;script&gt;alert(1)&lt;/script&gt; [lien](javascript:alert(1)) '
                    '<a href="https://www.caf.fr" rel="noopener noreferrer nofollow">caf</a> '
                    '&lt;img src=x onerror=alert(1)&gt;</p>\n')


def test_draft_is_seen_by_facilitators_only(login, client, make_client, facilitator, coordinator, meeting):
    login(facilitator)
    assert _write(client, meeting).status_code == 302
    minutes = _minutes()
    assert (minutes.status, minutes.version, minutes.published_at) == ("draft", 0, None)
    coordinator_client = login(coordinator, on=make_client())
    assert coordinator_client.get(f"/ressources/rencontre/{meeting.id}/compte-rendu").status_code == 404
    page = page_text(client.get(f"/ressources/rencontre/{meeting.id}/compte-rendu"))
    assert "<h2>Décisions</h2>" in page
    assert "Brouillon" in page


def test_publish_sends_one_email_per_invited_person(app, login, client, smtp_server, network, facilitator, coordinator,
                                                     meeting):
    member_gone = factories.create_member(network=network, is_active=False)
    invite(meeting, coordinator, member_gone)
    db.session.add(Invitation(meeting_id=meeting.id, guest_email="intervenante@example.org", guest_name="Mme Martin"))
    db.session.commit()
    login(facilitator)
    _write(client, meeting)
    response = client.post(f"/ressources/rencontre/{meeting.id}/compte-rendu/publier")
    assert response.status_code == 302
    minutes = _minutes()
    assert (minutes.status, minutes.version) == ("published", 1)
    assert send_due().sent == 2
    by_recipient = {mail.rcpt_tos[0]: mail.message for mail in smtp_server.received}
    assert sorted(by_recipient) == ["coordinatrice@example.test", "intervenante@example.org"]
    member_mail = by_recipient["coordinatrice@example.test"]
    assert member_mail["Subject"] == "Compte rendu : Rencontre de printemps"
    text = member_mail.get_body(("plain",)).get_content()
    assert "En bref : Le SDSF présenté, l'accès aux droits choisi." in text
    assert f"Lire le compte rendu : {app.config['PUBLIC_BASE_URL']}/ressources/rencontre/{meeting.id}/compte-rendu" in text
    guest_text = by_recipient["intervenante@example.org"].get_body(("plain",)).get_content()
    assert f"Lire le compte rendu et les documents : {app.config['PUBLIC_BASE_URL']}/ressources/invite/" in guest_text
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
        "minutes.draft", "minutes.publish"]


def test_publish_twice_or_before_the_meeting_is_refused(login, client, network, facilitator, meeting):
    login(facilitator)
    _write(client, meeting)
    client.post(f"/ressources/rencontre/{meeting.id}/compte-rendu/publier")
    response = client.post(f"/ressources/rencontre/{meeting.id}/compte-rendu/publier", follow_redirects=True)
    assert "Ce compte rendu est déjà publié." in page_text(response)
    upcoming = create_meeting(network, starts_at=utcnow() + timedelta(days=3))
    _write(client, upcoming)
    response = client.post(f"/ressources/rencontre/{upcoming.id}/compte-rendu/publier", follow_redirects=True)
    assert "Le compte rendu se publie une fois la rencontre tenue." in page_text(response)


def test_edit_after_publication_is_a_new_version_shown_as_modified(login, client, make_client, facilitator,
                                                                   coordinator, meeting):
    login(facilitator)
    _write(client, meeting)
    client.post(f"/ressources/rencontre/{meeting.id}/compte-rendu/publier")
    _write(client, meeting, body=BODY + "\n\nCorrectif : la date de la prochaine rencontre.")
    _write(client, meeting, body=BODY + "\n\nCorrectif : la date de la prochaine rencontre.")  # unchanged: no version
    minutes = _minutes()
    assert minutes.version == 2
    assert minutes.edited_at is not None
    assert [v.version for v in db.session.scalars(select(MinutesVersion).order_by(MinutesVersion.version))] == [1, 2]
    reader = login(coordinator, on=make_client())
    page = page_text(reader.get(f"/ressources/rencontre/{meeting.id}/compte-rendu"))
    assert "modifié le" in page and "(version 2)" in page
    assert "Correctif : la date de la prochaine rencontre." in page
    first = page_text(reader.get(f"/ressources/rencontre/{meeting.id}/compte-rendu/versions/1"))
    assert "Correctif" not in first and "Version 1 du compte rendu" in first
    assert reader.get(f"/ressources/rencontre/{meeting.id}/compte-rendu/versions/3").status_code == 404


def test_codev_section_comes_from_metadata_only(login, client, network, facilitator, coordinator, meeting):
    for theme, state in ((Theme.EARLY_CHILDHOOD, CaseState.WORKED), (Theme.HOUSING, CaseState.FOLLOWED_UP),
                         (Theme.HOUSING, CaseState.WORKED), (Theme.PARENTING, CaseState.SELECTED)):
        create_case(coordinator, state=state, meeting=meeting, theme=theme, title="Titre confidentiel du cas")
    login(facilitator)
    form = page_text(client.get(f"/ressources/rencontre/{meeting.id}/compte-rendu/rediger"))
    assert "ne recopiez ici aucun contenu des cas" in form
    assert "3 cas travaillés, thèmes : Logement, Petite enfance." in form
    _write(client, meeting)
    page = page_text(client.get(f"/ressources/rencontre/{meeting.id}/compte-rendu"))
    assert "3 cas ont été travaillés en sous-groupes (thèmes : Logement, Petite enfance)." in page
    assert CONTEXT not in page and "Titre confidentiel du cas" not in page


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("outsider", 404)])
def test_writing_minutes_refused(request, login, client, meeting, who, status):
    login(request.getfixturevalue(who))
    assert client.get(f"/ressources/rencontre/{meeting.id}/compte-rendu/rediger").status_code == status
    assert _write(client, meeting).status_code == status
    assert client.post(f"/ressources/rencontre/{meeting.id}/compte-rendu/publier").status_code == status
    assert _minutes() is None


def test_minutes_form_removes_control_characters(login, client, facilitator, meeting):
    """The input policy of every form (network/forms.py) removes them: people paste them without seeing them."""
    login(facilitator)
    response = _write(client, meeting, body="Texte\x00 caché")
    assert response.status_code == 302
    assert _minutes().body == "Texte caché"
