from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape

from network.codev import services
from network.codev.enums import CaseState
from network.codev.models import Case, CaseFollowUp
from network.codev.queries import codev_summary
from network.database import utcnow
from network.extensions import db
from network.formatting import french_date
from network.members.models import Network
from tests import factories
from tests.codev import factories as codev_factories
from tests.codev.factories import CONTEXT, reload


def test_case_list_query_count_is_the_same_with_1_and_3_cases(workshop, login, client, count_queries):
    login(workshop.facilitator)
    client.get("/codev/")
    with count_queries() as one:
        assert client.get("/codev/").status_code == 200
    for index in range(2):
        case = codev_factories.create_case(workshop.spare[index], state=CaseState.PROPOSED, meeting=workshop.meeting)
        assert case.id
    client.get("/codev/")
    with count_queries() as three:
        page = client.get("/codev/").get_data(as_text=True)
    assert page.count("/codev/cas/") == 3
    assert one.count == three.count


def test_case_list_query_count_is_the_same_with_3_and_300_cases(workshop, login, client, count_queries):
    login(workshop.facilitator)
    for index in range(2):
        codev_factories.create_case(workshop.spare[index], state=CaseState.PROPOSED, meeting=workshop.meeting)
    client.get("/codev/")
    with count_queries() as three:
        assert client.get("/codev/").status_code == 200
    db.session.add_all(Case(network_id=workshop.network.id, client_id=workshop.spare[n % 6].id, title=f"Cas {n}",
                            theme="parenting", state=CaseState.PROPOSED, state_changed_at=utcnow(),
                            proposed_at=utcnow()) for n in range(297))
    db.session.commit()
    client.get("/codev/")
    with count_queries() as many:
        assert client.get("/codev/").status_code == 200
    assert three.count == many.count


def test_coordinator_list_shows_own_and_subgroup_cases_only(workshop, login, client):
    hidden = codev_factories.create_case(workshop.spare[0], state=CaseState.PROPOSED, title="Cas d'une collègue")
    login(workshop.consultants[0])
    page = client.get("/codev/").get_data(as_text=True)
    assert workshop.case.title in page and "Consultant·e" in page
    assert str(escape(hidden.title)) not in page


def test_create_case_then_propose_it(workshop, login, client):
    login(workshop.other)
    response = client.post("/codev/cas/nouveau", data={
        "title": "Mobiliser les élus autour du renouvellement de la CTG", "case_type": "project",
        "theme": "elected_officials", "context": CONTEXT, "question": "Comment associer les maires ?",
        "help_wanted": "Des exemples"})
    case = db.session.scalars(db.select(Case).where(Case.client_id == workshop.other.id)).one()
    assert response.location == f"/codev/cas/{case.id}"
    assert (case.state, case.case_type, case.theme) == ("draft", "project", "elected_officials")
    upcoming = codev_factories.create_meeting(workshop.network, days_from_now=40)
    response = client.post(f"/codev/cas/{case.id}/proposer", data={"meeting_id": str(upcoming.id)})
    assert response.status_code == 302
    assert (reload(case).state, reload(case).meeting_id) == ("proposed", upcoming.id)


