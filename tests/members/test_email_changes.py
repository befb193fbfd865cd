"""Issue #14 §1: an activated member's email address changes only with their approval (DESIGN.md §7).

Every email here goes through the outbox to the real SMTP server of tests/conftest.py and is parsed back."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from click.testing import Result
from sqlalchemy import func, select

from network.audit import AuditEvent
from network.database import utcnow
from network.members import email_changes, services, tokens
from network.members.models import EmailChange, Member, Network
from network.outbox import send_due
from network.privacy.services import erase_member
from network.throttle import ThrottleEvent
from tests import factories

ATTACKER = "pirate@evil.example"
NEW_PASSWORD = "les chargés de coopération"
LINK = re.compile(r"https?://[^/\s]+(/(?:adresse|mot-de-passe)/[a-z]+/[\w.\-]+)")


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def links(message) -> list[str]:
    return LINK.findall(text_of(message))


def delivered(smtp_server) -> dict[str, list]:
    """Send what the outbox holds; {recipient: [messages]}, then forget them."""
    send_due()
    by_recipient: dict[str, list] = {}
    for mail in smtp_server.received:
        for recipient in mail.rcpt_tos:
            by_recipient.setdefault(recipient, []).append(mail.message)
    smtp_server.clear()
    return by_recipient


def audit_actions(db, member) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == member.id, AuditEvent.action.like("member.email_change.%")).order_by(AuditEvent.id)))


def edit_form(member: Member, **values) -> dict:
    form = {"first_name": member.first_name, "last_name": member.last_name, "email": member.email,
            "role": member.role, "phone": "", "job_title": "", "institution_id": "", "territory_id": "",
            "joined_on": "2024-01-01"}
    form.update(values)
    return form


def post_link(client, path, expected=200):
    """Open an emailed link as a person would: the page (GET) shows a button, which posts the form."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True).replace('&#39;', "'")[:300]
    response = client.post(path)
    assert response.status_code == expected, response.get_data(as_text=True).replace('&#39;', "'")[:300]
    return response


@pytest.fixture
def editor(request, network, facilitator, admin):
    return {"facilitator": facilitator, "admin": admin}[request.param]


# --- the takeover of the issue, end to end ----------------------------------------------------------------

@pytest.mark.parametrize("editor", ["facilitator", "admin"], indirect=True)
def test_email_edit_then_anonymous_reset_does_not_take_the_account(client, make_client, login, network, editor,
                                                                   coordinator, smtp_server, db):
    victim_browser = login(coordinator, on=make_client())
    login(editor)
    response = client.post(f"/membres/{coordinator.id}/modifier", edit_form(coordinator, email=ATTACKER))
    assert response.status_code == 302
    client.logout()

    attacker = make_client()
    assert attacker.post("/mot-de-passe/oublie", {"email": ATTACKER}).status_code == 302
    mail = delivered(smtp_server)

    # nothing reaches the attacker's address; the member's current address is asked
    assert list(mail) == [coordinator.email]
    [approval] = mail[coordinator.email]
    assert approval["Subject"] == "Changement de votre adresse e-mail\u202f: votre accord est nécessaire — Réseau"
    assert f"nouvelle adresse\u202f: {ATTACKER}" in text_of(approval)
    db.session.refresh(coordinator)
    assert coordinator.email == "coordinatrice@example.test"
    assert factories.TEST_PASSWORD and login(coordinator, on=make_client())  # the password still works
    assert victim_browser.get("/profil").status_code == 200  # the member's session is untouched
    assert db.session.scalar(select(Member.id).where(Member.email == ATTACKER)) is None
    assert audit_actions(db, coordinator) == ["member.email_change.request"]

    # the member refuses from the link sent to the current address; the attacker's address never verifies
    [approve_path, refuse_path] = links(approval)
    post_link(make_client(), refuse_path)
    assert make_client().get(approve_path).status_code == 400
    assert attacker.post("/mot-de-passe/oublie", {"email": ATTACKER}).status_code == 302
    assert delivered(smtp_server) == {}
    assert audit_actions(db, coordinator) == ["member.email_change.request", "member.email_change.refuse"]


