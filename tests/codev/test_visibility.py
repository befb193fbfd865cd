"""Who may read, edit, move and export a case: the exact status code for each role."""

import pytest
from markupsafe import escape

from network.codev.models import CaseRecord
from network.extensions import db
from tests.codev.factories import CONTEXT, QUESTION, reload

ROLES = ["client", "consultant", "animator", "facilitator_outside", "other_coordinator", "admin", "anonymous"]


@pytest.fixture
def as_role(workshop, login, client):
    def _sign_in(role):
        member = {"client": workshop.client, "consultant": workshop.consultants[0], "animator": workshop.animator,
                  "facilitator_outside": workshop.facilitator, "other_coordinator": workshop.other,
                  "admin": workshop.admin, "anonymous": None}[role]
        if member is not None:
            login(member)
        return client
    return _sign_in


@pytest.mark.parametrize(("role", "status", "sees_content"), [
    ("client", 200, True), ("consultant", 200, True), ("animator", 200, True),
    ("facilitator_outside", 200, False), ("other_coordinator", 404, False), ("admin", 200, False),
    ("anonymous", 302, False),
])
def test_read_case(workshop, as_role, role, status, sees_content):
    response = as_role(role).get(f"/codev/cas/{workshop.case.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert (str(escape(CONTEXT)) in page, str(escape(QUESTION)) in page) == (sees_content, sees_content)
    if status == 200 and not sees_content:
        assert "Contenu confidentiel" in page and workshop.case.title in page


@pytest.mark.parametrize(("role", "status", "saved"), [
    ("client", 302, True), ("consultant", 403, False), ("animator", 302, True),
    ("facilitator_outside", 403, False), ("other_coordinator", 404, False), ("admin", 403, False),
    ("anonymous", 302, False),
])
def test_edit_record(workshop, as_role, role, status, saved):
    response = as_role(role).post(f"/codev/cas/{workshop.case.id}/compte-rendu",
                                  data={"contract": "Comment obtenir un rendez-vous avec l'élu ?"})
    assert response.status_code == status
    record = db.session.scalar(db.select(CaseRecord).where(CaseRecord.case_id == workshop.case.id))
    assert (record is not None and record.contract == "Comment obtenir un rendez-vous avec l'élu ?") == saved
    if role == "anonymous":
        assert response.location.startswith("/connexion?next=")


@pytest.mark.parametrize(("role", "status", "state"), [
    ("client", 302, "worked"), ("consultant", 403, "selected"), ("animator", 302, "worked"),
    ("facilitator_outside", 302, "worked"), ("other_coordinator", 404, "selected"), ("admin", 403, "selected"),
    ("anonymous", 302, "selected"),
])
def test_change_state(workshop, as_role, role, status, state):
    response = as_role(role).post(f"/codev/cas/{workshop.case.id}/etat/travaille")
    assert response.status_code == status
    assert reload(workshop.case).state == state


@pytest.mark.parametrize(("role", "status"), [
    ("client", 403), ("consultant", 403), ("animator", 403), ("facilitator_outside", 200),
    ("other_coordinator", 403), ("admin", 200), ("anonymous", 302),
])
def test_export(workshop, as_role, role, status):
    response = as_role(role).get(f"/codev/export.csv?reseau={workshop.network.slug}")
    assert response.status_code == status
    if status == 200:
        text = response.get_data(as_text=True)
        assert text.splitlines()[1].startswith(f"{workshop.case.reference};early_childhood;problem;selected;")
        for secret in (CONTEXT, QUESTION, workshop.case.title, workshop.client.last_name):
            assert secret not in text


def test_out_of_order_move_is_refused_with_a_french_message(workshop, login, client):
    login(workshop.client)
    response = client.post(f"/codev/cas/{workshop.case.id}/etat/clore", follow_redirects=True)
    assert response.status_code == 200
    assert str(escape("Un cas « retenu » ne peut pas passer à « clos ».")) in response.get_data(as_text=True)
    assert reload(workshop.case).state == "selected"


def test_a_draft_is_hidden_from_the_facilitator(workshop, login, client):
    from tests.codev.factories import create_case
    draft = create_case(workshop.other)
    login(workshop.facilitator)
    assert client.get(f"/codev/cas/{draft.id}").status_code == 404
    assert client.get("/codev/").get_data(as_text=True).count(draft.title) == 0


def test_a_member_of_another_network_gets_404(workshop, login, client):
    from tests import factories
    stranger = factories.create_member(network=factories.create_network(), role="facilitator")
    login(stranger)
    assert client.get(f"/codev/cas/{workshop.case.id}").status_code == 404
    assert client.get(f"/codev/rencontres/{workshop.meeting.id}").status_code == 404  # no id discovery (#14)


def test_unknown_case_gets_the_same_404(workshop, login, client):
    login(workshop.other)
    assert client.get("/codev/cas/999999").status_code == 404
