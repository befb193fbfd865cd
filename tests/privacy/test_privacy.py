"""Data protection: own-data download, erasure by an admin, retention purge, audit log."""

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import String, Text, func, select

from network.audit import record_audit
from network.codev.enums import CaseState
from network.codev.models import Case, CaseAction
from network.evaluation.models import SelfEfficacyResponse
from network.extensions import db as _db
from network.members.models import LoginSession, Member, Network
from network.outbox import OutboxMessage, OutboxStatus, queue_email, send_due
from network.privacy import services
from network.sessions.models import Attendance, CalendarReply, Invitation
from network.throttle import ThrottleEvent
from tests import factories
from tests.codev.factories import create_case, create_meeting
from tests.topics.factories import create_topic

NAME = "Hélène Lefèvre"


@pytest.fixture
def helene(network):
    return factories.create_member(network=network, first_name="Hélène", last_name="Lefèvre",
                                   email="helene.lefevre@example.org", phone="06 11 22 33 44")


def _text_hits(needles: list[str]) -> dict[str, int]:
    """Rows, in every text column of every table, that still contain one of the needles."""
    hits = {}
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                for needle in needles:
                    count = _db.session.scalar(select(func.count()).select_from(table)
                                               .where(func.lower(column).contains(needle.lower())))
                    if count:
                        hits[f"{table.name}.{column.name}"] = count
    return hits


def test_my_data_zip_holds_my_profile_cases_and_attendance_only(client, login, network, helene, coordinator):
    meeting = create_meeting(network, days_from_now=-10)
    _db.session.add_all([Invitation(meeting_id=meeting.id, member_id=helene.id, rsvp="yes"),
                         Attendance(meeting_id=meeting.id, member_id=helene.id, status="present",
                                    recorded_at=meeting.starts_at)])
    _db.session.commit()
    create_case(helene, title="Mobiliser les élus", question="Comment associer les maires ?")
    create_case(coordinator, title="Cas d'un autre membre", question="Question d'un autre")
    login(helene)

    response = client.get("/donnees/mes-donnees.zip")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=mes-donnees-reseau.zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(
        ["donnees.json", "profil.csv", "invitations.csv", "presences.csv", "themes_proposes.csv", "votes.csv",
         "cas_codev.csv", "efficacite_personnelle.csv", "auto_evaluation.csv", "changements_adresse.csv",
         "documents_deposes.csv", "actualites.csv", "comptes_rendus.csv"])
    data = json.loads(archive.read("donnees.json"))
    assert data["profil"][0]["email"] == "helene.lefevre@example.org"
    assert [case["titre"] for case in data["cas_codev"]] == ["Mobiliser les élus"]
    assert data["cas_codev"][0]["question"] == "Comment associer les maires ?"
    assert [row["presence"] for row in data["presences"]] == ["present"]
    assert archive.read("presences.csv").decode("utf-8-sig").splitlines()[0] == "rencontre;debut;presence"


def test_erasure_leaves_no_name_or_email_and_keeps_counts(app, client, login, admin, network, helene, coordinator):
    meeting = create_meeting(network, days_from_now=-10)
    _db.session.add_all([Invitation(meeting_id=meeting.id, member_id=helene.id, rsvp="yes"),
                         Attendance(meeting_id=meeting.id, member_id=helene.id, status="present",
                                    recorded_at=meeting.starts_at)])
    _db.session.commit()
    create_case(helene, state=CaseState.PROPOSED, meeting=meeting, context=f"Je suis {NAME}, chargée de coopération.")
    other_case = create_case(coordinator, title="Cas de Sophie")
    _db.session.add(CaseAction(case_id=other_case.id, description="Rappeler la mairie", owner=NAME))
    create_topic(network, author=helene, title="Le SDSF", description=f"Proposé par {NAME}")
    queue_email(to="helene.lefevre@example.org", subject="Invitation", text="Bonjour Hélène")
    queue_email(to="sophie@example.org", subject="Compte rendu", text=f"Merci à {NAME} pour son exposé.")
    _db.session.commit()
    send_due()
    helene_client = login(helene, on=type(client)(app.test_client()))
    login(admin)

    response = client.post(f"/donnees/membres/{helene.id}/effacement", data={"confirm": "y"})

    assert response.status_code == 302
    assert _text_hits([NAME, "Lefèvre", "helene.lefevre@example.org", "06 11 22 33 44"]) == {}
    erased = _db.session.get(Member, helene.id)
    assert (erased.first_name, erased.last_name, erased.is_active, erased.calendar_token) == (
        "Membre", f"anonymisé n° {helene.id}", False, None)
    assert _db.session.scalar(select(func.count(Attendance.id)).where(Attendance.member_id == helene.id)) == 1
    assert _db.session.scalar(select(func.count(Case.id)).where(Case.client_id == helene.id)) == 1
    assert _db.session.scalar(select(func.count(LoginSession.id)).where(LoginSession.member_id == helene.id)) == 0
    assert _db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert helene_client.get("/profil").status_code == 302  # her open session is over


