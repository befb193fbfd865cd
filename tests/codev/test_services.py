from datetime import timedelta

import pytest

from network.audit import AuditEvent
from network.codev import services
from network.codev.enums import CaseState, Outcome
from network.codev.models import CaseRecord, SubgroupMember
from network.database import utcnow
from network.errors import InvalidTransition, NotAllowed
from network.extensions import db
from network.members.models import Member
from network.outbox import OutboxMessage, send_due
from tests import factories
from tests.codev import factories as codev_factories
from tests.codev.factories import CONTEXT, QUESTION, reload

NB = "\u00a0"  # the no-break space French puts before « : »


@pytest.fixture
def selected(workshop):
    """A second case of the workshop, selected, no subgroup yet; client = one of the spares."""
    client, *others = workshop.spare
    case = codev_factories.create_case(client, state=CaseState.SELECTED, meeting=workshop.meeting)
    return reload(case), client, others


def test_compose_subgroup_seats_people_pending_and_asks_only_the_client(workshop, selected, smtp_server):
    case, client, (animator, *consultants) = selected

    services.compose_subgroup(case, actor=workshop.facilitator, animator=animator, consultants=consultants)
    db.session.commit()

    seats = {(seat.member_id, seat.role, seat.is_approved) for seat in reload(case).subgroup.members}
    assert seats == {(client.id, "client", True), (animator.id, "animator", False),
                     *((c.id, "consultant", False) for c in consultants)}
    report = send_due(); assert report.failed == 0, db.session.scalars(db.select(OutboxMessage.last_error)).all()
    (mail,) = smtp_server.received
    body = mail.message.get_body(("plain",)).get_content()
    assert mail.rcpt_tos == [client.email]
    assert mail.message["Subject"] == (f"CODEV{NB}: la composition du sous-groupe de votre cas {case.reference} "
                                       "attend votre accord")
    assert f"- {animator.full_name}, Animateur·rice (attend votre accord)" in body
    assert f"- {consultants[0].full_name}, Consultant·e (attend votre accord)" in body
    assert f"/codev/cas/{case.id}" in body
    raw = mail.raw.decode()
    assert CONTEXT not in raw and QUESTION not in raw and case.title not in raw


def test_approval_emails_each_approved_member_without_content(workshop, selected, smtp_server):
    case, client, (animator, *consultants) = selected
    services.compose_subgroup(case, actor=workshop.facilitator, animator=animator, consultants=consultants)
    db.session.commit()
    send_due()
    smtp_server.received.clear()

    case = reload(case)
    approved = services.approve_subgroup(case, actor=client, seen=case.subgroup.pending_token)
    db.session.commit()

    assert sorted(seat.member_id for seat in approved) == sorted(m.id for m in [animator, *consultants])
    assert reload(case).subgroup.pending_seats == []
    report = send_due(); assert report.failed == 0, db.session.scalars(db.select(OutboxMessage.last_error)).all()
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.received) == sorted(
        m.email for m in [animator, *consultants])
    for mail in smtp_server.received:
        raw = mail.raw.decode()
        assert CONTEXT not in raw and QUESTION not in raw and case.title not in raw
        assert mail.message["Subject"] == f"CODEV{NB}: votre sous-groupe pour la rencontre"


def _refusal(case, *, animator, consultants):
    with pytest.raises(services.CompositionRefused) as error:
        services.compose_subgroup(case, actor=case_facilitator(case), animator=animator, consultants=consultants)
    return error.value.messages


def case_facilitator(case):
    return db.session.scalars(db.select(Member).where(Member.network_id == case.network_id,
                                                      Member.role == "facilitator")).first()


def test_client_placed_twice_is_refused(workshop, selected):
    case, client, (animator, *consultants) = selected
    assert _refusal(case, animator=animator, consultants=[client, *consultants[:3]]) == [
        f"{client.full_name} porte le cas{NB}: elle ou il ne peut pas occuper une autre place dans le sous-groupe."]


def test_member_of_another_network_is_refused(workshop, selected):
    case, client, (animator, *consultants) = selected
    outsider = factories.create_member(network=factories.create_network(), first_name="Xavier", last_name="Ailleurs")
    assert _refusal(case, animator=animator, consultants=[*consultants, outsider]) == [
        "Xavier Ailleurs n'appartient pas au réseau de ce cas.",
        f"Ces personnes n'ont pas confirmé leur venue à la rencontre{NB}: Xavier Ailleurs."]


