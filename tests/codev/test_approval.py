"""The client approves their subgroup's composition (and each change) before anyone else reads the case;
they may refuse a person. Every change is in the history and the audit log, with names, never content."""

import pytest
from markupsafe import escape

from network.audit import AuditEvent
from network.codev import services
from network.codev.enums import CaseState
from network.codev.models import CaseRecord, SubgroupEvent
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.formatting import french_datetime
from network.outbox import OutboxMessage, send_due
from tests.codev import factories as codev_factories
from tests.codev.factories import CONTEXT, QUESTION, reload

NB = "\u00a0"
SECRETS = (CONTEXT, QUESTION)


def _reads(client, case) -> tuple[int, bool]:
    """(status of the case page, whether its content shows)."""
    response = client.get(f"/codev/cas/{case.id}")
    page = response.get_data(as_text=True)
    return response.status_code, str(escape(CONTEXT)) in page


@pytest.fixture
def proposed(workshop):
    """A second selected case of the workshop (client: spare[0]) and the people to seat: spare[1:5]."""
    case = codev_factories.create_case(workshop.spare[0], state=CaseState.SELECTED, meeting=workshop.meeting)
    return reload(case)


def _compose(case, actor, animator, consultants):
    services.compose_subgroup(reload(case), actor=actor, animator=animator, consultants=consultants)
    db.session.commit()


def _approve(case, client):
    fresh = reload(case)
    services.approve_subgroup(fresh, actor=client, seen=fresh.subgroup.pending_token)
    db.session.commit()


def test_facilitator_who_seats_herself_reads_nothing_until_the_client_approves(
        workshop, proposed, login, client, app, smtp_server):
    me, client_member = workshop.facilitator, workshop.spare[0]
    _compose(proposed, me, me, workshop.spare[1:4])
    send_due()
    login(me)

    before = _reads(client, proposed)
    record_form = client.get(f"/codev/cas/{proposed.id}/compte-rendu").status_code
    record_post = client.post(f"/codev/cas/{proposed.id}/compte-rendu", data={"contract": "Lu par moi"}).status_code
    export = client.get("/codev/export.csv").get_data(as_text=True)
    mailed_to_me = [mail for mail in smtp_server.received if mail.rcpt_tos == [me.email]]
    page = client.get(f"/codev/cas/{proposed.id}").get_data(as_text=True)

    assert before == (200, False)
    assert (record_form, record_post) == (403, 403)
    assert db.session.scalar(db.select(CaseRecord).where(CaseRecord.case_id == proposed.id)) is None
    assert all(secret not in export for secret in SECRETS)
    assert mailed_to_me == []
    assert [mail.rcpt_tos for mail in smtp_server.received] == [[client_member.email]]
    assert f"Votre place dans le sous-groupe attend l'accord de la personne qui porte le cas{NB}:" in page
    assert str(escape(QUESTION)) not in page

    _approve(proposed, client_member)
    send_due()

    assert _reads(client, proposed) == (200, True)
    assert client.get(f"/codev/cas/{proposed.id}/compte-rendu").status_code == 200
    assert [mail.rcpt_tos for mail in smtp_server.received if mail.rcpt_tos == [me.email]] == [[me.email]]
    for mail in smtp_server.received:
        assert all(secret not in mail.raw.decode() for secret in SECRETS)


def test_facilitator_refused_by_the_client_reads_nothing_and_is_not_seated_again(
        workshop, proposed, login, client, smtp_server):
    me, client_member = workshop.facilitator, workshop.spare[0]
    _compose(proposed, me, me, workshop.spare[1:4])
    login(client_member)

    response = client.post(f"/codev/cas/{proposed.id}/sous-groupe/refuser/{me.id}")
    client.post(f"/codev/cas/{proposed.id}/sous-groupe/approuver",
                data={"composition": reload(proposed).subgroup.pending_token})
    client.post("/deconnexion")
    login(me)

    assert response.status_code == 302
    assert sorted(seat.member_id for seat in reload(proposed).subgroup.members) == sorted(
        m.id for m in workshop.spare[0:4])
    assert _reads(client, proposed) == (200, False)
    assert client.get(f"/codev/cas/{proposed.id}/compte-rendu").status_code == 403
    with pytest.raises(services.CompositionRefused) as error:
        services.compose_subgroup(reload(proposed), actor=me, animator=me, consultants=workshop.spare[1:4])
    assert error.value.messages == [
        f"Refusées par la personne qui porte le cas{NB}: {me.full_name}."]
    form = client.get(f"/codev/rencontres/{workshop.meeting.id}/cas/{proposed.id}/sous-groupe")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert f'<option value="{me.id}" disabled>{me.full_name} — refus de la personne qui porte le cas</option>' in page
    send_due()
    assert [mail.rcpt_tos for mail in smtp_server.received if "à compléter" in mail.message["Subject"]] == [[me.email]]


