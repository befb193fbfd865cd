"""The TOTP second factor: enrolment at sign-in and from the profile, recovery codes, throttled attempts,
remembered devices, admin reset; required for admins and facilitators only when the configuration says so."""

import re

import pyotp
import pytest
from sqlalchemy import select

from network.audit import AuditEvent
from network.extensions import db
from network.identity import twofactor
from network.identity.models import RecoveryCode, TotpCredential, TrustedDevice
from network.members.services import set_password
from network.outbox import send_due
from tests import factories
from tests.identity.test_sso_flow import flashes

SECRET_PATTERN = re.compile(r'<code class="totp-secret">([A-Z2-7 ]+)</code>')
CODE_PATTERN = re.compile(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>")


def password_step(client, member):
    return client.post("/connexion", data={"email": member.email, "password": factories.TEST_PASSWORD})


def enrol(member, secret=None, *, step_back=1) -> str:
    """A confirmed TOTP credential; its last used step is in the past so the current code is accepted."""
    secret = secret or pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    db.session.add(TotpCredential(member_id=member.id, secret=secret, confirmed_at=factories_now(),
                                  last_used_step=totp.timecode(factories_now()) - step_back - 1))
    db.session.commit()
    return secret


def factories_now():
    from network.database import utcnow
    return utcnow()


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- requirement ----------------------------------------------------------------------------------------------

def test_testing_configuration_signs_facilitators_in_with_password_only(client, facilitator):
    assert password_step(client, facilitator).location == "/"


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_required_role_goes_to_enrolment_after_password(client, network, second_factor_required, role):
    member = factories.create_member(network=network if role == "facilitator" else None, role=role)

    response = password_step(client, member)

    assert response.location == "/connexion/second-facteur"
    assert client.get("/").status_code == 302  # not signed in yet
    assert client.get("/connexion/second-facteur").location == "/connexion/second-facteur/enregistrement"


def test_coordinator_without_totp_signs_in_with_password(client, coordinator, second_factor_required):
    assert password_step(client, coordinator).location == "/"


def test_coordinator_who_chose_totp_is_asked_for_it(client, coordinator, second_factor_required):
    enrol(coordinator)
    assert password_step(client, coordinator).location == "/connexion/second-facteur"


def test_second_factor_page_without_pending_sign_in_goes_back_to_login(client):
    response = client.get("/connexion/second-facteur")
    assert response.location == "/connexion"
    assert flashes(client) == ["Votre connexion a expiré : recommencez."]


# --- enrolment at sign-in ---------------------------------------------------------------------------------------

def test_enrolment_at_sign_in_shows_qr_code_then_ten_recovery_codes(client, facilitator, second_factor_required):
    password_step(client, facilitator)
    page = client.get("/connexion/second-facteur/enregistrement").get_data(as_text=True)
    assert "<svg" in page and "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    secret = SECRET_PATTERN.search(page).group(1).replace(" ", "")
    assert db.session.scalar(select(TotpCredential.secret)) == secret

    response = client.post("/connexion/second-facteur/enregistrement", data={"code": current_code(secret)})

    assert response.status_code == 200
    codes = CODE_PATTERN.findall(response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    digests = set(db.session.scalars(select(RecoveryCode.code_digest)))
    assert digests == {twofactor.recovery_digest(code) for code in codes}
    assert not any(code.replace("-", "") in digest for code in codes for digest in digests)
    assert audit_actions()[-1] == "second_factor.enrol"
    assert client.get("/").status_code == 200  # signed in


def test_enrolment_with_wrong_code_is_refused(client, facilitator, second_factor_required):
    password_step(client, facilitator)
    client.get("/connexion/second-facteur/enregistrement")

    response = client.post("/connexion/second-facteur/enregistrement", data={"code": "000000"})

    assert response.status_code == 200
    assert ("Ce code ne correspond pas : vérifiez l'heure de votre téléphone et saisissez le code à 6 chiffres "
            "affiché maintenant.") in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.scalar(select(TotpCredential.confirmed_at)) is None
    assert client.get("/").status_code == 302


def test_enrolment_page_reload_keeps_the_same_secret(client, facilitator, second_factor_required):
    password_step(client, facilitator)
    first = SECRET_PATTERN.search(client.get("/connexion/second-facteur/enregistrement").get_data(as_text=True))
    second = SECRET_PATTERN.search(client.get("/connexion/second-facteur/enregistrement").get_data(as_text=True))
    assert first.group(1) == second.group(1)


# --- the second step ------------------------------------------------------------------------------------------------

def test_right_code_signs_in_and_goes_to_next(client, facilitator, second_factor_required):
    secret = enrol(facilitator)
    client.post("/connexion", data={"email": facilitator.email, "password": factories.TEST_PASSWORD,
                                    "next": "/membres"})

    response = client.post("/connexion/second-facteur", data={"code": current_code(secret)})

    assert response.location == "/membres"
    assert flashes(client) == []


def test_wrong_code_is_refused_and_counted(client, facilitator, second_factor_required):
    enrol(facilitator)
    password_step(client, facilitator)

    response = client.post("/connexion/second-facteur", data={"code": "123456"})

    assert response.status_code == 200
    assert "Code incorrect ou déjà utilisé." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_code_is_accepted_once(client, make_client, facilitator, second_factor_required):
    secret = enrol(facilitator)
    code = current_code(secret)
    password_step(client, facilitator)
    assert client.post("/connexion/second-facteur", data={"code": code}).location == "/"
    other = make_client()
    password_step(other, facilitator)

    response = other.post("/connexion/second-facteur", data={"code": code})

    assert response.status_code == 200
    assert "Code incorrect ou déjà utilisé." in response.get_data(as_text=True)


def test_attempts_are_throttled_after_five_failures(client, facilitator, second_factor_required):
    secret = enrol(facilitator)
    password_step(client, facilitator)
    for _ in range(5):
        assert client.post("/connexion/second-facteur", data={"code": "000000"}).status_code == 200

    response = client.post("/connexion/second-facteur", data={"code": current_code(secret)})

    assert response.status_code == 429
    assert "Trop de codes erronés. Patientez quelques minutes avant de réessayer." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_recovery_code_works_once(client, make_client, facilitator, second_factor_required):
    enrol(facilitator)
    from network.identity.services import _replace_recovery_codes
    codes = _replace_recovery_codes(facilitator)
    db.session.commit()
    password_step(client, facilitator)

    response = client.post("/connexion/second-facteur", data={"code": codes[0].upper()})

    assert response.location == "/"
    assert flashes(client)[0] == ("Code de secours accepté ; il vous en reste 9. Pensez à en créer de nouveaux depuis "
                                  "« Mon profil » → « Sécurité de la connexion ».")
    assert "second_factor.recovery_code_used" in audit_actions()
    other = make_client()
    password_step(other, facilitator)
    assert other.post("/connexion/second-facteur", data={"code": codes[0]}).status_code == 200


def test_pending_step_ends_when_password_changes(client, facilitator, second_factor_required):
    secret = enrol(facilitator)
    password_step(client, facilitator)
    set_password(db.session.get(type(facilitator), facilitator.id), "une toute nouvelle phrase secrète")
    db.session.commit()

    response = client.post("/connexion/second-facteur", data={"code": current_code(secret)})

    assert response.location == "/connexion"


# --- remembered devices -----------------------------------------------------------------------------------------------

def sign_in_remembering(client, member, secret):
    password_step(client, member)
    response = client.post("/connexion/second-facteur", data={"code": current_code(secret), "remember": "y"})
    assert response.location == "/"
    assert "reseau_appareil=" in response.headers.get("Set-Cookie", "") or any(
        "reseau_appareil=" in header for header in response.headers.getlist("Set-Cookie"))
    client.logout()


def test_remembered_device_skips_the_second_step(client, facilitator, second_factor_required):
    secret = enrol(facilitator, step_back=2)
    sign_in_remembering(client, facilitator, secret)

    assert password_step(client, facilitator).location == "/"
    device = db.session.scalar(select(TrustedDevice))
    assert device.member_id == facilitator.id
    assert (device.expires_at - device.created_at).days in (29, 30)


def test_remembered_device_ends_with_a_password_change(client, facilitator, second_factor_required):
    secret = enrol(facilitator, step_back=2)
    sign_in_remembering(client, facilitator, secret)
    new_password = "une toute nouvelle phrase secrète"
    set_password(db.session.get(type(facilitator), facilitator.id), new_password)
    db.session.commit()

    response = client.post("/connexion", data={"email": facilitator.email, "password": new_password})

    assert response.location == "/connexion/second-facteur"


def test_remembered_device_revoked_from_profile(client, make_client, facilitator, second_factor_required):
    secret = enrol(facilitator, step_back=2)
    sign_in_remembering(client, facilitator, secret)
    assert password_step(client, facilitator).location == "/"
    page = client.get("/profil/securite").get_data(as_text=True)
    device_id = db.session.scalar(select(TrustedDevice.id))
    assert f"/profil/securite/appareils/{device_id}/oublier" in page

    assert client.post(f"/profil/securite/appareils/{device_id}/oublier").location == "/profil/securite"
    client.logout()

    assert password_step(client, facilitator).location == "/connexion/second-facteur"


def test_forgetting_another_members_device_is_404(client, network, facilitator, coordinator, login):
    device = TrustedDevice(member_id=facilitator.id, token_digest="x" * 64, label="Chrome",
                           expires_at=factories_now())
    db.session.add(device)
    db.session.commit()
    login(coordinator)
    assert client.post(f"/profil/securite/appareils/{device.id}/oublier").status_code == 404
    assert db.session.get(TrustedDevice, device.id) is not None


def test_forged_device_cookie_is_ignored(client, facilitator, second_factor_required):
    enrol(facilitator)
    client.raw.set_cookie("reseau_appareil", "forged.value.here", domain="localhost")
    assert password_step(client, facilitator).location == "/connexion/second-facteur"


# --- from the profile ------------------------------------------------------------------------------------------------

def test_coordinator_enrols_from_profile(client, coordinator, login):
    login(coordinator)
    page = client.get("/profil/securite/application").get_data(as_text=True)
    secret = SECRET_PATTERN.search(page).group(1).replace(" ", "")

    response = client.post("/profil/securite/application", data={"code": current_code(secret)})

    assert response.status_code == 200
    assert len(CODE_PATTERN.findall(response.get_data(as_text=True))) == 10
    assert twofactor.has_confirmed_totp(coordinator)


def test_coordinator_removes_optional_totp(client, coordinator):
    secret = enrol(coordinator)
    password_step(client, coordinator)
    client.post("/connexion/second-facteur", data={"code": current_code(secret)})

    response = client.post("/profil/securite/retirer-application")

    assert response.location == "/profil/securite"
    assert db.session.scalar(select(TotpCredential)) is None
    assert audit_actions()[-1] == "second_factor.remove"


def test_facilitator_cannot_remove_required_totp(client, facilitator, second_factor_required):
    secret = enrol(facilitator)
    password_step(client, facilitator)
    client.post("/connexion/second-facteur", data={"code": current_code(secret)})

    response = client.post("/profil/securite/retirer-application")

    assert response.location == "/profil/securite"
    assert flashes(client)[-1].startswith("Votre rôle exige un second facteur : il ne peut pas être retiré.")
    assert db.session.scalar(select(TotpCredential)) is not None


def test_recovery_codes_regenerated_replace_the_old_ones(client, coordinator, login):
    login(coordinator)
    enrol(coordinator)
    response = client.post("/profil/securite/codes-de-secours")
    codes = CODE_PATTERN.findall(response.get_data(as_text=True))
    assert len(codes) == 10
    assert set(db.session.scalars(select(RecoveryCode.code_digest))) == {twofactor.recovery_digest(c) for c in codes}


def test_security_page_counts_recovery_codes_left(client, coordinator, login):
    login(coordinator)
    enrol(coordinator)
    from network.identity.services import _replace_recovery_codes
    _replace_recovery_codes(coordinator)
    db.session.commit()
    assert "Il vous reste 10 codes de secours." in client.get("/profil/securite").get_data(as_text=True)


# --- admin reset ----------------------------------------------------------------------------------------------------

def test_admin_reset_deletes_factor_audits_and_emails(client, admin, facilitator, login, smtp_server):
    enrol(facilitator)
    login(admin)

    response = client.post(f"/membres/{facilitator.id}/second-facteur/reinitialiser")

    assert response.location == f"/membres/{facilitator.id}"
    assert db.session.scalar(select(TotpCredential)) is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "second_factor.reset")).one()
    assert (event.actor_id, event.object_id, event.fields) == (admin.id, facilitator.id,
                                                              "passkeys,recovery_codes,totp,trusted_devices")
    assert send_due().sent == 1
    [message] = smtp_server.messages
    assert message["To"] == facilitator.email
    assert message["Subject"] == "Votre second facteur de connexion a été réinitialisé — Réseau"


