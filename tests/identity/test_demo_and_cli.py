import pyotp
from sqlalchemy import select

from network.audit import AuditEvent
from network.demo import seed_demo
from network.extensions import db
from network.identity.demo import DEMO_TOTP_SECRET, seed_identity
from network.identity.models import TotpCredential
from network.members.models import Member
from network.outbox import send_due


def enrolled_ids() -> list[int]:
    return sorted(db.session.scalars(select(TotpCredential.member_id)))


def test_demo_accounts_needing_a_second_factor_get_the_demo_authenticator(network, admin, facilitator, coordinator,
                                                                          second_factor_required):
    assert seed_identity([admin, facilitator, coordinator]) == 2
    db.session.commit()
    assert enrolled_ids() == sorted([admin.id, facilitator.id])
    assert set(db.session.scalars(select(TotpCredential.secret))) == {DEMO_TOTP_SECRET}


def test_demo_accounts_get_no_authenticator_when_none_is_required(admin, facilitator):
    assert seed_identity([admin, facilitator]) == 0


def test_demo_code_command_prints_the_current_code(app, facilitator, second_factor_required):
    seed_identity([facilitator])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["identity", "demo-code", facilitator.email])
    assert result.exit_code == 0
    code = result.output.strip()
    assert len(code) == 6 and pyotp.TOTP(DEMO_TOTP_SECRET).verify(code, valid_window=1)


def test_demo_code_command_refuses_other_accounts(app, facilitator):
    db.session.add(TotpCredential(member_id=facilitator.id, secret=pyotp.random_base32()))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["identity", "demo-code", facilitator.email])
    assert result.exit_code == 1
    assert "is not a demo account enrolled with the demo authenticator" in result.output


def test_reset_command_resets_audits_and_emails(app, admin, smtp_server):
    db.session.add(TotpCredential(member_id=admin.id, secret=pyotp.random_base32()))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["identity", "reset-second-factor", admin.email])

    assert result.exit_code == 0, result.output
    assert enrolled_ids() == []
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.object_id) == ("second_factor.reset", None, admin.id)
    assert send_due().sent == 1
    assert "L'exploitant de la plateforme, administrateur de Réseau, a réinitialisé" in (
        smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content())


def test_reset_command_unknown_email(app):
    result = app.test_cli_runner().invoke(args=["identity", "reset-second-factor", "personne@example.test"])
    assert result.exit_code == 1
    assert "No member has the address personne@example.test." in result.output


def test_demo_seed_enrols_demo_facilitators_under_make_run_defaults(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_FOR_ROLES", "admin facilitator")
    seed_demo()
    db.session.commit()
    emails = set(db.session.scalars(select(Member.email).join(TotpCredential, TotpCredential.member_id == Member.id)))
    assert {"admin@example.org", "animatrice.caf@example.org", "animateur.msa@example.org",
            "animatrice.tarn@example.org"} <= emails
    assert "coordinatrice@example.org" not in emails
