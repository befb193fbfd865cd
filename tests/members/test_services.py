"""Member services: one test per exit path."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from network.audit import AuditEvent
from network.errors import Conflict, DomainError, NotAllowed
from network.extensions import db as _db
from network.members import services
from network.members.enums import InstitutionKind, Role
from network.members.models import LoginSession
from network.members.services import LoginThrottled, MemberData
from network.members.signed_in import load_member_for_login_token
from network.outbox import OutboxMessage
from network.throttle import ThrottleEvent, source_key
from tests import factories


def outbox_rows(db):
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def data(**values) -> MemberData:
    defaults = {"first_name": "Hélène", "last_name": "Lefèvre", "email": "helene.lefevre@example.test"}
    return MemberData(**{**defaults, **values})


# --- networks and reference data ---------------------------------------------------------------

def test_create_network_by_admin_creates_and_audits(db, admin):
    network = services.create_network(actor=admin, name=" Réseau Tarn ", slug="tarn", department_code="81",
                                      mailbox_email="Reseau.Tarn@Example.test")
    db.session.commit()
    assert (network.name, network.slug, network.department_code, network.mailbox_email) == (
        "Réseau Tarn", "tarn", "81", "reseau.tarn@example.test")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == network.id)) == "network.create"


def test_create_network_with_taken_slug_raises_conflict(db, admin, network):
    with pytest.raises(Conflict, match="identifiant"):
        services.create_network(actor=admin, name="Autre", slug=network.slug, department_code="62",
                                mailbox_email="x@example.test")


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
def test_create_network_by_non_admin_is_not_allowed(db, network, role):
    actor = factories.create_member(network=network, role=role)
    with pytest.raises(NotAllowed):
        services.create_network(actor=actor, name="X", slug="x", department_code="62", mailbox_email="x@example.test")


def test_add_institution_and_territory_by_facilitator(db, network, facilitator):
    institution = services.add_institution(actor=facilitator, network=network, name="Caf du Tarn",
                                           kind=InstitutionKind.CAF)
    territory = services.add_territory(actor=facilitator, network=network, name="CC Centre Tarn", siren="200066124")
    db.session.commit()
    assert (institution.network_id, institution.kind) == (network.id, "caf")
    assert (territory.network_id, territory.siren) == (network.id, "200066124")


def test_add_institution_twice_case_insensitive_raises_conflict(db, network, facilitator):
    factories.create_institution(network, name="Caf du Tarn")
    with pytest.raises(Conflict, match="existe déjà"):
        services.add_institution(actor=facilitator, network=network, name="caf du tarn ", kind=InstitutionKind.CAF)


def test_add_territory_twice_raises_conflict(db, network, facilitator):
    factories.create_territory(network, name="CC Centre Tarn")
    with pytest.raises(Conflict):
        services.add_territory(actor=facilitator, network=network, name="CC CENTRE TARN", siren=None)


def test_add_institution_by_facilitator_of_another_network_is_not_allowed(db, network):
    other = factories.create_member(network=factories.create_network(), role="facilitator")
    with pytest.raises(NotAllowed):
        services.add_institution(actor=other, network=network, name="X", kind=InstitutionKind.CAF)
    with pytest.raises(NotAllowed):
        services.add_territory(actor=other, network=network, name="X", siren=None)


# --- create_member -------------------------------------------------------------------------------

def test_create_member_saves_normalized_values_and_queues_one_invitation(db, network, facilitator):
    institution = factories.create_institution(network)
    member = services.create_member(actor=facilitator, network=network, data=data(
        email="  Helene.Lefevre@Example.TEST ", phone=" ", institution_id=institution.id))
    db.session.commit()
    assert (member.email, member.network_id, member.role, member.phone, member.password_hash) == (
        "helene.lefevre@example.test", network.id, "coordinator", None, None)
    assert member.joined_on == date.today()
    assert member.calendar_token
    [mail] = outbox_rows(db)
    assert (mail.recipients, mail.subject) == ("helene.lefevre@example.test", f"Votre compte sur Réseau — {network.name}")


def test_create_member_without_invitation_queues_nothing(db, network, facilitator):
    services.create_member(actor=facilitator, network=network, data=data(), send_invitation=False)
    db.session.commit()
    assert outbox_rows(db) == []


def test_create_member_with_duplicate_email_raises_conflict(db, network, facilitator):
    factories.create_member(network=network, email="helene.lefevre@example.test")
    with pytest.raises(Conflict, match="existe déjà"):
        services.create_member(actor=facilitator, network=network, data=data(email="HELENE.lefevre@example.test"))


def test_create_member_with_institution_of_another_network_is_refused(db, network, facilitator):
    foreign = factories.create_institution(factories.create_network())
    with pytest.raises(DomainError, match="institution n'appartient pas au réseau"):
        services.create_member(actor=facilitator, network=network, data=data(institution_id=foreign.id))


def test_create_member_with_territory_of_another_network_is_refused(db, network, facilitator):
    foreign = factories.create_territory(factories.create_network())
    with pytest.raises(DomainError, match="territoire n'appartient pas au réseau"):
        services.create_member(actor=facilitator, network=network, data=data(territory_id=foreign.id))


def test_create_member_by_facilitator_of_another_network_is_not_allowed(db, network):
    other = factories.create_member(network=factories.create_network(), role="facilitator")
    with pytest.raises(NotAllowed):
        services.create_member(actor=other, network=network, data=data())


def test_create_member_by_coordinator_is_not_allowed(db, network, coordinator):
    with pytest.raises(NotAllowed):
        services.create_member(actor=coordinator, network=network, data=data())


def test_create_member_facilitator_may_name_a_co_facilitator(db, network, facilitator):
    member = services.create_member(actor=facilitator, network=network, data=data(role=Role.FACILITATOR))
    assert member.role == "facilitator"


def test_create_member_role_admin_not_assignable_by_facilitator(db, network, facilitator):
    with pytest.raises(NotAllowed, match="rôle"):
        services.create_member(actor=facilitator, network=None, data=data(role=Role.ADMIN))


def test_create_member_admin_inside_a_network_is_refused(db, network, admin):
    with pytest.raises(DomainError, match="aucun réseau"):
        services.create_member(actor=admin, network=network, data=data(role=Role.ADMIN))


def test_create_member_without_network_must_be_admin(db, admin):
    with pytest.raises(DomainError, match="appartenir à un réseau"):
        services.create_member(actor=admin, network=None, data=data())


def test_create_member_admin_names_facilitator(db, network, admin):
    member = services.create_member(actor=admin, network=network, data=data(role=Role.FACILITATOR))
    db.session.commit()
    assert (member.role, member.network_id) == ("facilitator", network.id)


# --- update_member / update_profile ------------------------------------------------------------------

def test_update_member_returns_changed_fields_and_audits(db, network, facilitator, coordinator):
    territory = factories.create_territory(network)
    changed = services.update_member(actor=facilitator, member=coordinator, data=data(
        email=coordinator.email, first_name=coordinator.first_name, territory_id=territory.id,
        is_associated_operator=True))
    db.session.commit()
    assert sorted(changed) == ["is_associated_operator", "last_name", "territory_id"]
    assert (coordinator.last_name, coordinator.territory_id) == ("Lefèvre", territory.id)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.update"))
    assert (audit.object_type, audit.fields) == ("Member", "is_associated_operator,last_name,territory_id")


def test_update_member_without_change_returns_empty_list(db, network, facilitator, coordinator):
    same = MemberData(first_name=coordinator.first_name, last_name=coordinator.last_name, email=coordinator.email,
                      role=Role.COORDINATOR)
    assert services.update_member(actor=facilitator, member=coordinator, data=same) == []


def test_update_member_to_taken_email_raises_conflict(db, network, facilitator, coordinator):
    with pytest.raises(Conflict):
        services.update_member(actor=facilitator, member=coordinator, data=data(email=facilitator.email))


def test_update_member_by_coordinator_is_not_allowed(db, network, coordinator):
    other = factories.create_member(network=network)
    with pytest.raises(NotAllowed):
        services.update_member(actor=coordinator, member=other, data=data())


def test_update_member_own_role_is_not_allowed(db, network, facilitator):
    with pytest.raises(NotAllowed, match="propre rôle"):
        services.update_member(actor=facilitator, member=facilitator,
                               data=data(email=facilitator.email, role=Role.COORDINATOR))


def test_update_member_to_admin_role_is_not_allowed_for_facilitator(db, network, facilitator, coordinator):
    with pytest.raises(NotAllowed):
        services.update_member(actor=facilitator, member=coordinator, data=data(role=Role.ADMIN))


def test_update_member_to_admin_role_is_refused_even_for_admin(db, network, admin, coordinator):
    with pytest.raises(DomainError, match="administrateur"):
        services.update_member(actor=admin, member=coordinator, data=data(email=coordinator.email, role=Role.ADMIN))


def test_update_member_with_foreign_institution_is_refused(db, network, facilitator, coordinator):
    foreign = factories.create_institution(factories.create_network())
    with pytest.raises(DomainError, match="n'appartient pas"):
        services.update_member(actor=facilitator, member=coordinator,
                               data=data(email=coordinator.email, institution_id=foreign.id))


def test_update_profile_changes_own_fields_only(db, network, coordinator):
    changed = services.update_profile(actor=coordinator, data=data(email="autre@example.test", role=Role.ADMIN,
                                                                   phone="03 21 00 00 00"))
    db.session.commit()
    assert sorted(changed) == ["first_name", "last_name", "phone"]
    assert (coordinator.email, coordinator.role) == ("coordinatrice@example.test", "coordinator")


def test_update_profile_with_foreign_territory_is_refused(db, network, coordinator):
    foreign = factories.create_territory(factories.create_network())
    with pytest.raises(DomainError):
        services.update_profile(actor=coordinator, data=data(territory_id=foreign.id))


# --- deactivate / reactivate / resend -------------------------------------------------------------------

def test_deactivate_member_revokes_sessions_and_audits(db, network, facilitator, coordinator):
    services.open_login_session(coordinator, ip_address="10.0.0.1")
    db.session.commit()
    services.deactivate_member(actor=facilitator, member=coordinator)
    db.session.commit()
    assert coordinator.is_active is False
    assert coordinator.deactivated_at is not None
    assert db.session.scalar(select(func.count()).select_from(LoginSession)
                             .where(LoginSession.revoked_at.is_(None))) == 0


def test_deactivate_member_already_inactive_is_a_no_op(db, network, facilitator):
    member = factories.create_member(network=network, is_active=False)
    services.deactivate_member(actor=facilitator, member=member)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_deactivate_self_is_not_allowed(db, network, facilitator):
    with pytest.raises(NotAllowed):
        services.deactivate_member(actor=facilitator, member=facilitator)


def test_deactivate_by_facilitator_of_another_network_is_not_allowed(db, network, coordinator):
    other = factories.create_member(network=factories.create_network(), role="facilitator")
    with pytest.raises(NotAllowed):
        services.deactivate_member(actor=other, member=coordinator)


def test_reactivate_member_clears_deactivation(db, network, facilitator, coordinator):
    services.deactivate_member(actor=facilitator, member=coordinator)
    services.reactivate_member(actor=facilitator, member=coordinator)
    assert (coordinator.is_active, coordinator.deactivated_at) == (True, None)


def test_reactivate_active_member_is_a_no_op(db, network, facilitator, coordinator):
    services.reactivate_member(actor=facilitator, member=coordinator)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_reactivate_by_coordinator_is_not_allowed(db, network, coordinator):
    member = factories.create_member(network=network, is_active=False)
    with pytest.raises(NotAllowed):
        services.reactivate_member(actor=coordinator, member=member)


def test_resend_invitation_queues_a_new_email(db, network, facilitator):
    member = factories.create_member(network=network, with_password=False)
    services.resend_account_invitation(actor=facilitator, member=member)
    db.session.commit()
    assert [row.recipients for row in outbox_rows(db)] == [member.email]


def test_resend_invitation_to_inactive_member_is_refused(db, network, facilitator):
    member = factories.create_member(network=network, with_password=False, is_active=False)
    with pytest.raises(DomainError, match="désactivé"):
        services.resend_account_invitation(actor=facilitator, member=member)


def test_resend_invitation_by_coordinator_is_not_allowed(db, network, coordinator):
    member = factories.create_member(network=network, with_password=False)
    with pytest.raises(NotAllowed):
        services.resend_account_invitation(actor=coordinator, member=member)


# --- authenticate -----------------------------------------------------------------------------------

def test_authenticate_right_password_returns_member_and_stamps_login(db, coordinator):
    member = services.authenticate(" Coordinatrice@Example.test", factories.TEST_PASSWORD, ip_address="10.0.0.1")
    assert member.id == coordinator.id
    assert member.last_login_at is not None


@pytest.mark.parametrize("email, password", [
    ("coordinatrice@example.test", "mauvais mot de passe"),
    ("inconnu@example.test", factories.TEST_PASSWORD),
])
def test_authenticate_wrong_credentials_returns_none_and_records_failure(db, coordinator, email, password):
    assert services.authenticate(email, password, ip_address="10.0.0.1") is None
    db.session.commit()
    events = sorted(db.session.execute(select(ThrottleEvent.scope, ThrottleEvent.key)).all())
    assert events == [("login-account", email), ("login-ip", "10.0.0.1"), ("login-source", f"{email}|10.0.0.1")]


def test_authenticate_inactive_member_with_right_password_returns_none(db, network):
    member = factories.create_member(network=network, is_active=False)
    assert services.authenticate(member.email, factories.TEST_PASSWORD, ip_address="10.0.0.1") is None


def test_authenticate_member_without_password_returns_none(db, network):
    member = factories.create_member(network=network, with_password=False)
    assert services.authenticate(member.email, "", ip_address="10.0.0.1") is None


def add_failures(scope: str, key: str, count: int, *, at=None) -> None:
    at = at or services.utcnow()
    _db.session.add_all([ThrottleEvent(scope=scope, key=key, created_at=at) for _ in range(count)])
    _db.session.commit()


def test_authenticate_throttles_per_account_even_with_right_password(app, db, coordinator):
    for attempt in range(3):
        services.authenticate(coordinator.email, "faux", ip_address=f"10.0.0.{attempt}")
    add_failures("login-account", coordinator.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] - 3)
    with pytest.raises(LoginThrottled, match="Trop de tentatives"):
        services.authenticate(coordinator.email.upper(), factories.TEST_PASSWORD, ip_address="10.9.9.9")


def test_authenticate_per_account_ceiling_spares_a_source_the_member_signed_in_from(app, db, coordinator):
    services.open_login_session(coordinator, ip_address="192.0.2.10")  # the member's office, last week
    add_failures("login-account", coordinator.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    with pytest.raises(LoginThrottled):
        services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="203.0.113.5")
    assert services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="192.0.2.10") == coordinator


def test_authenticate_throttles_per_ip_across_accounts(app, db, coordinator):
    services.authenticate("inconnu@example.test", "faux", ip_address="10.0.0.1")
    add_failures("login-ip", "10.0.0.1", app.config["LOGIN_MAX_FAILURES_PER_IP"] - 1)
    with pytest.raises(LoginThrottled):
        services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="10.0.0.1")
    assert services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="10.0.0.2").id == coordinator.id


def test_authenticate_twenty_failures_spread_over_an_office_lock_nobody_out(app, db, coordinator):
    for number in range(20):
        assert services.authenticate(f"collegue{number}@example.test", "faux", ip_address="10.0.0.1") is None
    assert services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="10.0.0.1") == coordinator


def test_authenticate_slows_down_one_source_progressively(app, db, coordinator):
    start = services.utcnow()
    free = app.config["LOGIN_FREE_FAILURES"]
    for attempt in range(free):
        assert services.authenticate(coordinator.email, "faux", ip_address="10.0.0.1", now=start) is None
    with pytest.raises(LoginThrottled, match="Patientez 5 secondes avant de réessayer"):
        services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="10.0.0.1", now=start)
    with pytest.raises(LoginThrottled, match="Patientez 1 seconde avant de réessayer"):
        services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="10.0.0.1",
                              now=start + timedelta(seconds=4))
    # another source is not slowed by this one's failures
    assert services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="10.0.0.2",
                                 now=start + timedelta(seconds=4)) == coordinator
    later = start + timedelta(seconds=5)
    assert services.authenticate(coordinator.email, "faux", ip_address="10.0.0.1", now=later) is None
    with pytest.raises(LoginThrottled, match="Patientez 10 secondes"):
        services.authenticate(coordinator.email, "faux", ip_address="10.0.0.1", now=later)
    with pytest.raises(LoginThrottled, match="Patientez 9 secondes"):
        services.authenticate(coordinator.email, "faux", ip_address="10.0.0.1", now=later + timedelta(seconds=1))


@pytest.mark.parametrize("failures, seconds", [(0, 0), (2, 0), (3, 5), (4, 10), (5, 20), (10, 640), (11, 900),
                                               (1000, 900)])
def test_login_delay_doubles_up_to_the_ceiling(app, failures, seconds):
    assert services.login_delay(failures) == timedelta(seconds=seconds)


def test_authenticate_old_failures_outside_window_do_not_count(app, db, coordinator):
    old = services.utcnow() - app.config["LOGIN_THROTTLE_WINDOW"] - timedelta(seconds=1)
    db.session.add_all([ThrottleEvent(scope="login-account", key=coordinator.email, created_at=old)
                        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])])
    db.session.commit()
    assert services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="10.0.0.1") is not None


def test_authenticate_success_clears_the_source_failures_and_keeps_the_account_count(app, db, coordinator):
    for _ in range(2):
        services.authenticate(coordinator.email, "faux", ip_address="10.0.0.1")
    services.authenticate(coordinator.email, factories.TEST_PASSWORD, ip_address="10.0.0.1")
    db.session.commit()
    counts = dict(db.session.execute(select(ThrottleEvent.scope, func.count()).group_by(ThrottleEvent.scope)).all())
    assert counts == {"login-account": 2, "login-ip": 2}


# --- login sessions -----------------------------------------------------------------------------------

def test_login_token_loads_member_until_closed(db, coordinator):
    token = services.open_login_session(coordinator, ip_address="10.0.0.1")
    db.session.commit()
    assert load_member_for_login_token(token).id == coordinator.id
    services.close_login_session(token)
    db.session.commit()
    assert load_member_for_login_token(token) is None


def test_login_token_older_than_session_lifetime_is_refused(app, db, coordinator):
    token = services.open_login_session(coordinator, ip_address=None)
    db.session.commit()
    row = db.session.scalar(select(LoginSession).where(LoginSession.token == token))
    row.created_at = services.utcnow() - app.config["PERMANENT_SESSION_LIFETIME"] - timedelta(minutes=1)
    db.session.commit()
    assert load_member_for_login_token(token) is None


def test_login_token_of_deactivated_member_is_refused(db, network, facilitator, coordinator):
    token = services.open_login_session(coordinator, ip_address=None)
    db.session.commit()
    coordinator.is_active = False
    db.session.commit()
    assert load_member_for_login_token(token) is None


# --- password reset requests ----------------------------------------------------------------------------

def test_request_password_reset_for_known_email_queues_one_email(db, coordinator):
    services.request_password_reset("COORDINATRICE@example.test", ip_address="10.0.0.1")
    db.session.commit()
    [mail] = outbox_rows(db)
    assert (mail.recipients, mail.subject) == (coordinator.email, "Réinitialisation de votre mot de passe — Réseau")


@pytest.mark.parametrize("active", [True, False])
def test_request_password_reset_for_unknown_or_inactive_email_queues_nothing(db, network, active):
    member = factories.create_member(network=network, is_active=False)
    services.request_password_reset(member.email if not active else "inconnu@example.test", ip_address="10.0.0.1")
    db.session.commit()
    assert outbox_rows(db) == []


def test_request_password_reset_flood_per_account_is_silently_dropped(app, db, coordinator):
    for attempt in range(app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"] + 2):
        services.request_password_reset(coordinator.email, ip_address=f"10.0.0.{attempt}")
        db.session.commit()
    assert len(outbox_rows(db)) == app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"]


def test_request_password_reset_flood_per_ip_is_silently_dropped(app, db, coordinator):
    for attempt in range(app.config["PASSWORD_RESET_MAX_PER_IP"]):
        services.request_password_reset(f"inconnu{attempt}@example.test", ip_address="10.0.0.1")
    db.session.commit()
    services.request_password_reset(coordinator.email, ip_address="10.0.0.1")
    db.session.commit()
    assert outbox_rows(db) == []


# --- set_password --------------------------------------------------------------------------------------

def test_set_password_hashes_with_scrypt_and_revokes_sessions(db, coordinator):
    token = services.open_login_session(coordinator, ip_address=None)
    db.session.commit()
    services.set_password(coordinator, "un nouveau mot de passe robuste")
    db.session.commit()
    assert coordinator.password_hash.startswith("scrypt:")
    assert "un nouveau" not in coordinator.password_hash
    assert load_member_for_login_token(token) is None


@pytest.mark.parametrize("password, message", [
    ("court", "au moins 12 caractères"),
    ("motdepasse123", "trop courant"),
    ("azertyuiop123!", "trop courant"),
    ("aaaaaaaaaaaaaa", "répète"),
    ("coordinatrice-2024!", "votre nom"),
])
def test_set_password_refuses_weak_passwords_in_french(db, coordinator, password, message):
    with pytest.raises(DomainError, match=message):
        services.set_password(coordinator, password)


def test_set_password_lifts_account_login_lock(app, db, coordinator):
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        services.authenticate(coordinator.email, "faux", ip_address="10.0.0.2")
    add_failures("login-account", coordinator.email, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    services.set_password(coordinator, "un nouveau mot de passe robuste")
    db.session.commit()
    assert services.authenticate(coordinator.email, "un nouveau mot de passe robuste", ip_address="10.0.0.2")


def test_regenerate_calendar_token_replaces_token_and_audits_member(db, coordinator):
    before = coordinator.calendar_token
    after = services.regenerate_calendar_token(actor=coordinator)
    db.session.commit()
    assert after != before and coordinator.calendar_token == after
    assert db.session.scalar(select(AuditEvent.object_type)) == "Member"



@pytest.mark.parametrize("address, source", [
    ("192.0.2.7", "192.0.2.7"), ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"), ("::ffff:192.0.2.7", "192.0.2.7"),
    ("pas une adresse", "pas une adresse"), (None, "unknown"),
])
def test_login_source_is_the_address_or_its_ipv6_64(address, source):
    assert source_key(address) == source


def test_parallel_attempts_from_one_source_wait_for_each_other(app, db, coordinator):
    """Many guesses sent at once cannot outrun the slow-down: each waits for the previous one's failure."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock exists on PostgreSQL only, the database of multi-worker deployments")
    for _ in range(app.config["LOGIN_FREE_FAILURES"] - 1):
        services.authenticate(coordinator.email, "faux", ip_address="10.0.0.1")
    db.session.commit()
    email, outcomes, start = coordinator.email, [], threading.Barrier(2)

    def attempt():
        with app.app_context():
            start.wait()
            try:
                assert services.authenticate(email, "faux", ip_address="10.0.0.1") is None
                _db.session.commit()
                outcomes.append("refused")
            except LoginThrottled:
                _db.session.rollback()
                outcomes.append("throttled")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "throttled"]
