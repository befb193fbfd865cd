"""Pooled trainings: places, waitlist, automatic promotion."""

import pytest
from sqlalchemy import select

from network.errors import Conflict, DomainError, NotAllowed
from network.extensions import db
from network.outbox import OutboxMessage, send_due
from network.sessions import services
from network.sessions.enums import MeetingKind, MeetingStatus, RegistrationStatus
from network.sessions.models import Invitation, Registration
from tests import factories
from tests.sessions import factories as sf


@pytest.fixture
def training(network):
    return sf.create_meeting(network, kind=MeetingKind.TRAINING, status=MeetingStatus.INVITED, capacity=2,
                             title="Animer une réunion avec des élus", trainer="Cabinet Territoires Conseil",
                             starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END)


@pytest.fixture
def members(network):
    return [factories.create_member(network=network) for _ in range(4)]


def test_places_then_waitlist(training, members):
    statuses = [services.register(actor=m, meeting=training).status for m in members[:3]]
    waiting = db.session.scalar(select(Registration).where(Registration.member_id == members[2].id))
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert services.waitlist_position(waiting) == 1
    assert db.session.scalar(select(db.func.count(Invitation.id))) == 2


def test_place_comes_with_a_calendar_invitation(training, members, smtp_server):
    services.register(actor=members[0], meeting=training)
    db.session.commit()
    send_due()
    message = smtp_server.messages[0]
    assert message["Subject"] == "Inscription confirmée : Animer une réunion avec des élus — 15 juin 2027"
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"


def test_withdrawal_promotes_the_first_on_the_waitlist(training, members, smtp_server):
    for member in members:
        services.register(actor=member, meeting=training)
    db.session.commit()
    promoted = services.unregister(actor=members[0], meeting=training)
    db.session.commit()
    send_due()
    registrations = dict(db.session.execute(select(Registration.member_id, Registration.status)).all())
    subjects = {mail.rcpt_tos[0]: mail.message for mail in smtp_server.received}
    assert promoted == [members[2]]
    assert registrations == {members[1].id: "confirmed", members[2].id: "confirmed", members[3].id: "waitlisted"}
    cancel = next(p for p in subjects[members[0].email].walk() if p.get_content_type() == "text/calendar")
    assert cancel.get_param("method") == "CANCEL"
    assert b"STATUS:CANCELLED" in cancel.get_payload(decode=True)
    assert subjects[members[2].email]["Subject"].startswith("Inscription confirmée")


def test_capacity_increase_promotes(training, members, caf_facilitator):
    for member in members:
        services.register(actor=member, meeting=training)
    data = services.MeetingData(kind="training", title=training.title, starts_at=training.starts_at,
                                ends_at=training.ends_at, trainer=training.trainer, capacity=3)
    services.update_meeting(actor=caf_facilitator, meeting=training, data=data)
    assert db.session.scalar(select(db.func.count(Registration.id)).where(
        Registration.status == RegistrationStatus.CONFIRMED)) == 3


def test_capacity_below_registrations_is_refused(training, members, caf_facilitator):
    for member in members[:2]:
        services.register(actor=member, meeting=training)
    data = services.MeetingData(kind="training", title=training.title, starts_at=training.starts_at,
                                ends_at=training.ends_at, capacity=1)
    with pytest.raises(Conflict, match=r"nombre d'inscrits \(2\)"):
        services.update_meeting(actor=caf_facilitator, meeting=training, data=data)


def test_duplicate_registration_is_refused(training, members):
    services.register(actor=members[0], meeting=training)
    with pytest.raises(Conflict, match="Vous êtes déjà inscrit·e à cette formation."):
        services.register(actor=members[0], meeting=training)


def test_registration_before_opening_is_refused(network, members):
    training = sf.create_meeting(network, kind=MeetingKind.TRAINING, capacity=5)
    with pytest.raises(DomainError, match="Les inscriptions à cette formation ne sont pas ouvertes."):
        services.register(actor=members[0], meeting=training)


def test_registration_to_another_network_is_refused(training, other_facilitator):
    with pytest.raises(NotAllowed):
        services.register(actor=other_facilitator, meeting=training)


def test_unregistering_when_not_registered_is_refused(training, members):
    with pytest.raises(DomainError, match="Vous n'êtes pas inscrit·e"):
        services.unregister(actor=members[0], meeting=training)


def test_full_training_view_says_waitlist(client, login, training, members):
    for member in members[:2]:
        services.register(actor=member, meeting=training)
    db.session.commit()
    login(members[2])
    response = client.post(f"/rencontres/{training.id}/inscription", follow_redirects=True)
    assert "La formation est complète : vous êtes sur liste d'attente (position 1)." in sf.page_text(response)


def test_opening_registrations_announces_without_calendar(network, members, caf_facilitator):
    training = sf.create_meeting(network, kind=MeetingKind.TRAINING, capacity=5)
    sent = services.send_invitations(training, actor=caf_facilitator)
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert sent == 5
    assert training.status == MeetingStatus.INVITED
    assert {row.subject for row in rows} == {f"Formation mutualisée : {training.title}"}
    assert all(b"text/calendar" not in row.raw for row in rows)


def test_the_places_line_agrees_with_the_registrations(client, login, network, training, members, caf_facilitator):
    unlimited = sf.create_meeting(network, kind=MeetingKind.TRAINING, status=MeetingStatus.INVITED,
                                  starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END)
    services.register(actor=members[0], meeting=training)
    services.register(actor=members[0], meeting=unlimited)
    db.session.commit()
    login(caf_facilitator)
    assert "<dt>Places</dt><dd>1 inscrit·e sur 2</dd>" in sf.page_text(client.get(f"/rencontres/{training.id}"))
    assert ("<dt>Places</dt><dd>1 inscrit·e, sans limite</dd>"
            in sf.page_text(client.get(f"/rencontres/{unlimited.id}")))
    services.register(actor=members[1], meeting=training)
    services.register(actor=members[1], meeting=unlimited)
    db.session.commit()
    assert "<dt>Places</dt><dd>2 inscrit·es sur 2</dd>" in sf.page_text(client.get(f"/rencontres/{training.id}"))
    assert ("<dt>Places</dt><dd>2 inscrit·es, sans limite</dd>"
            in sf.page_text(client.get(f"/rencontres/{unlimited.id}")))
