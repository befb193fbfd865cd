"""Sending invitations through the outbox to a real SMTP server; answers by link and on the site; reminders."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.database import utcnow
from network.extensions import db
from network.members.services import deactivate_member
from network.outbox import OutboxMessage, send_due
from network.privacy.services import erase_member
from network.sessions import services
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.models import Invitation
from network.sessions.services.mailing import rsvp_links
from network.sessions.tokens import make_rsvp_token
from tests import factories
from tests.sessions import factories as sf


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def meeting(network, venue):
    return sf.create_meeting(network, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END, venue=venue,
                             title="Rencontre du réseau — 2e trimestre 2027")


def test_invitation_email_layout_as_received(smtp_server, network, meeting, caf_facilitator):
    factories.create_member(network=network, email="inactive@example.test", is_active=False)
    services.add_guest(actor=caf_facilitator, meeting=meeting, name="Mme Intervenante", email="Guest@Partner.test")
    sent = services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    report = send_due()
    by_recipient = {mail.rcpt_tos[0]: mail.message for mail in smtp_server.received}
    assert sent == 2  # the active member and the guest; never the deactivated member
    assert report.sent == 2
    assert sorted(by_recipient) == ["claire@example.test", "guest@partner.test"]
    message = by_recipient["guest@partner.test"]
    assert message.get_content_type() == "multipart/mixed"
    body, attachment = message.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in body.get_payload()] == ["text/plain", "text/html", "text/calendar"]
    calendar_part = body.get_payload()[2]
    assert calendar_part["Content-Transfer-Encoding"] == "base64"
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_param("charset") == "utf-8"
    ics = calendar_part.get_payload(decode=True)
    assert b"METHOD:REQUEST\r\n" in ics
    assert attachment.get_filename() == "invitation.ics"
    assert attachment.get_payload(decode=True) == ics
    assert message["Subject"] == "Invitation : Rencontre du réseau — 2e trimestre 2027 — 15 juin 2027"
    assert message["Reply-To"] == network.mailbox_email
    text = body.get_payload()[0].get_content()
    assert "de 9\u00a0h\u00a030 à 16\u00a0h (heure de Paris)" in text
    assert "/rencontres/reponse/" in text


def test_send_twice_sends_each_invitation_once(smtp_server, network, meeting, caf_facilitator):
    factories.create_member(network=network)
    first = services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    second = services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    assert (first, second) == (2, 0)
    assert _count(Invitation) == 2
    assert _count(OutboxMessage) == 2
    assert meeting.status == MeetingStatus.INVITED


def test_double_click_on_the_button_sends_once(client, login, network, meeting, caf_facilitator):
    factories.create_member(network=network)
    login(caf_facilitator)
    client.post(f"/rencontres/{meeting.id}/invitations")
    response = client.post(f"/rencontres/{meeting.id}/invitations", follow_redirects=True)
    assert "Tout le monde a déjà reçu son invitation." in sf.page_text(response)
    assert _count(OutboxMessage) == 2


def test_new_member_after_sending_gets_only_their_invitation(network, meeting, caf_facilitator):
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    factories.create_member(network=network, email="nouvelle@example.test")
    assert services.send_invitations(meeting, actor=caf_facilitator) == 1
    assert _count(OutboxMessage) == 2


def test_guest_already_invited_is_refused(network, meeting, caf_facilitator):
    services.add_guest(actor=caf_facilitator, meeting=meeting, name="A", email="a@partner.test")
    with pytest.raises(services.planning.Conflict, match="déjà invitée"):
        services.add_guest(actor=caf_facilitator, meeting=meeting, name="A bis", email="A@partner.test")


# --- answers by signed link -----------------------------------------------------------------------

@pytest.fixture
def invitation(network, meeting, caf_facilitator):
    member = factories.create_member(network=network, first_name="Inès")
    services.send_invitations(meeting, actor=caf_facilitator)
    db.session.commit()
    return db.session.scalar(select(Invitation).where(Invitation.member_id == member.id))


def test_rsvp_link_get_shows_choice_without_answering(client, invitation):
    response = client.get(f"/rencontres/reponse/{make_rsvp_token(invitation)}?reponse=no")
    page = sf.page_text(response)
    assert response.status_code == 200
    assert "Bonjour Inès" in page
    assert '<input checked id="answer-1" name="answer" required type="radio" value="no">' in page
    assert invitation.rsvp == Rsvp.PENDING


def test_rsvp_link_post_records_answer_without_login(client, invitation):
    token = make_rsvp_token(invitation)
    response = client.post(f"/rencontres/reponse/{token}", data={"answer": "excused", "comment": "Conseil communautaire"})
    db.session.refresh(invitation)
    assert response.status_code == 200
    assert "Merci, votre réponse est enregistrée" in sf.page_text(response)
    assert (invitation.rsvp, invitation.rsvp_comment) == ("excused", "Conseil communautaire")
    assert invitation.responded_at is not None


def test_rsvp_links_in_email_are_absolute(app, invitation):
    links = rsvp_links(invitation)
    assert links["yes"].startswith(app.config["PUBLIC_BASE_URL"] + "/rencontres/reponse/")
    assert links["yes"].endswith("?reponse=yes")


@pytest.mark.parametrize("tamper", [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), lambda t: "x" + t,
                                    lambda t: "nimportequoi"])
def test_tampered_rsvp_link_is_refused(client, invitation, tamper):
    response = client.get(f"/rencontres/reponse/{tamper(make_rsvp_token(invitation))}")
    assert response.status_code == 400
    assert "Ce lien de réponse n'est pas valide." in sf.page_text(response)


def test_rsvp_link_stops_working_after_the_meeting(client, invitation, meeting):
    token = make_rsvp_token(invitation)
    meeting.starts_at = utcnow() - timedelta(hours=8)
    meeting.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = client.post(f"/rencontres/reponse/{token}", data={"answer": "yes"})
    db.session.refresh(invitation)
    assert response.status_code == 400
    assert "Cette rencontre est passée" in sf.page_text(response)
    assert invitation.rsvp == Rsvp.PENDING


def test_rsvp_link_of_a_cancelled_meeting_is_refused(client, invitation, meeting, caf_facilitator):
    services.cancel_meeting(meeting, actor=caf_facilitator)
    db.session.commit()
    response = client.get(f"/rencontres/reponse/{make_rsvp_token(invitation)}")
    assert response.status_code == 400
    assert "Cette rencontre a été annulée." in sf.page_text(response)


def test_rsvp_from_the_site(client, login, invitation, meeting):
    member = db.session.get(factories.Member, invitation.member_id)
    login(member)
    response = client.post(f"/rencontres/{meeting.id}/reponse", data={"answer": "yes"}, follow_redirects=True)
    db.session.refresh(invitation)
    assert "Réponse enregistrée : oui." in sf.page_text(response)
    assert invitation.rsvp == Rsvp.YES


def test_rsvp_from_the_site_without_answer_is_refused(client, login, invitation, meeting):
    login(db.session.get(factories.Member, invitation.member_id))
    response = client.post(f"/rencontres/{meeting.id}/reponse", data={}, follow_redirects=True)
    assert "Choisissez une réponse : oui, non ou excusé·e." in sf.page_text(response)


def test_answer_with_unknown_value_is_refused(invitation):
    with pytest.raises(services.planning.DomainError, match="Réponse inconnue"):
        services.answer_invitation(invitation, answer="maybe", comment=None, actor=None)


def test_answer_for_someone_else_is_refused(invitation, coordinator):
    with pytest.raises(services.planning.NotAllowed):
        services.answer_invitation(invitation, answer="yes", comment=None, actor=coordinator)


# --- reminders ------------------------------------------------------------------------------------

def test_reminders_go_once_to_yes_and_silent_members(app, network, caf_facilitator, smtp_server):
    soon = sf.create_meeting(network, starts_at=utcnow() + timedelta(days=3))
    yes, silent, no = (factories.create_member(network=network) for _ in range(3))
    sf.invite(soon, yes, rsvp=Rsvp.YES)
    sf.invite(soon, silent)
    sf.invite(soon, no, rsvp=Rsvp.NO)
    soon.status = MeetingStatus.INVITED
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["sessions", "send-reminders", "--days", "7"])
    second = runner.invoke(args=["sessions", "send-reminders", "--days", "7"])
    send_due()
    assert first.output.startswith("reminders queued=2")
    assert second.output.startswith("reminders queued=0")
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.received) == sorted([yes.email, silent.email])
    assert smtp_server.messages[0]["Subject"].startswith("Rappel : ")


def test_reminders_skip_meetings_beyond_the_window(network):
    later = sf.create_meeting(network, starts_at=utcnow() + timedelta(days=20), status=MeetingStatus.INVITED)
    sf.invite(later, factories.create_member(network=network))
    assert services.send_reminders(days=7) == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fate", ["deactivated", "erased"])
def test_rsvp_link_of_a_deactivated_or_erased_member_is_dead(client, invitation, admin, caf_facilitator, fate, method):
    """Issue #14 §4: a clear French page, and nothing recorded."""
    token = make_rsvp_token(invitation)
    member = db.session.get(factories.Member, invitation.member_id)
    if fate == "deactivated":
        deactivate_member(actor=caf_facilitator, member=member)
    else:
        erase_member(actor=admin, member=member)
    db.session.commit()
    url = f"/rencontres/reponse/{token}"
    response = client.get(url + "?reponse=yes") if method == "GET" else client.post(url, data={"answer": "yes"})
    db.session.refresh(invitation)
    page = sf.page_text(response)
    assert response.status_code == 400
    assert "Lien de réponse inutilisable" in page
    assert "Ce lien ne fonctionne plus\u202f: cette invitation n'est plus active." in page
    assert "Inès" not in page
    assert (invitation.rsvp, invitation.responded_at) == (Rsvp.PENDING, None)