def test_newcomer_after_approval_reads_nothing_until_the_new_approval(workshop, proposed, login, client):
    client_member, animator, *consultants = workshop.spare[0:5]
    newcomer = workshop.spare[5]
    _compose(proposed, workshop.facilitator, animator, consultants)
    _approve(proposed, client_member)
    _compose(proposed, workshop.facilitator, animator, [*consultants, newcomer])

    seats = {seat.member_id: seat.is_approved for seat in reload(proposed).subgroup.members}
    login(newcomer)
    newcomer_reads = _reads(client, proposed)
    newcomer_list = client.get("/codev/").get_data(as_text=True)
    client.post("/deconnexion")
    login(consultants[0])
    consultant_reads = _reads(client, proposed)
    client.post("/deconnexion")

    assert seats == {client_member.id: True, animator.id: True, consultants[0].id: True, consultants[1].id: True,
                     consultants[2].id: True, newcomer.id: False}
    assert newcomer_reads == (404, False)
    assert str(escape(proposed.title)) not in newcomer_list
    assert consultant_reads == (200, True)

    _approve(proposed, client_member)
    login(newcomer)
    assert _reads(client, proposed) == (200, True)


def test_a_new_role_is_approved_again(workshop, proposed):
    client_member, animator, *consultants = workshop.spare[0:5]
    _compose(proposed, workshop.facilitator, animator, consultants)
    _approve(proposed, client_member)
    _compose(proposed, workshop.facilitator, consultants[0], [animator, *consultants[1:]])

    seats = {seat.member_id: (seat.role, seat.is_approved) for seat in reload(proposed).subgroup.members}
    assert seats == {client_member.id: ("client", True), animator.id: ("consultant", False),
                     consultants[0].id: ("animator", False), consultants[1].id: ("consultant", True),
                     consultants[2].id: ("consultant", True)}


def test_approving_a_composition_changed_meanwhile_is_refused(workshop, proposed):
    client_member, animator, *consultants = workshop.spare[0:5]
    _compose(proposed, workshop.facilitator, animator, consultants)
    read = reload(proposed).subgroup.pending_token
    _compose(proposed, workshop.facilitator, animator, [*consultants, workshop.spare[5]])
    with pytest.raises(Conflict, match="La composition a changé pendant que vous la lisiez"):
        services.approve_subgroup(reload(proposed), actor=client_member, seen=read)
    assert len(reload(proposed).subgroup.pending_seats) == 5


def test_approval_with_nothing_pending_is_refused(workshop):
    with pytest.raises(DomainError, match="Aucune personne n'attend votre accord."):
        services.approve_subgroup(reload(workshop.case), actor=workshop.client, seen="")


@pytest.mark.parametrize("who", ["animator", "facilitator", "admin", "other"])
def test_approval_by_anyone_but_the_client_is_not_allowed(workshop, who):
    case = reload(workshop.case)
    with pytest.raises(NotAllowed, match="Seule la personne qui porte le cas approuve"):
        services.approve_subgroup(case, actor=getattr(workshop, who), seen="")
    with pytest.raises(NotAllowed):
        services.refuse_subgroup_member(case, workshop.consultants[0], actor=getattr(workshop, who))


def test_approval_after_the_workshop_is_refused(workshop):
    workshop.case.state = CaseState.WORKED
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.refuse_subgroup_member(reload(workshop.case), workshop.consultants[0], actor=workshop.client)


def test_refusing_the_client_seat_is_refused(workshop):
    with pytest.raises(DomainError, match="ne fait pas partie des membres du sous-groupe que vous pouvez refuser"):
        services.refuse_subgroup_member(reload(workshop.case), workshop.client, actor=workshop.client)


# --- the 403 matrix -------------------------------------------------------------------------------------

ROLES = {"client": "client", "consultant": "consultants", "animator": "animator", "facilitator": "facilitator",
         "other_coordinator": "other", "admin": "admin", "anonymous": None}


def _as(workshop, login, client, role):
    attribute = ROLES[role]
    if attribute is not None:
        member = getattr(workshop, attribute)
        login(member[0] if isinstance(member, list) else member)
    return client


