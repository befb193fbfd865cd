"""The GSE score, the T0-then-yearly cycle, the invitations and the group figures (n ≥ 5)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from network.errors import NotAllowed
from network.evaluation import queries, services
from network.evaluation.models import SelfEfficacyReminder, SelfEfficacyResponse
from network.periods import Period, Scope
from network.evaluation.scales import gse_score
from network.extensions import db
from network.outbox import OutboxMessage
from tests import factories


@pytest.mark.parametrize(("answers", "expected"), [
    ([4] * 10, 40.0),
    ([1] * 10, 10.0),
    ([3, 3, 3, 2, 2, 4, 4, 1, 3, 3], 28.0),
    ([3, 3, 3, 2, 2, 4, 4, None, None, None], 30.0),  # 3 missing: 21 / 7 × 10
    ([3, 2, 2, 2, 2, 2, 2, None, None, None], 21.4),  # 15 / 7 × 10 = 21.43 → 21.4
    ([3, 3, 3, 3, 3, 3, 4, None, None, None], 31.4),  # 22 / 7 × 10 = 31.43
    ([4, 4, 4, 4, 4, 3, None, None, None, None], None),  # 4 missing: no score
])
def test_gse_score_prorates_up_to_three_missing_items(answers, expected):
    assert gse_score(answers) == expected


def _answer(member, wave, score, taken_on):
    db.session.add(SelfEfficacyResponse(member_id=member.id, network_id=member.network_id, wave=wave,
                                        taken_on=taken_on, score=score))
    db.session.commit()


def test_record_self_efficacy_stores_t0_then_refuses_until_a_year_has_passed(network, coordinator):
    answers = [3, 3, 3, 2, 2, 4, 4, None, None, None]

    first = services.record_self_efficacy(coordinator, answers, actor=coordinator, today=date(2024, 3, 1))
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.record_self_efficacy(coordinator, answers, actor=coordinator, today=date(2025, 2, 28))
    second = services.record_self_efficacy(coordinator, [4] * 10, actor=coordinator, today=date(2025, 3, 1))

    assert (first.wave, first.score, first.item_8) == (0, 30.0, None)
    assert (second.wave, second.score) == (1, 40.0)


def test_record_self_efficacy_refuses_someone_else(network, coordinator, facilitator):
    with pytest.raises(NotAllowed):
        services.record_self_efficacy(coordinator, [3] * 10, actor=facilitator, today=date(2025, 1, 1))


def test_due_wave_is_the_next_one_a_year_after_the_last_answer():
    status = queries.SelfEfficacyStatus(1, date(2022, 5, 10), 0, date(2022, 5, 10))
    late_t1 = queries.SelfEfficacyStatus(1, date(2022, 5, 10), 1, date(2023, 11, 2))

    assert services.due_wave(None, date(2025, 1, 1)) == 0
    assert services.due_wave(status, date(2023, 5, 9)) is None
    assert services.due_wave(status, date(2023, 5, 10)) == 1
    assert services.due_wave(status, date(2025, 6, 1)) == 1  # the next wave, never a skipped number
    assert services.due_wave(late_t1, date(2024, 5, 10)) is None  # not six months after a late T1
    assert (services.next_due_date(late_t1), services.due_wave(late_t1, date(2024, 11, 2))) == (date(2024, 11, 2), 2)


def test_next_due_date_is_the_day_the_wave_opens_even_after_29_february():
    status = queries.SelfEfficacyStatus(1, date(2024, 2, 29), 0, date(2024, 2, 29))

    due_on = services.next_due_date(status)

    assert due_on == date(2025, 2, 28)
    assert (services.due_wave(status, due_on - timedelta(days=1)), services.due_wave(status, due_on)) == (None, 1)


def test_invitations_are_sent_once_per_due_period(network, coordinator, facilitator, smtp_server):
    answered = factories.create_member(network=network, email="deja@example.test")
    _answer(answered, 0, 30.0, date(2025, 1, 10))
    now = datetime(2025, 6, 1, 8, tzinfo=UTC)

    first = services.send_self_efficacy_invitations(actor=None, now=now)
    db.session.commit()
    again = services.send_self_efficacy_invitations(actor=None, now=now)
    db.session.commit()
    next_year = services.send_self_efficacy_invitations(actor=None, now=datetime(2026, 1, 10, 8, tzinfo=UTC))
    db.session.commit()

    assert (first, again, next_year) == (1, 0, 1)  # the coordinator's T0, then the other member's T1
    recipients = [message.recipients for message in db.session.scalars(db.select(OutboxMessage).order_by(
        OutboxMessage.id))]
    assert recipients == ["coordinatrice@example.test", "deja@example.test"]
    assert db.session.scalar(db.select(db.func.count(SelfEfficacyReminder.id))) == 2


def test_the_invitation_email_reaches_the_member_with_the_link(app, network, coordinator, smtp_server):
    from network.outbox import send_due
    services.send_self_efficacy_invitations(actor=None, now=datetime(2025, 6, 1, tzinfo=UTC))
    db.session.commit()
    report = send_due()

    assert (report.sent, report.failed) == (1, 0), db.session.scalars(db.select(OutboxMessage.last_error)).all()
    message = smtp_server.messages[0]
    assert message["To"] == "coordinatrice@example.test"
    assert "efficacité personnelle" in message["Subject"]
    assert "/evaluation/efficacite" in message.get_body(("plain",)).get_content()


def _group(network, pairs):
    members = []
    for index, (t0, t1) in enumerate(pairs):
        member = factories.create_member(network=network)
        _answer(member, 0, t0, date(2024, 2, 1))
        if t1 is not None:
            _answer(member, 1, t1, date(2025, 2, 1))
        members.append(member)
    return members


def _scope(network, year=2025):
    return Scope(period=Period(year), now=datetime(2025, 12, 31, tzinfo=UTC), network_ids=(network.id,))


def test_group_figures_need_five_paired_members(network):
    _group(network, [(20.0, 25.0), (30.0, 31.0), (25.0, 24.0), (28.0, 30.0), (22.0, None)])

    group = queries.self_efficacy_groups(_scope(network))[None]

    assert (group.respondents_t0, group.paired) == (5, 4)
    assert (group.mean_t0, group.mean_t1, group.mean_change) == (None, None, None)
    assert not group.is_sufficient


def test_group_figures_with_five_pairs_use_the_latest_yearly_answer(network):
    members = _group(network, [(20.0, 25.0), (30.0, 31.0), (25.0, 24.0), (28.0, 30.0), (22.0, 26.0),
                               (35.0, None)])
    _answer(members[0], 2, 27.0, date(2026, 2, 1))  # after the period: not used for 2025
    _answer(members[1], 2, None, date(2025, 11, 1))  # no score (too many missing): the scored wave 1 stays T1

    group = queries.self_efficacy_groups(_scope(network))[None]

    # T0 of the 5 paired: 20 30 25 28 22 → 25.0; T1: 25 31 24 30 26 → 27.2; change 2.2
    assert (group.respondents_t0, group.paired) == (6, 5)
    assert (group.mean_t0, group.mean_t1, group.mean_change) == (25.0, 27.2, 2.2)


def test_group_figures_count_entry_answers_too_incomplete_to_score_apart(network):
    _group(network, [(20.0, 25.0), (30.0, 31.0), (25.0, 24.0), (28.0, 30.0), (22.0, 26.0)])
    incomplete = _group(network, [(None, 30.0), (None, None)])  # T0 with more than 3 items unanswered: no score
    assert len(incomplete) == 2

    group = queries.self_efficacy_groups(_scope(network))[None]

    # the two unscored T0 are neither respondents with a score nor paired, and never in a mean
    assert (group.respondents_t0, group.unscored_t0, group.answered_t0, group.paired) == (5, 2, 7, 5)
    assert (group.mean_t0, group.mean_t1, group.mean_change) == (25.0, 27.2, 2.2)
