"""Check-in, corrections (audited), walk-ins, the sign-in sheet and attendance history."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from network.audit import AuditEvent
from network.calendar import to_paris
from network.database import utcnow
from network.errors import Conflict, DomainError, NotAllowed
from network.extensions import db
from network.sessions import queries, services
from network.sessions.enums import MeetingStatus
from network.sessions.models import Attendance
from tests import factories
from tests.sessions import factories as sf


@pytest.fixture
def today_meeting(network, venue):
    return sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() - timedelta(minutes=10),
                             venue=venue, title="Rencontre du jour")


@pytest.fixture
def people(network, caf):
    territory = factories.create_territory(network, "CC des 7 Vallées")
    return [factories.create_member(network=network, first_name=first, last_name=last, institution_id=caf.id,
                                    territory_id=territory.id)
            for first, last in (("Inès", "Lemaire"), ("Thomas", "Caron"), ("Œdipe", "Ærø"))]


def test_first_check_in_marks_the_meeting_held(network, today_meeting, people, caf_facilitator):
    sf.invite(today_meeting, *people)
    attendance = services.record_attendance(actor=caf_facilitator, meeting=today_meeting, member_id=people[0].id,
                                            status="present")
    assert attendance.status == "present"
    assert today_meeting.status == MeetingStatus.HELD


def test_correction_is_audited(network, today_meeting, people, caf_facilitator, msa_facilitator):
    sf.invite(today_meeting, *people)
    services.record_attendance(actor=caf_facilitator, meeting=today_meeting, member_id=people[0].id, status="present")
    db.session.commit()
    attendance = services.record_attendance(actor=msa_facilitator, meeting=today_meeting, member_id=people[0].id,
                                            status="partial")
    db.session.commit()
    events = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.fields)
                                .where(AuditEvent.object_type == "Attendance").order_by(AuditEvent.id)).all()
    assert events == [("attendance.record", caf_facilitator.id, "status"),
                      ("attendance.correct", msa_facilitator.id, "status")]
    assert (attendance.status, attendance.recorded_by_id) == ("partial", msa_facilitator.id)


def test_same_status_again_changes_nothing(today_meeting, people, caf_facilitator):
    sf.invite(today_meeting, people[0])
    services.record_attendance(actor=caf_facilitator, meeting=today_meeting, member_id=people[0].id, status="present")
    services.record_attendance(actor=caf_facilitator, meeting=today_meeting, member_id=people[0].id, status="present")
    assert db.session.scalar(select(db.func.count(AuditEvent.id)).where(AuditEvent.object_type == "Attendance")) == 1


def test_check_in_before_the_day_is_refused(network, people, caf_facilitator):
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() + timedelta(days=2))
    sf.invite(meeting, people[0])
    with pytest.raises(DomainError, match="La feuille de présence s'ouvre le jour de la rencontre."):
        services.record_attendance(actor=caf_facilitator, meeting=meeting, member_id=people[0].id, status="present")


def test_check_in_of_someone_not_invited_is_refused(today_meeting, people, caf_facilitator):
    with pytest.raises(DomainError, match="n'est pas invitée"):
        services.record_attendance(actor=caf_facilitator, meeting=today_meeting, member_id=people[0].id,
                                   status="present")


def test_check_in_on_a_cancelled_meeting_is_refused(network, people, caf_facilitator):
    meeting = sf.create_meeting(network, status=MeetingStatus.CANCELLED, starts_at=utcnow() - timedelta(hours=1))
    sf.invite(meeting, people[0])
    with pytest.raises(DomainError, match="Pas de présences pour une rencontre « Annulée »"):
        services.record_attendance(actor=caf_facilitator, meeting=meeting, member_id=people[0].id, status="present")


def test_check_in_by_a_coordinator_is_refused(today_meeting, people, coordinator):
    sf.invite(today_meeting, people[0])
    with pytest.raises(NotAllowed):
        services.record_attendance(actor=coordinator, meeting=today_meeting, member_id=people[0].id, status="present")


def test_walk_in_twice_is_refused(today_meeting, caf_facilitator):
    services.add_walk_in(actor=caf_facilitator, meeting=today_meeting, name="Paul  Durand", organisation="Mairie")
    with pytest.raises(Conflict, match="paul durand figure déjà parmi les participants sur place."):
        services.add_walk_in(actor=caf_facilitator, meeting=today_meeting, name="paul durand", organisation=None)


def test_check_in_page_buttons_and_search(client, login, today_meeting, people, caf_facilitator):
    sf.invite(today_meeting, *people)
    login(caf_facilitator)
    response = client.post(f"/rencontres/{today_meeting.id}/presences/{people[1].id}?q=car",
                           data={"status": "excused"})
    page = sf.page_text(client.get(f"/rencontres/{today_meeting.id}/presences?q=car"))
    assert response.status_code == 302
    assert response.location == f"/rencontres/{today_meeting.id}/presences?q=car#membre-{people[1].id}"
    assert "Thomas Caron" in page
    assert "n'a pas répondu" in page and "a répondu Sans réponse" not in page
    assert "Lemaire" not in page
    assert 'value="excused" class="status-button status-button--excused" aria-pressed="true"' in page


def test_check_in_with_unknown_status_is_refused(client, login, today_meeting, people, caf_facilitator):
    sf.invite(today_meeting, people[0])
    login(caf_facilitator)
    response = client.post(f"/rencontres/{today_meeting.id}/presences/{people[0].id}", data={"status": "asleep"},
                           follow_redirects=True)
    assert "Statut de présence inconnu." in sf.page_text(response)
    assert db.session.scalar(select(Attendance)) is None


@pytest.mark.parametrize("who", ["coordinator", "other_facilitator"])
def test_check_in_refused_to_others(client, login, request, today_meeting, people, who):
    sf.invite(today_meeting, people[0])
    login(request.getfixturevalue(who))
    status = 404 if who == "other_facilitator" else 403  # another network's meeting: not found (issue #14)
    assert client.get(f"/rencontres/{today_meeting.id}/presences").status_code == status
    assert client.post(f"/rencontres/{today_meeting.id}/presences/{people[0].id}",
                       data={"status": "present"}).status_code == status
    assert client.get(f"/rencontres/{today_meeting.id}/emargement.pdf").status_code == status


def test_sign_in_sheet_page_and_pdf(client, login, today_meeting, people, caf_facilitator):
    sf.invite(today_meeting, *people)
    services.add_walk_in(actor=caf_facilitator, meeting=today_meeting, name="Paul Durand", organisation="Mairie")
    db.session.commit()
    login(caf_facilitator)
    page = sf.page_text(client.get(f"/rencontres/{today_meeting.id}/emargement"))
    pdf = client.get(f"/rencontres/{today_meeting.id}/emargement.pdf")
    assert "<td>Inès Lemaire</td><td>" in page
    assert "CC des 7 Vallées" in page
    assert "Paul Durand" in page
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert len(pdf.data) > 1000


def test_pdf_text_survives_characters_outside_windows_1252():
    from network.sessions.signin_sheet import printable
    assert printable("Œdipe Ærø — Łukasz Ğ’") == "Œdipe Ærø — Lukasz G’"


def test_attendance_rates(network, people, caf_facilitator, coordinator):
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED,
                                starts_at=sf.earlier_this_year(timedelta(hours=1)))
    sf.invite(meeting, *people, coordinator)
    for member, status in zip(people, ("present", "partial", "excused"), strict=True):
        services.record_attendance(actor=caf_facilitator, meeting=meeting, member_id=member.id, status=status)
    services.add_walk_in(actor=caf_facilitator, meeting=meeting, name="Invitée surprise", organisation=None)
    db.session.commit()
    counts = queries.meeting_attendance_of(meeting, utcnow()).counts
    history = queries.attendance_history(network.id, to_paris(meeting.starts_at).year, utcnow())
    assert (counts.invited, counts.attended, counts.excused) == (4, 2, 1)
    assert counts.rate.value == 0.5
    assert counts.rate_excused_excluded.value == 2 / 3
    assert [row.meeting_id for row in history.meetings] == [meeting.id]
    assert sorted((row.member_id, row.invited, row.attended) for row in history.members) == sorted(
        [(people[0].id, 1, 1), (people[1].id, 1, 1), (people[2].id, 1, 0), (coordinator.id, 1, 0)])


def test_member_sees_own_history(client, login, network, people, caf_facilitator):
    starts_at = sf.earlier_this_year(timedelta(days=1))
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=starts_at,
                                ends_at=starts_at + timedelta(hours=6))
    sf.invite(meeting, people[0])
    services.record_attendance(actor=caf_facilitator, meeting=meeting, member_id=people[0].id, status="present")
    db.session.commit()
    login(people[0])
    page = sf.page_text(client.get("/rencontres/mes-rencontres"))
    assert "Présent·e à <strong>1 rencontre sur 1</strong>" in page


def test_history_page_refused_to_coordinators(client, login, coordinator):
    login(coordinator)
    assert client.get("/rencontres/assiduite").status_code == 403


def test_history_page_for_facilitators(client, login, caf_facilitator):
    login(caf_facilitator)
    assert "Présence et assiduité 20" in sf.page_text(client.get("/rencontres/assiduite"))