@pytest.mark.parametrize("state", ["selected", "worked"])
@pytest.mark.parametrize(("role", "status_selected", "status_worked"), [
    ("client", 302, 403), ("consultant", 403, 403), ("animator", 403, 403), ("facilitator", 403, 403),
    ("other_coordinator", 404, 404), ("admin", 403, 403), ("anonymous", 302, 302),
])
def test_approve_and_refuse_routes(workshop, login, client, role, state, status_selected, status_worked):
    newcomer = workshop.spare[0]
    _compose(workshop.case, workshop.facilitator, workshop.animator, [*workshop.consultants, newcomer])
    workshop.case.state = state
    db.session.commit()
    token = reload(workshop.case).subgroup.pending_token
    browser = _as(workshop, login, client, role)

    refuse = browser.post(f"/codev/cas/{workshop.case.id}/sous-groupe/refuser/{workshop.consultants[0].id}")
    approve = browser.post(f"/codev/cas/{workshop.case.id}/sous-groupe/approuver", data={"composition": token})

    expected = status_selected if state == "selected" else status_worked
    assert (refuse.status_code, approve.status_code) == (expected, expected)
    seats = {seat.member_id: seat.is_approved for seat in reload(workshop.case).subgroup.members}
    done = role == "client" and state == "selected"
    assert (workshop.consultants[0].id in seats) is not done
    assert seats[newcomer.id] is done
    if role == "anonymous":
        assert refuse.location.startswith("/connexion?next=")


@pytest.mark.parametrize("approved", [False, True])
@pytest.mark.parametrize(("role", "pending_status", "approved_status"), [
    ("consultant", 404, 200), ("animator", 404, 200), ("facilitator", 200, 200),
])
def test_read_depends_on_the_approval_of_the_seat(workshop, login, client, role, approved, pending_status,
                                                   approved_status):
    """A subgroup whose seats await approval: nobody but the client reads; approved, the seats do. The facilitator
    (outside the subgroup) sees metadata either way."""
    case = codev_factories.create_case(workshop.spare[0], state=CaseState.SELECTED, meeting=workshop.meeting)
    codev_factories.seat(case, workshop.meeting, animator=workshop.spare[1], consultants=workshop.spare[2:5],
                         approved=approved)
    member = {"consultant": workshop.spare[2], "animator": workshop.spare[1], "facilitator": workshop.facilitator}[role]
    login(member)
    status, content = _reads(client, case)
    record = client.get(f"/codev/cas/{case.id}/compte-rendu").status_code
    assert status == (approved_status if approved else pending_status)
    assert content is (approved and role != "facilitator")
    expected_record = {"consultant": 403, "animator": 200, "facilitator": 403}[role] if approved else (
        404 if role != "facilitator" else 403)
    assert record == expected_record


# --- history and audit ---------------------------------------------------------------------------------

def test_history_and_audit_name_people_never_content(workshop, proposed, login, client):
    client_member, animator, *consultants = workshop.spare[0:5]
    _compose(proposed, workshop.facilitator, animator, consultants)
    services.refuse_subgroup_member(reload(proposed), consultants[2], actor=client_member)
    db.session.commit()
    _approve(proposed, client_member)

    kinds = db.session.execute(db.select(SubgroupEvent.kind, SubgroupEvent.member_id, SubgroupEvent.actor_id)
                               .where(SubgroupEvent.case_id == proposed.id).order_by(SubgroupEvent.id)).all()
    audits = db.session.execute(db.select(AuditEvent.action, AuditEvent.fields).where(
        AuditEvent.object_id == proposed.id, AuditEvent.action.like("codev.subgroup.%")).order_by(AuditEvent.id)).all()
    login(client_member)
    page = client.get(f"/codev/cas/{proposed.id}").get_data(as_text=True)
    history = page.split("Historique de la composition")[1]

    assert kinds == [("proposed", animator.id, workshop.facilitator.id),
                     *[("proposed", c.id, workshop.facilitator.id) for c in consultants],
                     ("refused", consultants[2].id, client_member.id),
                     ("approved", animator.id, client_member.id),
                     *[("approved", c.id, client_member.id) for c in consultants[:2]]]
    assert audits == [
        ("codev.subgroup.compose", ",".join(sorted([f"proposed:{animator.full_name} (animator)",
                                                    *[f"proposed:{c.full_name} (consultant)" for c in consultants]]))),
        ("codev.subgroup.refuse", f"refused:{consultants[2].full_name} (consultant)"),
        ("codev.subgroup.approve", ",".join(sorted([f"approved:{animator.full_name} (animator)",
                                                    *[f"approved:{c.full_name} (consultant)" for c in consultants[:2]]]))),
    ]
    assert f"<strong>Refus</strong>{NB}: {consultants[2].full_name} (Consultant·e)" in history
    assert f"<strong>Proposition</strong>{NB}: {animator.full_name} (Animateur·rice)" in history
    assert f"par {workshop.facilitator.full_name}" in history
    assert history.count("<strong>Accord</strong>") == 3
    first = db.session.scalars(db.select(SubgroupEvent).order_by(SubgroupEvent.id)).first()
    stamp = french_datetime(first.created_at, f"d MMMM y 'à' H'{NB}h{NB}'mm")
    assert f'<span class="muted">{stamp}</span> — <strong>Proposition</strong>' in history
    for _, fields in audits:
        assert all(secret not in fields for secret in SECRETS) and proposed.title not in fields


