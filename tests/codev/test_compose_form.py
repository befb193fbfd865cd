"""The composition form guides the facilitator: who cannot sit and why, the client never offered another seat,
every problem at once; the workshop page tells where each composition stands with the client."""

from markupsafe import escape

from network.codev import services
from network.codev.enums import CaseState
from network.extensions import db
from tests.codev import factories as codev_factories
from tests.codev.factories import reload

NB = "\u00a0"


def _form_url(workshop, case):
    return f"/codev/rencontres/{workshop.meeting.id}/cas/{case.id}/sous-groupe"


def test_compose_form_greys_out_who_cannot_sit_with_the_reason(workshop, login, client):
    case = codev_factories.create_case(workshop.spare[0], state=CaseState.SELECTED, meeting=workshop.meeting)
    bringer = codev_factories.create_case(workshop.spare[1], state=CaseState.SELECTED, meeting=workshop.meeting)
    assert bringer.id
    login(workshop.facilitator)

    page = client.get(_form_url(workshop, case)).get_data(as_text=True)

    seated, brings, free = workshop.animator, workshop.spare[1], workshop.spare[2]
    assert (f'<input type="checkbox" name="consultant_ids" value="{seated.id}" disabled '
            f'aria-describedby="reason-{seated.id}"> <span>{seated.full_name} <span class="codev-choice__reason" '
            f'id="reason-{seated.id}">— déjà dans un autre sous-groupe</span></span>') in page
    assert (f'<input type="checkbox" name="consultant_ids" value="{brings.id}" disabled '
            f'aria-describedby="reason-{brings.id}"> <span>{brings.full_name} <span class="codev-choice__reason" '
            f'id="reason-{brings.id}">— porte un autre cas à cette rencontre</span></span>') in page
    assert (f'<input type="checkbox" name="consultant_ids" value="{free.id}" aria-describedby="reason-{free.id}"> '
            f'<span>{free.full_name} <span class="codev-choice__reason" id="reason-{free.id}"></span></span>') in page
    assert (f'<option value="{seated.id}" disabled>{seated.full_name} — déjà dans un autre sous-groupe</option>'
            in page)
    assert f'<option value="{free.id}">{free.full_name}</option>' in page
    # The client sits as client: never offered as animator or consultant.
    assert f'value="{workshop.spare[0].id}"' not in page
    assert page.count('name="consultant_ids"') == 12  # the 13 who said yes, the client excepted
    assert '<p class="codev-count" data-count aria-live="polite" hidden></p>' in page
    assert '<script src="/static/js/codev.js" defer></script>' in page


def test_compose_view_shows_every_error_at_once_and_keeps_the_choices(workshop, login, client):
    case = codev_factories.create_case(workshop.spare[0], state=CaseState.SELECTED, meeting=workshop.meeting)
    login(workshop.facilitator)

    response = client.post(_form_url(workshop, case), data={
        "animator_id": "", "consultant_ids": [str(workshop.spare[2].id), str(workshop.consultants[0].id)]})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Le sous-groupe n&#39;est pas enregistré, pour ces 3 raisons" in page
    assert ("<ul><li>Choisissez l&#39;animateur·rice du sous-groupe.</li>"
            "<li>Un sous-groupe compte de 5 à 8 personnes, client et animateur compris (3 choisies).</li>"
            f"<li>Déjà dans un autre sous-groupe de cette rencontre{NB}: Consultant0 Réseau.</li></ul>") in page
    assert f'value="{workshop.spare[2].id}" checked aria-describedby=' in page
    # Checked although unavailable: left enabled so that the facilitator can untick it.
    assert f'value="{workshop.consultants[0].id}" checked aria-describedby=' in page
    assert reload(case).subgroup is None


def test_compose_view_saves_and_says_the_client_approves(workshop, login, client):
    case = codev_factories.create_case(workshop.spare[0], state=CaseState.SELECTED, meeting=workshop.meeting)
    login(workshop.facilitator)
    response = client.post(_form_url(workshop, case), data={
        "animator_id": str(workshop.spare[1].id), "consultant_ids": [str(m.id) for m in workshop.spare[2:5]]},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert (f"Sous-groupe enregistré{NB}: la personne qui porte le cas est invitée à approuver sa composition "
            "avant que quiconque en lise le contenu.") in page
    assert f"4 personnes attendent l'accord de {workshop.spare[0].full_name}{NB}:" in page
    assert "Renfort1 Réseau <span class=\"muted\">(Animateur·rice, en attente d'accord)</span>" in page


def test_workshop_page_shows_approved_and_incomplete_subgroups(workshop, login, client):
    services.refuse_subgroup_member(reload(workshop.case), workshop.consultants[0], actor=workshop.client)
    db.session.commit()
    login(workshop.facilitator)
    page = client.get(f"/codev/rencontres/{workshop.meeting.id}").get_data(as_text=True)
    assert f"Composition approuvée par {workshop.client.full_name}." in page
    assert f"Sous-groupe incomplet{NB}: 4 personnes sur 5 au moins." in page
    assert str(escape("5 personnes ont confirmé leur venue")) not in page
    assert "13 personnes ont confirmé leur venue" in page


def test_workshop_page_query_count_is_the_same_with_1_and_3_subgroups(workshop, login, client, count_queries):
    login(workshop.facilitator)
    client.get(f"/codev/rencontres/{workshop.meeting.id}")
    with count_queries() as one:
        assert client.get(f"/codev/rencontres/{workshop.meeting.id}").status_code == 200
    for offset in (0, 3):  # two more cases of the meeting, each with a subgroup awaiting the client's approval
        case = codev_factories.create_case(workshop.spare[offset], state=CaseState.SELECTED, meeting=workshop.meeting)
        codev_factories.seat(case, workshop.meeting, animator=workshop.spare[offset + 1],
                             consultants=workshop.spare[offset + 2:offset + 3], approved=False)
    with count_queries() as three:
        page = client.get(f"/codev/rencontres/{workshop.meeting.id}").get_data(as_text=True)
    assert page.count("en attente d'accord)") == 4
    assert one.count == three.count
