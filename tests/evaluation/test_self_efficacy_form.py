"""The self-efficacy questionnaire asks before accepting an unanswered question, lets the member skip it on
purpose, and lets them correct their own answers for a month."""

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from network.audit import AuditEvent
from network.database import utcnow
from network.errors import NotAllowed
from network.evaluation import services
from network.evaluation.models import SelfEfficacyResponse
from network.periods import PARIS
from network.extensions import db

ALL_BUT_TEN = {f"item_{n}": "3" for n in range(1, 10)}


def _responses():
    return list(db.session.scalars(select(SelfEfficacyResponse)))


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


def test_unanswered_question_is_asked_about_before_saving(client, login, coordinator):
    login(coordinator)

    response = client.post("/evaluation/efficacite", data=ALL_BUT_TEN)
    page = html.unescape(response.get_data(as_text=True))

    assert response.status_code == 200
    assert "Vous n'avez pas répondu à la question 10." in page
    assert '<button type="submit" class="button button--secondary" name="skip" value="10">' \
           'Enregistrer sans répondre à la question 10</button>' in page
    assert 'class="gse__item gse__item--missing" id="question-10"' in page
    assert len(re.findall(r"<input[^>]*checked[^>]*>", page)) == 9  # the answers given are kept
    assert _responses() == []


def test_deliberate_skip_is_saved_with_the_prorated_score(client, login, coordinator):
    login(coordinator)

    response = client.post("/evaluation/efficacite", data={**ALL_BUT_TEN, "skip": "10"})

    assert response.status_code == 302
    saved = _responses()
    assert [(r.wave, r.item_9, r.item_10, r.score) for r in saved] == [(0, 3, None, 30.0)]


def test_a_skip_confirmed_for_other_questions_asks_again(client, login, coordinator):
    login(coordinator)
    answers = {f"item_{n}": "3" for n in range(1, 9)}

    response = client.post("/evaluation/efficacite", data={**answers, "skip": "10"})

    assert response.status_code == 200
    assert "Vous n'avez pas répondu aux questions 9 et 10." in html.unescape(response.get_data(as_text=True))
    assert _responses() == []


def test_member_corrects_their_answers_within_the_month(client, login, coordinator):
    services.record_self_efficacy(coordinator, [3] * 9 + [None], actor=coordinator, today=_today())
    db.session.commit()
    login(coordinator)

    mine = client.get("/evaluation/moi").get_data(as_text=True)
    form = client.get("/evaluation/efficacite").get_data(as_text=True)
    response = client.post("/evaluation/efficacite", data={**ALL_BUT_TEN, "item_1": "1", "item_10": "4"})

    until = services.correction_deadline(_responses()[0])
    assert "Corriger mes réponses du" in mine
    assert "Vous pouvez les corriger jusqu'au" in form and "Enregistrer mes corrections" in form
    assert response.status_code == 302
    [saved] = _responses()
    assert (saved.wave, saved.item_1, saved.item_10, saved.score) == (0, 1, 4, 29.0)
    assert until == _today() + timedelta(days=30)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "self_efficacy.corrected"))
    assert event is not None


def test_correction_is_closed_after_a_month(network, coordinator):
    answered = services.record_self_efficacy(coordinator, [3] * 10, actor=coordinator,
                                             today=_today() - timedelta(days=31))
    db.session.commit()

    with pytest.raises(NotAllowed, match="ne se corrige plus"):
        services.correct_self_efficacy(answered, [4] * 10, actor=coordinator, today=_today())


def test_correction_by_someone_else_is_refused(network, coordinator, facilitator):
    answered = services.record_self_efficacy(coordinator, [3] * 10, actor=coordinator, today=_today())
    db.session.commit()

    with pytest.raises(NotAllowed):
        services.correct_self_efficacy(answered, [4] * 10, actor=facilitator, today=_today())


def test_questionnaire_closed_after_the_month_promises_the_next_date(client, login, coordinator):
    services.record_self_efficacy(coordinator, [3] * 10, actor=coordinator, today=_today() - timedelta(days=40))
    db.session.commit()
    login(coordinator)

    page = client.get("/evaluation/efficacite").get_data(as_text=True)
    refused = client.post("/evaluation/efficacite", data={f"item_{n}": "4" for n in range(1, 11)})

    assert "Votre questionnaire n'est pas ouvert pour le moment" in page
    assert refused.status_code == 302
    assert [r.item_1 for r in _responses()] == [3]


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_questionnaire_refused_to_non_coordinators(client, login, role, facilitator, admin):
    login({"facilitator": facilitator, "admin": admin}[role])

    assert client.get("/evaluation/efficacite").status_code == 403