def test_create_case_with_an_invalid_form_keeps_the_input(workshop, login, client):
    login(workshop.other)
    response = client.post("/codev/cas/nouveau", data={"title": "", "case_type": "problem", "theme": "astrologie"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page and "Choisissez un thème de la liste." in page
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 1


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_only_coordinators_write_cases(workshop, login, client, role):
    login(getattr(workshop, role))
    assert client.get("/codev/cas/nouveau").status_code == 403


def test_editing_someone_elses_sheet_is_404_for_a_stranger_and_403_for_the_subgroup(workshop, login, client):
    login(workshop.other)
    assert client.post(f"/codev/cas/{workshop.case.id}/modifier", data={"title": "x"}).status_code == 404
    client.logout()
    consultant = login(workshop.consultants[0])
    assert consultant.post(f"/codev/cas/{workshop.case.id}/modifier", data={"title": "x"}).status_code == 403


def test_workshop_page_selects_and_composes(workshop, login, client):
    proposed = codev_factories.create_case(workshop.spare[0], state=CaseState.PROPOSED, title="Relais petite enfance")
    login(workshop.facilitator)
    page = client.get(f"/codev/rencontres/{workshop.meeting.id}").get_data(as_text=True)
    assert "Relais petite enfance" in page and CONTEXT not in page

    client.post(f"/codev/rencontres/{workshop.meeting.id}/cas/{proposed.id}/retenir")
    assert reload(proposed).state == "selected"

    animator, *consultants = workshop.spare[1:5]
    response = client.post(f"/codev/rencontres/{workshop.meeting.id}/cas/{proposed.id}/sous-groupe", data={
        "animator_id": str(animator.id), "consultant_ids": [str(m.id) for m in consultants]})
    assert response.status_code == 302
    assert len(reload(proposed).subgroup.members) == 5


def test_compose_view_shows_the_french_refusal(workshop, login, client):
    proposed = codev_factories.create_case(workshop.spare[0], state=CaseState.SELECTED, meeting=workshop.meeting)
    login(workshop.facilitator)
    response = client.post(f"/codev/rencontres/{workshop.meeting.id}/cas/{proposed.id}/sous-groupe", data={
        "animator_id": str(workshop.spare[1].id),
        "consultant_ids": [str(workshop.spare[0].id), str(workshop.spare[2].id), str(workshop.spare[3].id)]})
    assert response.status_code == 200
    assert "ne peut pas occuper une autre place" in response.get_data(as_text=True)


def test_postpone_to_a_later_meeting(workshop, login, client, smtp_server):
    later = codev_factories.create_meeting(workshop.network, days_from_now=110)
    login(workshop.facilitator)
    client.post(f"/codev/rencontres/{workshop.meeting.id}/cas/{workshop.case.id}/reporter",
                data={"meeting_id": str(later.id)})
    case = reload(workshop.case)
    assert (case.state, case.meeting_id, case.subgroup) == ("postponed", later.id, None)


def test_follow_up_form(workshop, login, client):
    workshop.case.state = CaseState.WORKED
    db.session.commit()
    login(workshop.client)
    assert client.post(f"/codev/cas/{workshop.case.id}/suivi", data={"outcome": "peut-être"}).status_code == 200
    response = client.post(f"/codev/cas/{workshop.case.id}/suivi", data={
        "outcome": "overcome", "helpfulness": "0", "actions_done": "Rendez-vous pris", "comment": ""})
    assert response.status_code == 302
    follow_up = db.session.scalars(db.select(CaseFollowUp)).one()
    assert (follow_up.outcome, follow_up.helpfulness, reload(workshop.case).state) == ("overcome", 0, "followed_up")


def test_a_follow_up_names_the_meeting_it_was_shared_at(workshop, login, client):
    workshop.case.state = CaseState.WORKED  # the workshop meeting is 20 days ahead
    db.session.commit()
    later = codev_factories.create_meeting(workshop.network, days_from_now=30, title="Rencontre d'après")
    elsewhere = codev_factories.create_meeting(factories.create_network(), days_from_now=25)
    cancelled = codev_factories.create_meeting(workshop.network, days_from_now=28, status="cancelled")
    too_far = codev_factories.create_meeting(workshop.network, days_from_now=60)
    answers = {"outcome": "resolved", "helpfulness": "3", "actions_done": "", "comment": ""}
    login(workshop.client)

    form = client.get(f"/codev/cas/{workshop.case.id}/suivi").get_data(as_text=True)
    refused = client.post(f"/codev/cas/{workshop.case.id}/suivi", data={**answers, "meeting_id": str(elsewhere.id)})
    refused_rows = db.session.scalars(db.select(CaseFollowUp)).all()
    accepted = client.post(f"/codev/cas/{workshop.case.id}/suivi", data={**answers, "meeting_id": str(later.id)})
    detail = client.get(f"/codev/cas/{workshop.case.id}").get_data(as_text=True)

    offered = [meeting.id for meeting in (later, elsewhere, cancelled, too_far, workshop.meeting)
               if f'<option value="{meeting.id}"' in form]
    assert offered == [later.id]
    assert refused.status_code == 200 and "Choisissez une rencontre de la liste." in refused.get_data(as_text=True)
    assert refused_rows == []
    assert accepted.status_code == 302
    assert db.session.scalars(db.select(CaseFollowUp.meeting_id)).all() == [later.id]
    assert f"partagé à la rencontre du\u00a0{french_date(later.starts_at)}" in detail


def test_a_follow_up_meeting_must_follow_the_workshop_in_the_network(workshop):
    from network.codev import services
    from network.errors import DomainError
    workshop.case.state = CaseState.WORKED
    db.session.commit()
    data = services.FollowUpData(outcome="resolved", helpfulness=2, actions_done="", comment="")
    before = codev_factories.create_meeting(workshop.network, days_from_now=5)
    elsewhere = codev_factories.create_meeting(factories.create_network(), days_from_now=25)

    for meeting in (before, elsewhere, workshop.meeting):
        with pytest.raises(DomainError, match="Choisissez une rencontre du réseau qui a suivi l'atelier."):
            services.record_follow_up(workshop.case, actor=workshop.client, data=data, meeting=meeting)


def test_capitalisation_sheet_is_anonymous(workshop, login, client):
    from network.codev import services
    workshop.case.state = CaseState.WORKED
    workshop.case.has_capitalisation_consent = True
    db.session.commit()
    services.add_action(reload(workshop.case), actor=workshop.client, description="Rencontrer le DGS",
                        owner="Sophie Cliente")
    db.session.commit()
    login(workshop.other)
    page = client.get("/codev/capitalisation").get_data(as_text=True)
    assert workshop.case.title in page and "Rencontrer le DGS" in page
    assert "Sophie" not in page.split("<main")[1] and CONTEXT not in page


def test_codev_summary_counts_worked_cases_clients_themes_and_outcomes(workshop):
    held = codev_factories.create_meeting(workshop.network, starts_at=datetime(2025, 3, 14, 9, tzinfo=UTC),
                                          status="held")
    spare = workshop.spare
    rows = [(spare[0], "followed_up", "resolved", "housing"), (spare[0], "closed", "overcome", "housing"),
            (spare[1], "worked", None, "parenting"), (spare[2], "followed_up", "not_applicable", "housing")]
    for member, state, outcome, theme in rows:
        codev_factories.create_case(member, state=state, meeting=held, outcome=outcome, theme=theme,
                                    worked_at=held.starts_at)
    codev_factories.create_case(spare[3], state=CaseState.SELECTED, meeting=held)  # not worked

    summary = codev_summary(start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 4, 1, tzinfo=UTC),
                            network_id=workshop.network.id)

    assert (summary.cases_worked, summary.distinct_clients, summary.distinct_themes) == (4, 3, 2)
    assert (summary.with_follow_up, summary.resolved, summary.resolved_or_overcome) == (3, 1, 2)
    assert summary.with_applicable_outcome == 2
    assert summary.outcomes == {"resolved": 1, "overcome": 1, "partially_resolved": 0, "not_resolved": 0,
                                "not_applicable": 1}
    assert codev_summary(start=datetime(2025, 4, 1, tzinfo=UTC), end=datetime(2026, 1, 1, tzinfo=UTC)).cases_worked == 0


def test_record_page_saves_the_six_steps_and_actions(workshop, login, client):
    login(workshop.animator)
    assert client.get(f"/codev/cas/{workshop.case.id}/compte-rendu").status_code == 200
    client.post(f"/codev/cas/{workshop.case.id}/actions", data={
        "description": "Proposer un comité de pilotage CTG élargi", "owner": "Sophie",
        "due_on": (utcnow() + timedelta(days=30)).date().isoformat()})
    page = client.get(f"/codev/cas/{workshop.case.id}").get_data(as_text=True)
    assert "Proposer un comité de pilotage CTG élargi" in page


def test_admin_export_needs_a_network(workshop, login, client):
    login(workshop.admin)
    assert client.get("/codev/export.csv").status_code == 404
    other = factories.create_network()
    assert client.get(f"/codev/export.csv?reseau={other.slug}").get_data(as_text=True).count("\n") == 1


def test_record_refused_by_the_service_shows_the_form_again_and_keeps_nothing(workshop, login, client,
                                                                              monkeypatch):
    monkeypatch.setattr(services, "save_record",
                        factories.refusing_service("Le compte rendu ne se modifie plus : le cas est clos."))
    login(workshop.animator)

    response = client.post(f"/codev/cas/{workshop.case.id}/compte-rendu", data={"synthesis": "Notre synthèse"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Notre synthèse" in page  # the input is kept
    assert "Le compte rendu ne se modifie plus : le cas est clos." in page
    assert "Enregistrer le compte rendu" in page  # the animator may still edit: the subgroup read again
    assert db.session.scalar(db.select(db.func.count(Network.id))) == 1  # the refused write is rolled back


def test_compose_refused_by_the_service_shows_the_form_again_and_keeps_nothing(workshop, login, client,
                                                                               monkeypatch):
    case = codev_factories.create_case(workshop.spare[0], state=CaseState.SELECTED, meeting=workshop.meeting)
    monkeypatch.setattr(services, "compose_subgroup",
                        factories.refusing_service("Ce cas n'est plus retenu pour cet atelier."))
    login(workshop.facilitator)

    response = client.post(f"/codev/rencontres/{workshop.meeting.id}/cas/{case.id}/sous-groupe", data={
        "animator_id": str(workshop.spare[1].id), "consultant_ids": [str(m.id) for m in workshop.spare[2:5]]})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ce cas n&#39;est plus retenu pour cet atelier." in page
    assert f'<option value="{workshop.spare[1].id}" selected>' in page  # the choices are kept
    assert reload(case).subgroup is None
    assert db.session.scalar(db.select(db.func.count(Network.id))) == 1


def test_case_sheet_edit_refused_by_the_service_shows_the_form_again(workshop, login, client, monkeypatch):
    draft = codev_factories.create_case(workshop.other, state=CaseState.DRAFT, title="Mon brouillon")
    monkeypatch.setattr(services, "update_case_sheet",
                        factories.refusing_service("La fiche ne se modifie plus : le cas est proposé."))
    login(workshop.other)

    response = client.post(f"/codev/cas/{draft.id}/modifier", data={
        "title": "Mon titre revu", "case_type": draft.case_type, "theme": draft.theme})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Mon titre revu"' in page
    assert "La fiche ne se modifie plus : le cas est proposé." in page
    assert draft.reference in page
    assert db.session.scalar(db.select(db.func.count(Network.id))) == 1
