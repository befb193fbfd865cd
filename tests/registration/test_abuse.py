"""Duplicates reveal nothing, the honeypot and the rate limit stop robots, expired requests go away."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.database import utcnow
from network.extensions import db
from network.outbox import send_due
from network.registration.enums import JoinRequestStatus
from network.registration.models import JoinRequest
from network.registration.services import SubmitOutcome, purge_expired_requests
from tests import factories
from tests.registration.conftest import link_in, make_join_request, plain_text


def _visible(response, client):
    """What a visitor can observe: status, redirect target, body, and the page it leads to."""
    landing = client.get(response.location)
    return (response.status_code, response.location, response.get_data(as_text=True),
            landing.status_code, landing.get_data(as_text=True))


@pytest.mark.parametrize("situation", ["new", "unconfirmed", "pending", "member", "member_elsewhere"])
def test_duplicate_addresses_get_exactly_the_page_of_a_new_request(situation, other_client, network, form_data):
    email = "aurelie.dumont@example.org"
    if situation == "unconfirmed":
        make_join_request(network, email=email, status=JoinRequestStatus.UNCONFIRMED)
    elif situation == "pending":
        make_join_request(network, email=email)
    elif situation == "member":
        factories.create_member(network=network, email=email)
    elif situation == "member_elsewhere":
        factories.create_member(network=factories.create_network(), email=email)
    reference_client = other_client()
    reference = reference_client.post(f"/adhesion/{network.slug}", data={**form_data, "email": "quelquun@example.org"})

    client = other_client()
    response = client.post(f"/adhesion/{network.slug}", data=form_data)

    assert response.status_code == 302
    assert _visible(response, client) == _visible(reference, reference_client)


def test_duplicates_are_told_by_email_only(client, network, form_data, smtp_server):
    member = factories.create_member(network=network, email="membre@example.org", first_name="Sophie")
    make_join_request(network, email="attente@example.org", first_name="Paul")
    unconfirmed = make_join_request(network, email="oubli@example.org", status=JoinRequestStatus.UNCONFIRMED,
                                    confirmation_digest="ancien")
    for email in (member.email, "attente@example.org", "oubli@example.org"):
        client.post(f"/adhesion/{network.slug}", data={**form_data, "email": email})
    send_due()

    mails = {message["To"]: message for message in smtp_server.messages}
    assert sorted(mails) == ["attente@example.org", "membre@example.org", "oubli@example.org"]
    assert mails["membre@example.org"]["Subject"].strip() == "Vous avez déjà un compte sur Réseau"
    assert "/mot-de-passe/oublie" in plain_text(mails["membre@example.org"])
    assert "déjà entre les mains des co-animateurs" in plain_text(mails["attente@example.org"])
    # A forgotten confirmation is sent again with a fresh link; the request keeps its first date.
    assert link_in(mails["oubli@example.org"]).startswith("/adhesion/confirmer/")
    db.session.refresh(unconfirmed)
    assert unconfirmed.confirmation_digest != "ancien"
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 2


def test_reminders_to_one_address_stop_after_three_a_day(client, network, form_data, smtp_server, app):
    factories.create_member(network=network, email="aurelie.dumont@example.org")
    for _ in range(4):
        assert client.post(f"/adhesion/{network.slug}", data=form_data).status_code == 302
    send_due()
    assert len(smtp_server.messages) == 3


def test_honeypot_pretends_success_but_stores_and_sends_nothing(client, network, form_data, smtp_server):
    response = client.post(f"/adhesion/{network.slug}", data={**form_data, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response.location == f"/adhesion/{network.slug}/demande-envoyee"
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 0
    assert send_due().sent == 0


def test_honeypot_field_is_hidden_from_people(client, network, caf):
    page = client.get(f"/adhesion/{network.slug}").get_data(as_text=True)
    assert '<div class="join-trap" aria-hidden="true">' in page
    assert 'name="website" tabindex="-1"' in page


def test_sixth_submission_from_one_address_in_an_hour_is_refused(client, network, form_data):
    for number in range(5):
        response = client.post(f"/adhesion/{network.slug}", data={**form_data, "email": f"p{number}@example.org"})
        assert response.status_code == 302
    response = client.post(f"/adhesion/{network.slug}", data={**form_data, "email": "p6@example.org"})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Trop de demandes envoyées depuis votre connexion." in page
    assert 'value="p6@example.org"' in page
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 5


def test_rate_limit_counts_per_ip_address(other_client, network, form_data):
    client = other_client()
    for number in range(5):
        client.post(f"/adhesion/{network.slug}", data={**form_data, "email": f"p{number}@example.org"},
                    environ_base={"REMOTE_ADDR": "203.0.113.7"})
    response = other_client().post(f"/adhesion/{network.slug}", data={**form_data, "email": "autre@example.org"},
                                   environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert response.status_code == 302


# --- expiry ---------------------------------------------------------------------------------------

def test_confirmation_link_older_than_seven_days_is_invalid(client, network, form_data, smtp_server):
    client.post(f"/adhesion/{network.slug}", data=form_data)
    send_due()
    path = link_in(smtp_server.messages[0])
    join_request = db.session.scalar(select(JoinRequest))
    join_request.created_at = utcnow() - timedelta(days=7, minutes=1)
    db.session.commit()
    response = client.post(path)
    assert response.status_code == 400
    assert "Ce lien n'est plus valable" in response.get_data(as_text=True)
    assert db.session.get(JoinRequest, join_request.id).status == JoinRequestStatus.UNCONFIRMED


def test_expired_request_is_purged_when_the_address_applies_again(client, network, form_data, smtp_server):
    make_join_request(network, email="aurelie.dumont@example.org", status=JoinRequestStatus.UNCONFIRMED,
                      age=timedelta(days=8))
    client.post(f"/adhesion/{network.slug}", data=form_data)
    db.session.expire_all()
    [fresh] = db.session.scalars(select(JoinRequest)).all()
    assert (fresh.email, fresh.status) == ("aurelie.dumont@example.org", JoinRequestStatus.UNCONFIRMED)
    assert fresh.created_at > utcnow() - timedelta(minutes=1)
    send_due()
    assert len(smtp_server.messages) == 1  # a new confirmation, not a reminder of the expired one


def test_purge_deletes_expired_and_long_decided_requests_only(network):
    keep = [
        make_join_request(network, email="jeune@example.org", status=JoinRequestStatus.UNCONFIRMED,
                          age=timedelta(days=6, hours=23)),
        make_join_request(network, email="attente@example.org", age=timedelta(days=40)),
        make_join_request(network, email="refus-recent@example.org", status=JoinRequestStatus.DECLINED,
                          age=timedelta(days=40), decided_age=timedelta(days=29)),
    ]
    make_join_request(network, email="vieux@example.org", status=JoinRequestStatus.UNCONFIRMED, age=timedelta(days=8))
    make_join_request(network, email="refus@example.org", status=JoinRequestStatus.DECLINED,
                      age=timedelta(days=40), decided_age=timedelta(days=31))
    assert purge_expired_requests() == 2
    db.session.commit()
    assert sorted(db.session.scalars(select(JoinRequest.email))) == sorted(jr.email for jr in keep)


def test_purge_command(app, network):
    make_join_request(network, email="vieux@example.org", status=JoinRequestStatus.UNCONFIRMED, age=timedelta(days=8))
    result = app.test_cli_runner().invoke(args=["registration", "purge-expired"])
    assert (result.exit_code, result.output) == (0, "deleted=1\n")
    assert db.session.scalar(select(func.count(JoinRequest.id))) == 0


def test_submit_outcomes_for_the_logs(app, network, caf, epci):
    from network.registration.services import JoinRequestData, submit_join_request

    data = JoinRequestData(first_name="A", last_name="B", email="x@example.org", phone="0321000000",
                           job_title="CTG", institution_id=caf.id, territory_id=epci.id)
    with app.test_request_context():
        assert submit_join_request(network=network, data=data, ip_address="1.2.3.4") == SubmitOutcome.CREATED
        assert submit_join_request(network=network, data=data, ip_address="1.2.3.4") == \
            SubmitOutcome.CONFIRMATION_RESENT
        assert submit_join_request(network=network, data=data, ip_address="1.2.3.4", honeypot="x") == SubmitOutcome.BOT