@pytest.mark.parametrize("editor", ["facilitator", "admin"], indirect=True)
def test_email_edit_confirmed_from_the_new_address_alone_changes_nothing(client, make_client, login, network, editor,
                                                                         coordinator, smtp_server, db):
    login(editor)
    client.post(f"/membres/{coordinator.id}/modifier", edit_form(coordinator, email=ATTACKER))
    change = db.session.scalar(select(EmailChange))
    forged = tokens.make_email_change_token(change, coordinator, "verify")  # as if the attacker had a verify link
    response = make_client().post(f"/adresse/confirmer/{forged}")
    assert response.status_code == 400
    db.session.refresh(coordinator)
    assert coordinator.email == "coordinatrice@example.test"


# --- a correction approved by the member, then verified by the new address -----------------------------------

def test_email_correction_approved_then_verified_takes_effect(client, make_client, login, network, facilitator,
                                                              coordinator, smtp_server, db):
    other_session = login(coordinator, on=make_client())
    old_reset = tokens.make_password_token(coordinator, tokens.PASSWORD_RESET)
    login(facilitator)
    client.post(f"/membres/{coordinator.id}/modifier", edit_form(coordinator, email="Sophie.Nouvelle@Example.org"))
    [approval] = delivered(smtp_server)[coordinator.email]
    approve_path, refuse_path = links(approval)
    assert approve_path.startswith("/adresse/approuver/") and refuse_path.startswith("/adresse/refuser/")
    page = make_client().get(approve_path).get_data(as_text=True).replace('&#39;', "'")
    assert "<strong>sophie.nouvelle@example.org</strong>" in page and "J'accepte cette nouvelle adresse" in page

    done = post_link(make_client(), approve_path)
    assert "Un lien de confirmation est envoyé à la nouvelle adresse" in done.get_data(as_text=True).replace('&#39;', "'")
    assert make_client().get(approve_path).status_code == 400  # used
    assert make_client().get(refuse_path).status_code == 400  # decided
    mail = delivered(smtp_server)
    assert list(mail) == ["sophie.nouvelle@example.org"]
    [verification] = mail["sophie.nouvelle@example.org"]
    assert verification["Subject"] == "Confirmez votre nouvelle adresse e-mail — Réseau"
    [verify_path] = links(verification)
    db.session.refresh(coordinator)
    assert coordinator.email == "coordinatrice@example.test"  # not before the new address confirms

    post_link(make_client(), verify_path)
    db.session.refresh(coordinator)
    assert coordinator.email == "sophie.nouvelle@example.org"
    mail = delivered(smtp_server)
    assert list(mail) == ["coordinatrice@example.test"]
    [notice] = mail["coordinatrice@example.test"]
    assert notice["Subject"] == "Votre adresse e-mail a changé — Réseau"
    assert "c'est désormais sophie.nouvelle@example.org (au lieu de coordinatrice@example.test)" in text_of(notice)
    assert other_session.get("/profil").status_code == 302  # other sessions ended
    assert make_client().get(f"/mot-de-passe/reinitialisation/{old_reset}").status_code == 400  # old link died
    assert make_client().get(verify_path).status_code == 400
    login(coordinator, on=make_client())  # signs in with the new address
    assert audit_actions(db, coordinator) == [
        "member.email_change.request", "member.email_change.approve", "member.email_change.verify"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.email_change.request"))
    assert (event.actor_id, event.fields) == (facilitator.id, "email")


def test_email_correction_approved_signed_in_from_the_profile(client, login, network, facilitator, coordinator,
                                                              smtp_server, db):
    email_changes.propose_email_correction(coordinator, "sophie@example.org", actor=facilitator)
    db.session.commit()
    delivered(smtp_server)
    login(coordinator)
    profile = client.get("/profil").get_data(as_text=True).replace('&#39;', "'")
    assert "Changement d'adresse e-mail en cours" in profile and "<strong>sophie@example.org</strong>" in profile
    assert f"{facilitator.full_name} (co-animateur·rice) propose de remplacer" in profile
    response = client.post("/profil/adresse/approuver")
    assert response.status_code == 302
    assert list(delivered(smtp_server)) == ["sophie@example.org"]
    assert db.session.scalar(select(EmailChange.status)) == "awaiting_verification"


def test_email_correction_refused_signed_in_from_the_profile(client, login, network, facilitator, coordinator, db):
    email_changes.propose_email_correction(coordinator, ATTACKER, actor=facilitator)
    db.session.commit()
    login(coordinator)
    assert client.post("/profil/adresse/refuser").status_code == 302
    assert db.session.scalar(select(EmailChange.status)) == "refused"
    assert client.post("/profil/adresse/approuver").status_code == 404  # nothing left to approve


def test_email_change_decision_of_another_member_is_not_allowed(db, network, facilitator, coordinator):
    change = email_changes.propose_email_correction(coordinator, "x@example.org", actor=facilitator)
    with pytest.raises(email_changes.NotAllowed):
        email_changes.approve_email_change(change, coordinator, actor=facilitator)


def test_email_change_link_of_one_action_does_not_work_as_another(client, network, facilitator, coordinator, db):
    change = email_changes.propose_email_correction(coordinator, ATTACKER, actor=facilitator)
    db.session.commit()
    refuse = tokens.make_email_change_token(change, coordinator, "refuse")
    assert client.get(f"/adresse/approuver/{refuse}").status_code == 400
    assert client.get(f"/adresse/refuser/{refuse}x").status_code == 400
    assert client.get(f"/adresse/refuser/{refuse}").status_code == 200


def test_a_new_correction_supersedes_the_pending_one_and_its_links(client, network, facilitator, coordinator, db):
    first = email_changes.propose_email_correction(coordinator, "a@example.org", actor=facilitator)
    db.session.commit()
    approve = tokens.make_email_change_token(first, coordinator, "approve")
    email_changes.propose_email_correction(coordinator, "b@example.org", actor=facilitator)
    db.session.commit()
    assert [c.status for c in db.session.scalars(select(EmailChange).order_by(EmailChange.id))] == [
        "superseded", "awaiting_approval"]
    assert client.get(f"/adresse/approuver/{approve}").status_code == 400


def test_email_correction_to_a_taken_address_is_refused_in_french(client, login, network, facilitator, coordinator):
    factories.create_member(network=network, email="prise@example.org")
    login(facilitator)
    response = client.post(f"/membres/{coordinator.id}/modifier", edit_form(coordinator, email="prise@example.org"))
    assert response.status_code == 200
    assert "Un compte existe déjà avec cette adresse e-mail." in response.get_data(as_text=True).replace('&#39;', "'")


def test_own_address_is_not_changed_through_the_member_form(client, login, admin, db):
    login(admin)
    response = client.post(f"/membres/{admin.id}/modifier", edit_form(admin, email="autre@example.org"))
    assert response.status_code == 200
    assert "Votre propre adresse se change depuis «\u00a0Mon profil\u00a0»" in response.get_data(as_text=True).replace('&#39;', "'")
    db.session.refresh(admin)
    assert admin.email == "admin@example.test"


# --- before activation, a facilitator corrects a typo ---------------------------------------------------------

def test_email_typo_before_activation_is_corrected_at_once_and_the_old_link_dies(client, make_client, login, network,
                                                                                facilitator, smtp_server, db):
    newcomer = factories.create_member(network=network, email="helene@exmaple.org", with_password=False)
    old_link = f"/mot-de-passe/activation/{tokens.make_password_token(newcomer, tokens.PASSWORD_SETUP)}"
    login(facilitator)
    client.post(f"/membres/{newcomer.id}/modifier", edit_form(newcomer, email="helene@example.org"))
    db.session.refresh(newcomer)
    assert newcomer.email == "helene@example.org"
    assert make_client().get(old_link).status_code == 400
    mail = delivered(smtp_server)
    assert list(mail) == ["helene@example.org"]
    [new_link] = links(mail["helene@example.org"][0])
    assert make_client().get(new_link).status_code == 200
    assert db.session.scalar(select(EmailChange.id)) is None


# --- the member's own change ------------------------------------------------------------------------------------

def test_own_email_change_needs_the_password_and_the_new_address(client, make_client, login, network, coordinator,
                                                                 smtp_server, db):
    other_session = login(coordinator, on=make_client())
    login(coordinator)
    wrong = client.post("/profil/adresse", {"new_email": "sophie@example.org", "password": "pas le bon"})
    assert wrong.status_code == 200 and "Mot de passe incorrect." in wrong.get_data(as_text=True).replace('&#39;', "'")
    assert 'value="sophie@example.org"' in wrong.get_data(as_text=True).replace('&#39;', "'")
    assert db.session.scalar(select(EmailChange.id)) is None

    response = client.post("/profil/adresse", {"new_email": "sophie@example.org", "password": factories.TEST_PASSWORD})
    assert response.status_code == 302
    mail = delivered(smtp_server)
    assert list(mail) == ["sophie@example.org"]
    [verify_path] = links(mail["sophie@example.org"][0])
    post_link(client, verify_path)  # opened in the signed-in browser: this session stays
    db.session.refresh(coordinator)
    assert coordinator.email == "sophie@example.org"
    assert list(delivered(smtp_server)) == ["coordinatrice@example.test"]  # the old address is told
    assert client.get("/profil").status_code == 200
    assert other_session.get("/profil").status_code == 302
    assert audit_actions(db, coordinator) == ["member.email_change.request", "member.email_change.verify"]


def test_own_email_change_wrong_passwords_are_limited(client, login, network, coordinator, db):
    login(coordinator)
    for _ in range(email_changes.WRONG_PASSWORD_LIMIT):
        client.post("/profil/adresse", {"new_email": "sophie@example.org", "password": "pas le bon"})
    response = client.post("/profil/adresse", {"new_email": "sophie@example.org",
                                               "password": factories.TEST_PASSWORD})
    assert "Trop d'essais de mot de passe." in response.get_data(as_text=True).replace('&#39;', "'")
    assert db.session.scalar(select(EmailChange.id)) is None


def test_own_email_change_cancelled_before_verification(client, login, network, coordinator, smtp_server, db):
    login(coordinator)
    client.post("/profil/adresse", {"new_email": "sophie@example.org", "password": factories.TEST_PASSWORD})
    [verify_path] = links(delivered(smtp_server)["sophie@example.org"][0])
    assert client.post("/profil/adresse/annuler").status_code == 302
    assert client.get(verify_path).status_code == 400
    assert audit_actions(db, coordinator) == ["member.email_change.request", "member.email_change.cancel"]


# --- an admin's forced change for a lost address -------------------------------------------------------------------

def test_forced_change_tells_both_addresses_and_waits_72_hours(client, make_client, login, network, admin,
                                                               coordinator, smtp_server, db):
    login(admin)
    page = client.get(f"/membres/{coordinator.id}/adresse/imposer")
    assert page.status_code == 200 and "Imposer une nouvelle adresse e-mail" in page.get_data(as_text=True).replace('&#39;', "'")
    unchecked = client.post(f"/membres/{coordinator.id}/adresse/imposer", {"new_email": "sophie@example.org"})
    assert "Confirmez que vous avez vérifié l'identité de la personne." in unchecked.get_data(as_text=True).replace('&#39;', "'")
    response = client.post(f"/membres/{coordinator.id}/adresse/imposer",
                           {"new_email": "sophie@example.org", "checked": "y"})
    assert response.status_code == 302
    change = db.session.scalar(select(EmailChange))
    assert (change.kind, change.status) == ("forced", "scheduled")
    assert timedelta(hours=71, minutes=59) < change.effective_at - utcnow() <= timedelta(hours=72)
    mail = delivered(smtp_server)
    assert sorted(mail) == ["coordinatrice@example.test", "sophie@example.org"]
    assert mail["coordinatrice@example.test"][0]["Subject"] == "Votre adresse e-mail va être remplacée — Réseau"
    assert "(dans 72 heures)" in text_of(mail["coordinatrice@example.test"][0])
    assert links(mail["sophie@example.org"][0]) == []  # nothing to click at the new address
    # before the delay, the new address is nobody's
    assert make_client().post("/connexion", {"email": "sophie@example.org",
                                             "password": factories.TEST_PASSWORD}).status_code == 200
    assert audit_actions(db, coordinator) == ["member.email_change.force"]


def test_forced_change_cancelled_from_the_old_address(client, make_client, login, network, admin, coordinator,
                                                      smtp_server, db):
    email_changes.force_email_change(coordinator, ATTACKER, actor=admin)
    db.session.commit()
    [cancel_path] = links(delivered(smtp_server)[coordinator.email][0])
    assert cancel_path.startswith("/adresse/annuler/")
    post_link(make_client(), cancel_path)
    assert email_changes.apply_due_email_changes(now=utcnow() + timedelta(hours=73)) == 0
    db.session.commit()
    db.session.refresh(coordinator)
    assert coordinator.email == "coordinatrice@example.test"
    assert audit_actions(db, coordinator) == ["member.email_change.force", "member.email_change.cancel"]


def test_forced_change_applies_lazily_at_login_after_the_delay(client, make_client, login, network, admin,
                                                               coordinator, smtp_server, db):
    other_session = login(coordinator, on=make_client())
    change = email_changes.force_email_change(coordinator, "sophie@example.org", actor=admin)
    db.session.commit()
    delivered(smtp_server)
    change.effective_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = make_client().post("/connexion", {"email": "sophie@example.org", "password": factories.TEST_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(coordinator)
    assert coordinator.email == "sophie@example.org"
    assert other_session.get("/profil").status_code == 302
    assert list(delivered(smtp_server)) == ["coordinatrice@example.test"]
    assert audit_actions(db, coordinator) == ["member.email_change.force", "member.email_change.apply"]


def test_forced_change_applied_by_the_cron_command(app, network, admin, coordinator, db):
    change = email_changes.force_email_change(coordinator, "sophie@example.org", actor=admin)
    change.effective_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result: Result = app.test_cli_runner().invoke(args=["members", "apply-email-changes"])
    assert result.exit_code == 0, result.output
    assert result.output == "email changes applied=1; run `flask outbox send` to deliver the notices\n"
    db.session.refresh(coordinator)
    assert coordinator.email == "sophie@example.org"


@pytest.mark.parametrize("actor", ["facilitator", "coordinator"])
def test_forced_change_page_is_refused_to_other_roles(client, login, network, facilitator, coordinator, actor):
    target = factories.create_member(network=network)
    login({"facilitator": facilitator, "coordinator": coordinator}[actor])
    assert client.get(f"/membres/{target.id}/adresse/imposer").status_code == 403
    assert client.post(f"/membres/{target.id}/adresse/imposer",
                       {"new_email": ATTACKER, "checked": "y"}).status_code == 403


def test_forced_change_of_own_address_is_refused(client, login, admin):
    login(admin)
    assert client.get(f"/membres/{admin.id}/adresse/imposer").status_code == 403


def test_erasure_deletes_the_member_email_changes_and_source_counts(db, network, admin, coordinator):
    email_changes.propose_email_correction(coordinator, "sophie@example.org", actor=admin)
    services.authenticate(coordinator.email, "faux", ip_address="10.0.0.1")
    db.session.commit()
    erase_member(actor=admin, member=coordinator)
    db.session.commit()
    assert db.session.scalar(select(EmailChange.id)) is None
    assert list(db.session.scalars(select(ThrottleEvent.key))) == ["10.0.0.1"]


# --- the services' other exits ---------------------------------------------------------------------------------

def test_propose_email_correction_by_a_coordinator_is_not_allowed(db, network, coordinator):
    other = factories.create_member(network=network)
    with pytest.raises(email_changes.NotAllowed):
        email_changes.propose_email_correction(other, "x@example.org", actor=coordinator)


def test_propose_email_correction_to_the_same_address_is_refused(db, network, facilitator, coordinator):
    with pytest.raises(email_changes.DomainError, match="C'est déjà l'adresse de ce compte."):
        email_changes.propose_email_correction(coordinator, " Coordinatrice@Example.test ", actor=facilitator)


def test_force_email_change_by_a_facilitator_is_not_allowed(db, network, facilitator, coordinator):
    with pytest.raises(email_changes.NotAllowed):
        email_changes.force_email_change(coordinator, "x@example.org", actor=facilitator)


def test_approve_twice_is_an_invalid_transition(db, network, facilitator, coordinator):
    change = email_changes.propose_email_correction(coordinator, "x@example.org", actor=facilitator)
    email_changes.approve_email_change(change, coordinator, actor=None)
    with pytest.raises(email_changes.InvalidTransition):
        email_changes.approve_email_change(change, coordinator, actor=None)


def test_verify_when_the_new_address_was_taken_meanwhile_is_a_conflict(db, network, coordinator):
    change = email_changes.request_own_email_change(coordinator, "x@example.org", password=factories.TEST_PASSWORD)
    db.session.commit()
    factories.create_member(network=network, email="x@example.org")
    with pytest.raises(email_changes.Conflict):
        email_changes.verify_email_change(change, coordinator)


def test_forced_change_to_an_address_taken_meanwhile_is_dropped_and_audited(db, network, admin, coordinator):
    change = email_changes.force_email_change(coordinator, "x@example.org", actor=admin)
    db.session.commit()
    factories.create_member(network=network, email="x@example.org")
    assert email_changes.apply_due_email_changes(now=change.effective_at + timedelta(seconds=1)) == 0
    db.session.commit()
    assert (change.status, coordinator.email) == ("cancelled", "coordinatrice@example.test")
    assert audit_actions(db, coordinator) == ["member.email_change.force", "member.email_change.conflict"]


def test_forced_change_is_not_applied_before_its_delay(db, network, admin, coordinator):
    change = email_changes.force_email_change(coordinator, "x@example.org", actor=admin)
    assert email_changes.apply_due_email_changes(now=change.effective_at - timedelta(seconds=1)) == 0
    assert change.status == "scheduled"


def test_link_of_a_deactivated_member_is_dead(client, network, facilitator, coordinator, db):
    change = email_changes.propose_email_correction(coordinator, "x@example.org", actor=facilitator)
    coordinator.is_active = False
    db.session.commit()
    assert client.get(f"/adresse/approuver/{tokens.make_email_change_token(change, coordinator, 'approve')}"
                      ).status_code == 400


def test_link_dies_when_the_password_changes(client, network, facilitator, coordinator, db):
    change = email_changes.propose_email_correction(coordinator, "x@example.org", actor=facilitator)
    db.session.commit()
    token = tokens.make_email_change_token(change, coordinator, "approve")
    services.set_password(coordinator, "un tout nouveau mot de passe")
    db.session.commit()
    assert client.get(f"/adresse/approuver/{token}").status_code == 400


def test_personal_data_zip_lists_the_member_email_changes(client, login, network, facilitator, coordinator, db):
    email_changes.propose_email_correction(coordinator, ATTACKER, actor=facilitator)
    db.session.commit()
    login(coordinator)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/donnees/mes-donnees.zip").data))
    rows = json.loads(archive.read("donnees.json"))["changements_adresse"]
    assert [(row["ancienne_adresse"], row["nouvelle_adresse"], row["origine"], row["etat"]) for row in rows] == [
        ("coordinatrice@example.test", ATTACKER, "correction", "awaiting_approval")]


def test_forced_change_refused_by_the_service_shows_the_form_again_and_keeps_nothing(client, login, network, admin,
                                                                                     coordinator, monkeypatch, db):
    monkeypatch.setattr(email_changes, "force_email_change",
                        factories.refusing_service("Cette adresse est déjà celle d'un autre compte."))
    login(admin)

    response = client.post(f"/membres/{coordinator.id}/adresse/imposer",
                           {"new_email": "sophie@example.org", "checked": "y"})

    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert 'value="sophie@example.org"' in page  # the input is kept
    assert '<p class="error" id="new_email-error" role="alert">Cette adresse est déjà celle d\'un autre compte.</p>' \
        in page
    assert coordinator.full_name in page
    assert db.session.scalar(select(func.count(Network.id))) == 1  # the refused write is rolled back