def test_erasure_form_requires_the_confirmation_box(client, login, admin, helene):
    login(admin)

    response = client.post(f"/donnees/membres/{helene.id}/effacement", data={})

    assert response.status_code == 200
    assert "Cochez la case pour confirmer l&#39;effacement." in response.get_data(as_text=True)
    assert _db.session.get(Member, helene.id).email == "helene.lefevre@example.org"


def test_erasure_refused_by_the_service_shows_the_page_again_and_keeps_nothing(client, login, admin, helene,
                                                                              monkeypatch):
    monkeypatch.setattr(services, "erase_member", factories.refusing_service("Ce membre est déjà effacé."))
    login(admin)

    response = client.post(f"/donnees/membres/{helene.id}/effacement", data={"confirm": "y"})

    assert response.status_code == 200
    assert "Ce membre est déjà effacé." in response.get_data(as_text=True)
    assert NAME in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(Network.id))) == 1  # the refused write is rolled back


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
@pytest.mark.parametrize("url", ["/donnees/membres/{id}/effacement", "/donnees/journal"])
def test_erasure_and_audit_log_are_for_admins_only(client, login, network, helene, role, url):
    actor = factories.create_member(network=network, role=role)
    login(actor)

    assert client.get(url.format(id=helene.id)).status_code == 403


def test_retention_purges_members_gone_for_longer_than_the_limit(app, network):
    now = datetime(2030, 6, 1, tzinfo=UTC)
    gone_long_ago = factories.create_member(network=network, is_active=False,
                                            deactivated_at=now - timedelta(days=365 * 4))
    gone_recently = factories.create_member(network=network, is_active=False, deactivated_at=now - timedelta(days=200))
    for member in (gone_long_ago, gone_recently):
        _db.session.add(SelfEfficacyResponse(member_id=member.id, network_id=network.id, wave=0,
                                             taken_on=date(2025, 1, 10), item_1=3, score=30.0))
        create_case(member, context="Contenu confidentiel")
    for status, days_ago in ((OutboxStatus.SENT, 100), (OutboxStatus.SENT, 10), (OutboxStatus.REFUSED, 100),
                             (OutboxStatus.REFUSED, 10), (OutboxStatus.PENDING, 100)):
        message = queue_email(to="quelqu.un@example.org", subject="Invitation", text="Bonjour")
        message.status, message.created_at = status, now - timedelta(days=days_ago)
        message.sent_at = message.created_at if status == OutboxStatus.SENT else None
    _db.session.add_all([ThrottleEvent(scope="login-ip", key="192.0.2.1", created_at=now - timedelta(days=2)),
                         ThrottleEvent(scope="login-ip", key="192.0.2.1", created_at=now - timedelta(hours=2))])
    _db.session.commit()

    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--years", "3", "--now", now.isoformat()])

    assert result.exit_code == 0, result.output
    assert result.output == ("members=1 self_efficacy_responses=1 self_assessments=0 cases=1 sent_emails=2 "
                             "throttle_events=1 calendar_replies=0\n")
    kept_emails = _db.session.execute(select(OutboxMessage.status, OutboxMessage.created_at)
                                      .order_by(OutboxMessage.id)).all()
    assert [(status, (now - created_at).days) for status, created_at in kept_emails] == [
        (OutboxStatus.SENT, 10), (OutboxStatus.REFUSED, 10), (OutboxStatus.PENDING, 100)]  # never lose pending mail
    assert _db.session.scalars(select(ThrottleEvent.created_at)).all() == [now - timedelta(hours=2)]
    remaining = _db.session.scalars(select(SelfEfficacyResponse.member_id)).all()
    assert remaining == [gone_recently.id]
    contexts = dict(_db.session.execute(select(Case.client_id, Case.context)).all())
    assert contexts == {gone_long_ago.id: "", gone_recently.id: "Contenu confidentiel"}