def test_member_who_did_not_say_yes_is_refused(workshop, selected):
    case, client, (animator, *consultants) = selected
    absent = factories.create_member(network=workshop.network, first_name="Paul", last_name="Absent")
    codev_factories.invite(workshop.meeting, absent, rsvp="no")
    assert _refusal(case, animator=animator, consultants=[*consultants, absent]) == [
        f"Ces personnes n'ont pas confirmé leur venue à la rencontre{NB}: Paul Absent."]


def test_subgroup_size_is_five_to_eight(workshop, selected):
    case, client, (animator, *consultants) = selected
    assert _refusal(case, animator=animator, consultants=consultants[:1]) == [
        "Un sous-groupe compte de 5 à 8 personnes, client et animateur compris (3 choisies)."]


def test_member_already_in_another_subgroup_of_the_meeting_is_refused(workshop, selected):
    case, client, (animator, *consultants) = selected
    assert _refusal(case, animator=animator, consultants=[*consultants[:2], workshop.consultants[0]]) == [
        f"Déjà dans un autre sous-groupe de cette rencontre{NB}: {workshop.consultants[0].full_name}."]


def test_every_problem_is_reported_at_once(workshop, selected):
    case, client, (animator, *consultants) = selected
    absent = factories.create_member(network=workshop.network, first_name="Paul", last_name="Absent")
    other_case = codev_factories.create_case(consultants[0], state=CaseState.SELECTED, meeting=workshop.meeting)
    assert other_case.id
    assert _refusal(case, animator=None, consultants=[client, consultants[0], workshop.animator, absent]) == [
        "Choisissez l'animateur·rice du sous-groupe.",
        f"{client.full_name} porte le cas{NB}: elle ou il ne peut pas occuper une autre place dans le sous-groupe.",
        "Un sous-groupe compte de 5 à 8 personnes, client et animateur compris (4 choisies).",
        f"Ces personnes n'ont pas confirmé leur venue à la rencontre{NB}: Paul Absent.",
        f"Déjà dans un autre sous-groupe de cette rencontre{NB}: {workshop.animator.full_name}.",
        f"Portent un autre cas à cette rencontre{NB}: {consultants[0].full_name}."]
    assert reload(case).subgroup is None


def test_only_a_facilitator_of_the_network_composes(workshop, selected):
    case, client, (animator, *consultants) = selected
    with pytest.raises(NotAllowed):
        services.compose_subgroup(case, actor=workshop.client, animator=animator, consultants=consultants)


def test_recomposing_replaces_the_seats(workshop, selected):
    case, client, (animator, *consultants) = selected
    services.compose_subgroup(case, actor=workshop.facilitator, animator=animator, consultants=consultants)
    db.session.commit()
    services.compose_subgroup(reload(case), actor=workshop.facilitator, animator=consultants[0],
                              consultants=[animator, *consultants[1:]])
    db.session.commit()
    roles = {seat.member_id: seat.role for seat in reload(case).subgroup.members}
    assert (roles[consultants[0].id], roles[animator.id]) == ("animator", "consultant")
    assert db.session.scalar(db.select(db.func.count(SubgroupMember.id))) == 5 + 6


def test_record_by_a_consultant_is_not_allowed(workshop):
    with pytest.raises(NotAllowed, match="remplissent le compte rendu"):
        services.save_record(reload(workshop.case), actor=workshop.consultants[0], data=services.RecordData())


def test_record_audit_names_fields_never_content(workshop):
    services.save_record(reload(workshop.case), actor=workshop.animator,
                         data=services.RecordData(exposition="Le maire bloque tout.", synthesis="Relancer."))
    db.session.commit()
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "codev.record.update")).one()
    assert (event.fields, event.actor_id) == ("exposition,synthesis", workshop.animator.id)


def test_record_of_a_closed_case_is_refused(workshop):
    workshop.case.state = CaseState.CLOSED
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.save_record(reload(workshop.case), actor=workshop.client, data=services.RecordData())


def test_follow_up_moves_a_worked_case_and_keeps_the_latest_outcome(workshop):
    workshop.case.state = CaseState.WORKED
    db.session.commit()
    services.record_follow_up(reload(workshop.case), actor=workshop.client,
                              data=services.FollowUpData(outcome=Outcome.PARTIALLY_RESOLVED, helpfulness=2))
    db.session.commit()
    services.record_follow_up(reload(workshop.case), actor=workshop.client,
                              data=services.FollowUpData(outcome=Outcome.RESOLVED, helpfulness=3, comment="Enfin !"))
    db.session.commit()
    case = reload(workshop.case)
    assert (case.state, case.outcome) == ("followed_up", "resolved")