def test_history_is_hidden_from_the_subgroup_and_shown_to_the_facilitators(workshop, login, client):
    _compose(workshop.case, workshop.facilitator, workshop.animator, [*workshop.consultants, workshop.spare[0]])
    login(workshop.consultants[0])
    consultant_page = client.get(f"/codev/cas/{workshop.case.id}").get_data(as_text=True)
    client.post("/deconnexion")
    login(workshop.facilitator)
    facilitator_page = client.get(f"/codev/cas/{workshop.case.id}").get_data(as_text=True)
    assert "Historique de la composition" not in consultant_page
    assert "Historique de la composition" in facilitator_page
    assert f"{workshop.spare[0].full_name} <span class=\"muted\">— Consultant·e</span> " \
           f"<span class=\"badge badge--warning\">en attente d&#39;accord</span>" in facilitator_page


def test_postponing_keeps_the_history_and_notes_the_dissolution(workshop):
    later = codev_factories.create_meeting(workshop.network, days_from_now=100)
    services.postpone_case(reload(workshop.case), actor=workshop.facilitator, meeting=later)
    db.session.commit()
    assert db.session.execute(db.select(SubgroupEvent.kind, SubgroupEvent.actor_id).where(
        SubgroupEvent.case_id == workshop.case.id)).all() == [("dissolved", workshop.facilitator.id)]


def test_erasure_anonymises_the_names_in_the_subgroup_audit(workshop, proposed):
    from network.privacy.services import erase_member
    client_member, animator, *consultants = workshop.spare[0:5]
    _compose(proposed, workshop.facilitator, animator, consultants)
    name = animator.full_name
    erase_member(actor=workshop.admin, member=animator)
    db.session.commit()
    fields = db.session.scalar(db.select(AuditEvent.fields).where(AuditEvent.action == "codev.subgroup.compose"))
    assert name not in fields and "proposed:[anonymisé] (animator)" in fields


# --- the client's page and the email --------------------------------------------------------------------

def test_client_page_shows_the_proposed_composition_to_approve(workshop, proposed, login, client):
    client_member, animator, *consultants = workshop.spare[0:5]
    _compose(proposed, workshop.facilitator, animator, consultants)
    login(client_member)
    page = client.get(f"/codev/cas/{proposed.id}").get_data(as_text=True)
    panel = page.split('id="composition"')[1].split("</section>")[0]
    assert "4 personnes attendent</strong>" not in panel
    assert "<strong>4 personnes attendent votre accord.</strong>" in panel
    assert panel.count("attend votre accord</span>") == 4
    assert panel.count("class=\"button button--danger\">Refuser ") == 4
    assert f'name="composition" value="{reload(proposed).subgroup.pending_token}"' in panel
    assert "J'approuve cette composition" in panel

    client.post(f"/codev/cas/{proposed.id}/sous-groupe/approuver",
                data={"composition": reload(proposed).subgroup.pending_token})
    page = client.get(f"/codev/cas/{proposed.id}").get_data(as_text=True)
    panel = page.split('id="composition"')[1].split("</section>")[0]
    assert panel.count("accord donné</span>") == 4 and "J'approuve cette composition" not in panel


def test_approval_email_is_received_by_the_client(workshop, proposed, smtp_server):
    client_member, animator, *consultants = workshop.spare[0:5]
    _compose(proposed, workshop.facilitator, animator, consultants)
    report = send_due()
    assert report.failed == 0, db.session.scalars(db.select(OutboxMessage.last_error)).all()
    (mail,) = smtp_server.received
    html = mail.message.get_body(("html",)).get_content()
    assert mail.rcpt_tos == [client_member.email]
    assert f"<li>{animator.full_name}, Animateur·rice <strong>(attend votre accord)</strong></li>" in html
    assert f"/codev/cas/{proposed.id}" in html