def _calendar_reply(key: str, *, invitation=None, reason: str = "ACCEPTED recorded", processed_at=None):
    reply = CalendarReply(message_key=key, outcome="applied" if invitation else "ignored", reason=reason,
                          invitation_id=invitation.id if invitation else None,
                          processed_at=processed_at or datetime.now(UTC))
    _db.session.add(reply)
    return reply


def _reply_keys() -> list[str]:
    return _db.session.scalars(select(CalendarReply.message_key).order_by(CalendarReply.id)).all()


def test_erasure_deletes_the_calendar_answers_about_the_member(client, login, admin, network, helene, coordinator):
    meeting = create_meeting(network, days_from_now=10)
    hers = Invitation(meeting_id=meeting.id, member_id=helene.id, rsvp="yes")
    theirs = Invitation(meeting_id=meeting.id, member_id=coordinator.id, rsvp="no")
    _db.session.add_all([hers, theirs])
    _db.session.flush()
    _calendar_reply("<1@mail.example.org>", invitation=hers)
    _calendar_reply("<2@mail.example.org>", reason="From Helene.Lefevre@Example.org is not the attendee x@y.org")
    _calendar_reply("<3.helene.lefevre@example.org>", reason="unknown UID abc")
    _calendar_reply("<4@mail.example.org>", invitation=theirs)
    _calendar_reply("<5@mail.example.org>", reason="From x@y.org is not the attendee z@y.org")
    _db.session.commit()
    login(admin)

    response = client.post(f"/donnees/membres/{helene.id}/effacement", data={"confirm": "y"})

    assert response.status_code == 302
    assert _reply_keys() == ["<4@mail.example.org>", "<5@mail.example.org>"]
    assert _text_hits(["helene.lefevre@example.org"]) == {}


def test_retention_purges_the_calendar_answers_of_departed_members_and_old_ones(app, network):
    now = datetime(2030, 6, 1, tzinfo=UTC)
    gone_long_ago = factories.create_member(network=network, is_active=False,
                                            deactivated_at=now - timedelta(days=365 * 4))
    present = factories.create_member(network=network)
    meeting = create_meeting(network, days_from_now=-10)
    gone_invitation = Invitation(meeting_id=meeting.id, member_id=gone_long_ago.id, rsvp="yes")
    present_invitation = Invitation(meeting_id=meeting.id, member_id=present.id, rsvp="yes")
    _db.session.add_all([gone_invitation, present_invitation])
    _db.session.flush()
    _calendar_reply("<gone-recent>", invitation=gone_invitation, processed_at=now - timedelta(days=10))
    _calendar_reply("<present-recent>", invitation=present_invitation, processed_at=now - timedelta(days=10))
    _calendar_reply("<present-old>", invitation=present_invitation, processed_at=now - timedelta(days=100))
    _calendar_reply("<stray-old>", reason="From x@y.org is not the attendee z@y.org",
                    processed_at=now - timedelta(days=100))
    _calendar_reply("<stray-recent>", reason="From x@y.org is not the attendee z@y.org",
                    processed_at=now - timedelta(days=89))
    _db.session.commit()

    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--years", "3", "--now", now.isoformat()])

    assert result.exit_code == 0, result.output
    assert result.output.endswith(" calendar_replies=3\n")
    assert _reply_keys() == ["<present-recent>", "<stray-recent>"]


def test_audit_log_query_count_does_not_grow_with_rows(client, login, admin, network, helene, count_queries):
    login(admin)
    record_audit(actor=admin, action="member.update", obj=helene, fields=["phone"])
    _db.session.commit()
    with count_queries() as one:
        assert client.get("/donnees/journal").status_code == 200
    for _ in range(60):
        record_audit(actor=admin, action="member.update", obj=helene, fields=["phone", "job_title"])
    _db.session.commit()
    with count_queries() as many:
        page = client.get("/donnees/journal")

    assert many.count == one.count
    text = page.get_data(as_text=True)
    assert "Page 1 sur 2 · 61 entrées" in text
    assert "job_title, phone" in text


def test_profile_links_to_the_data_download_and_admin_sees_the_erase_button(client, login, admin, helene):
    login(helene)
    assert 'href="/donnees/mes-donnees.zip"' in client.get("/profil").get_data(as_text=True)
    client.logout()
    login(admin)
    page = client.get(f"/membres/{helene.id}").get_data(as_text=True)
    assert f'href="/donnees/membres/{helene.id}/effacement"' in page