@pytest.mark.parametrize("who", ["animator", "facilitator"])
def test_follow_up_by_someone_else_is_not_allowed(workshop, who):
    workshop.case.state = CaseState.WORKED
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.record_follow_up(reload(workshop.case), actor=getattr(workshop, who),
                                  data=services.FollowUpData(outcome=Outcome.RESOLVED, helpfulness=3))


def test_follow_up_before_the_workshop_is_refused(workshop):
    with pytest.raises(InvalidTransition):
        services.record_follow_up(reload(workshop.case), actor=workshop.client,
                                  data=services.FollowUpData(outcome=Outcome.RESOLVED, helpfulness=3))


def test_reconsult_creates_a_linked_draft(workshop):
    workshop.case.state = CaseState.FOLLOWED_UP
    db.session.commit()
    new = services.reconsult_case(reload(workshop.case), actor=workshop.client)
    db.session.commit()
    assert (new.state, new.previous_case_id, new.client_id, new.theme) == ("draft", workshop.case.id,
                                                                          workshop.client.id, "early_childhood")


def test_capitalisation_consent_only_by_the_client_after_the_workshop(workshop):
    with pytest.raises(NotAllowed):
        services.set_capitalisation_consent(reload(workshop.case), actor=workshop.client, consent=True)
    workshop.case.state = CaseState.WORKED
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.set_capitalisation_consent(reload(workshop.case), actor=workshop.facilitator, consent=True)
    services.set_capitalisation_consent(reload(workshop.case), actor=workshop.client, consent=True)
    db.session.commit()
    assert reload(workshop.case).has_capitalisation_consent is True


def test_update_sheet_of_someone_else_is_not_allowed(workshop):
    draft = codev_factories.create_case(workshop.other)
    sheet = services.CaseSheet(title="Pris", case_type="problem", theme="housing")
    with pytest.raises(NotAllowed, match="Seule la personne qui porte le cas"):
        services.update_case_sheet(reload(draft), actor=workshop.client, data=sheet)


def test_selection_emails_the_client_without_content(workshop, smtp_server):
    case = codev_factories.create_case(workshop.other, state=CaseState.PROPOSED, meeting=workshop.meeting,
                                       help_wanted="Aide confidentielle : contacts à la PMI.")
    services.select_case(reload(case), actor=workshop.facilitator, meeting=workshop.meeting)
    db.session.commit()
    report = send_due(); assert report.failed == 0, db.session.scalars(db.select(OutboxMessage.last_error)).all()
    (mail,) = smtp_server.received
    raw = mail.raw.decode()
    body = mail.message.get_body(("plain",)).get_content()
    assert mail.rcpt_tos == [workshop.other.email]
    assert f"Votre cas {case.reference} est retenu" in body
    for secret in (CONTEXT, QUESTION, "Aide confidentielle", case.title):
        assert secret not in raw and secret not in body


def test_follow_up_reminder_goes_to_due_clients_once(workshop, smtp_server, app):
    held = codev_factories.create_meeting(workshop.network, days_from_now=-60, status="held")
    due = codev_factories.create_case(workshop.client, state=CaseState.WORKED, meeting=held, worked_at=held.starts_at)
    answered = codev_factories.create_case(workshop.other, state=CaseState.WORKED, meeting=held)
    services.record_follow_up(reload(answered), actor=workshop.other,
                              data=services.FollowUpData(outcome=Outcome.OVERCOME, helpfulness=2))
    db.session.commit()
    workshop.case.state = CaseState.WORKED  # worked at the meeting in 20 days: its next meeting is not near
    db.session.commit()
    codev_factories.create_meeting(workshop.network, days_from_now=5)

    result = app.test_cli_runner().invoke(args=["codev", "send-followup-reminders"])

    assert result.output == "follow-up reminders queued=1\n"
    assert services.send_follow_up_reminders() == 0  # reminded already
    assert services.send_follow_up_reminders(now=utcnow() + timedelta(days=15)) == 1
    db.session.commit()
    report = send_due(); assert report.failed == 0, db.session.scalars(db.select(OutboxMessage.last_error)).all()
    assert [mail.rcpt_tos for mail in smtp_server.received] == [[workshop.client.email]] * 2
    body = smtp_server.received[0].message.get_body(("plain",)).get_content()
    assert f"/codev/cas/{due.id}/suivi" in body
    for mail in smtp_server.received:
        assert CONTEXT not in mail.raw.decode() and QUESTION not in mail.raw.decode()


def test_draft_content_is_never_loaded_by_metadata_queries(workshop):
    from sqlalchemy.exc import InvalidRequestError
    case = reload(workshop.case)
    with pytest.raises(InvalidRequestError):
        _ = case.context
    assert db.session.scalar(db.select(db.func.count(CaseRecord.id))) == 0
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0