def test_member_detail_shows_reset_button_to_admins_only(client, admin, facilitator, coordinator, login,
                                                         make_client):
    login(admin)
    assert "Réinitialiser le second facteur" in client.get(f"/membres/{coordinator.id}").get_data(as_text=True)
    other = make_client()
    login(facilitator, on=other)
    assert "Réinitialiser le second facteur" not in other.get(f"/membres/{coordinator.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
def test_admin_reset_is_403_for(client, network, coordinator, login, role):
    enrol(coordinator)
    actor = factories.create_member(network=network, role=role)
    login(actor)
    assert client.post(f"/membres/{coordinator.id}/second-facteur/reinitialiser").status_code == 403
    assert db.session.scalar(select(TotpCredential)) is not None


def test_admin_cannot_reset_own_second_factor(client, admin, login):
    login(admin)
    assert client.post(f"/membres/{admin.id}/second-facteur/reinitialiser").status_code == 403


def test_admin_reset_without_factor_says_so(client, admin, coordinator, login):
    login(admin)
    client.post(f"/membres/{coordinator.id}/second-facteur/reinitialiser")
    assert flashes(client)[-1] == "Ce membre n'a pas de second facteur enregistré."


# --- single sign-on and the second factor ---------------------------------------------------------------------------

def test_sso_with_mfa_acr_counts_as_second_factor(client, sso, admin, second_factor_required):
    from tests.identity.test_sso_flow import link, sign_in_at_provider
    link(admin, "sub-claire-mfa", sso.issuer)

    response, _person = sign_in_at_provider(client, sso, "admin@example.test")

    assert response.location == "/"


def test_sso_without_mfa_still_asks_the_second_factor(client, sso, facilitator, second_factor_required):
    from tests.identity.test_sso_flow import link, sign_in_at_provider
    secret = enrol(facilitator)
    link(facilitator, "sub-claire", sso.issuer)

    response, _person = sign_in_at_provider(client, sso, "animatrice@example.test")

    assert response.location == "/connexion/second-facteur"
    assert client.post("/connexion/second-facteur", data={"code": current_code(secret)}).location == "/"
