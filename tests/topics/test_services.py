from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.database import utcnow
from network.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from network.extensions import db
from network.members.models import Network
from network.outbox import OutboxMessage, send_due
from network.sessions.enums import AgendaItemKind, MeetingKind, MeetingStatus
from network.sessions.models import AgendaItem
from network.topics import queries, services
from network.topics.enums import TopicStatus, VoteStatus
from network.topics.models import Ballot, BallotPoint
from tests import factories
from tests.topics.factories import create_agenda_item, create_meeting, create_topic, create_vote


def tally_of(vote):
    return [(row.topic.title, row.points, row.voters, row.rank, row.is_tied) for row in queries.tally(vote)]


# --- topics ------------------------------------------------------------------------------------

def test_propose_topic_keeps_author_date_and_links(network, coordinator):
    topic = services.propose_topic(actor=coordinator, network=network, title="  Le SDSF ",
                                   description="Où en est le schéma ?", links="https://a.test/x\n\n https://b.test ")
    db.session.commit()
    assert (topic.title, topic.author_id, topic.status) == ("Le SDSF", coordinator.id, TopicStatus.BACKLOG)
    assert topic.link_list == ["https://a.test/x", "https://b.test"]
    assert topic.created_at is not None


def test_propose_topic_refused_for_member_of_another_network(network):
    outsider = factories.create_member(network=factories.create_network())
    with pytest.raises(NotAllowed):
        services.propose_topic(actor=outsider, network=network, title="Intrus")


def test_propose_topic_refused_for_admin(network, admin):
    with pytest.raises(NotAllowed):
        services.propose_topic(actor=admin, network=network, title="Admin")


def test_merge_topic_moves_duplicate_out_of_backlog(network, facilitator, coordinator):
    original = create_topic(network, author=facilitator, title="SDSF", links="https://a.test")
    duplicate = create_topic(network, author=coordinator, title="Le schéma des services aux familles",
                             links="https://a.test\nhttps://b.test")
    services.merge_topic(duplicate, into=original, actor=facilitator)
    db.session.commit()
    assert (duplicate.status, duplicate.merged_into_id, duplicate.author_id) == (
        TopicStatus.MERGED, original.id, coordinator.id)
    assert original.link_list == ["https://a.test", "https://b.test"]
    assert [t.id for t in queries.backlog(network.id)] == [original.id]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_merge_and_archive_refused_to_non_facilitators(network, role):
    actor = factories.create_member(network=None if role == "admin" else network, role=role)
    first, second = create_topic(network), create_topic(network)
    with pytest.raises(NotAllowed):
        services.merge_topic(first, into=second, actor=actor)
    with pytest.raises(NotAllowed):
        services.archive_topic(first, actor=actor)


def test_merge_refused_into_itself_and_across_networks(network, facilitator):
    topic = create_topic(network)
    with pytest.raises(DomainError, match="lui-même"):
        services.merge_topic(topic, into=topic, actor=facilitator)
    with pytest.raises(DomainError, match="même réseau"):
        services.merge_topic(topic, into=create_topic(factories.create_network()), actor=facilitator)


def test_archive_then_restore(network, facilitator):
    topic = create_topic(network)
    services.archive_topic(topic, actor=facilitator)
    assert topic.status == TopicStatus.ARCHIVED and topic.archived_at is not None
    with pytest.raises(InvalidTransition):
        services.archive_topic(topic, actor=facilitator)
    services.restore_topic(topic, actor=facilitator)
    assert (topic.status, topic.archived_at) == (TopicStatus.BACKLOG, None)


def test_archive_refused_while_candidate_of_an_open_vote(vote, topics, facilitator):
    with pytest.raises(Conflict, match="vote en cours"):
        services.archive_topic(topics[0], actor=facilitator)


# --- opening a round ---------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "points"), [(2, 1), (3, 1), (4, 2), (6, 2), (7, 3)])
def test_default_points_is_ceiling_of_candidates_over_three(count, points):
    assert services.default_points_per_voter(count) == points


def test_create_vote_round_opens_with_defaults(meeting, topics, facilitator):
    closes_at = utcnow() + timedelta(days=3)
    vote = services.create_vote_round(actor=facilitator, meeting=meeting, topics=topics[:4], closes_at=closes_at)
    db.session.commit()
    assert (vote.status, vote.points_per_voter, vote.max_per_topic, vote.hide_results) == (
        VoteStatus.OPEN, 2, 2, False)
    assert queries.candidate_topic_ids(vote) == {t.id for t in topics[:4]}
    assert vote.opened_at is not None


def test_create_vote_round_configurable_points(meeting, topics, facilitator):
    vote = services.create_vote_round(actor=facilitator, meeting=meeting, topics=topics, points_per_voter=5,
                                      max_per_topic=3, hide_results=True, closes_at=utcnow() + timedelta(hours=2))
    assert (vote.points_per_voter, vote.max_per_topic, vote.hide_results) == (5, 3, True)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"topics_slice": 1}, "au moins deux"),
    ({"closes_in": -1}, "dans le futur"),
    ({"points_per_voter": 5, "max_per_topic": 2, "topics_slice": 2}, "pas répartir plus de 4 points"),
    ({"points_per_voter": 0}, "au moins 1"),
])
def test_create_vote_round_bad_input(meeting, topics, facilitator, kwargs, message):
    kwargs = dict(kwargs)
    chosen = topics[:kwargs.pop("topics_slice", 3)]
    closes_at = utcnow() + timedelta(hours=kwargs.pop("closes_in", 5))
    with pytest.raises(DomainError, match=message):
        services.create_vote_round(actor=facilitator, meeting=meeting, topics=chosen, closes_at=closes_at, **kwargs)


def test_create_vote_round_refuses_topic_of_another_network(meeting, topics, facilitator):
    foreign = create_topic(factories.create_network())
    with pytest.raises(DomainError, match="n'appartient pas"):
        services.create_vote_round(actor=facilitator, meeting=meeting, topics=[topics[0], foreign],
                                   closes_at=utcnow() + timedelta(days=1))


def test_create_vote_round_refuses_topic_already_in_a_pending_round(vote, meeting, topics, facilitator):
    with pytest.raises(Conflict, match="autre vote en cours"):
        services.create_vote_round(actor=facilitator, meeting=meeting, topics=topics[:2],
                                   closes_at=utcnow() + timedelta(days=1))


@pytest.mark.parametrize("role", ["coordinator", "admin", "other-facilitator"])
def test_create_vote_round_refused_to_non_facilitators_of_the_network(network, meeting, topics, role):
    actor = {"coordinator": lambda: factories.create_member(network=network, role="coordinator"),
             "admin": lambda: factories.create_member(network=None, role="admin"),
             "other-facilitator": lambda: factories.create_member(network=factories.create_network(),
                                                                  role="facilitator")}[role]()
    with pytest.raises(NotAllowed):
        services.create_vote_round(actor=actor, meeting=meeting, topics=topics[:3],
                                   closes_at=utcnow() + timedelta(days=1))


# --- the state machine -------------------------------------------------------------------------

def test_draft_round_opens_then_closes(meeting, topics, facilitator):
    vote = create_vote(meeting, topics[:3], status=VoteStatus.DRAFT)
    services.open_vote_round(vote, actor=facilitator)
    assert vote.status == VoteStatus.OPEN
    services.close_vote_round(vote, actor=facilitator)
    assert (vote.status, vote.closed_by_id) == (VoteStatus.CLOSED, facilitator.id)
    assert vote.closed_at is not None


@pytest.mark.parametrize(("status", "target", "message"), [
    (VoteStatus.CLOSED, VoteStatus.CLOSED, "déjà clos"),
    (VoteStatus.CLOSED, VoteStatus.OPEN, "ne peut pas être rouvert"),
    (VoteStatus.OPEN, VoteStatus.CONFIRMED, "encore ouvert"),
    (VoteStatus.DRAFT, VoteStatus.CLOSED, "pas encore été ouvert"),
    (VoteStatus.CONFIRMED, VoteStatus.CLOSED, "impossible de passer"),
])
def test_illegal_transitions_are_refused(meeting, topics, facilitator, status, target, message):
    vote = create_vote(meeting, topics[:3], status=status)
    with pytest.raises(InvalidTransition, match=message):
        services.change_vote_status(vote, target, actor=facilitator, chosen_topic=topics[0])
    assert vote.status == status


def test_close_refused_to_coordinator(vote, coordinator):
    with pytest.raises(NotAllowed):
        services.close_vote_round(vote, actor=coordinator)


def test_open_round_past_its_deadline_counts_as_closed(vote):
    later = vote.closes_at + timedelta(seconds=1)
    assert (vote.current_status(later), vote.accepts_ballots(later)) == (VoteStatus.CLOSED, False)


# --- ballots and the tally ---------------------------------------------------------------------

def test_tally_with_ties_then_a_changed_ballot(vote, topics, voters, coordinator):
    alice, bruno, chloe = voters
    t0, t1, t2 = topics[:3]
    services.cast_ballot(vote, {t0.id: 2}, actor=alice)
    services.cast_ballot(vote, {t0.id: 1, t1.id: 1}, actor=bruno)
    services.cast_ballot(vote, {t1.id: 2}, actor=chloe)
    db.session.commit()
    assert tally_of(vote) == [
        ("L'inclusion", 3, 2, 1, True),
        ("Le SDSF", 3, 2, 1, True),
        ("Animer une réunion avec des élus", 0, 0, 3, True),
        ("La mobilité", 0, 0, 3, True),
        ("La petite enfance", 0, 0, 3, True),
        ("Les tiers-lieux", 0, 0, 3, True),
    ]
    services.cast_ballot(vote, {t1.id: 1, t2.id: 1, topics[3].id: 0}, actor=chloe)
    db.session.commit()
    assert tally_of(vote) == [
        ("Le SDSF", 3, 2, 1, False),
        ("L'inclusion", 2, 2, 2, False),
        ("Animer une réunion avec des élus", 1, 1, 3, False),
        ("La mobilité", 0, 0, 4, True),
        ("La petite enfance", 0, 0, 4, True),
        ("Les tiers-lieux", 0, 0, 4, True),
    ]
    assert db.session.scalar(select(func.count(Ballot.id))) == 3
    assert db.session.scalar(select(func.count(BallotPoint.id))) == 5
    assert queries.ballot_points_of(vote, chloe) == {t1.id: 1, t2.id: 1}
    turnout = queries.turnout(vote)
    assert (turnout.voters, turnout.eligible, turnout.rate) == (3, 4, 0.75)  # 3 voters + the topics' author


def test_turnout_counts_only_active_members_of_the_network(vote, topics, voters):
    voters[0].is_active = False
    factories.create_member(network=factories.create_network())
    factories.create_member(network=None, role="admin")
    db.session.commit()
    services.cast_ballot(vote, {topics[0].id: 1}, actor=voters[1])
    assert (queries.turnout(vote).voters, queries.turnout(vote).eligible) == (1, 3)


def _allocation(topics, *points):
    return {topic.id: value for topic, value in zip(topics, points, strict=False)}


@pytest.mark.parametrize(("points", "error", "message"), [
    ((2, 1), DomainError, "Vous avez réparti 3 points : vous en avez 2 au maximum."),
    ((3,), DomainError, "2 points au maximum sur un même thème."),
    ((-1, 1), DomainError, "Les points attribués ne peuvent pas être négatifs."),
    ((0, 0), DomainError, "Attribuez au moins un point."),
])
def test_cast_ballot_refuses_bad_allocations(vote, topics, voters, points, error, message):
    with pytest.raises(error) as raised:
        services.cast_ballot(vote, _allocation(topics, *points), actor=voters[0])
    assert str(raised.value) == message
    assert queries.ballot_of(vote, voters[0]) is None


def test_cast_ballot_refuses_a_topic_outside_the_round(vote, network, voters):
    outside = create_topic(network, title="Pas candidat")
    with pytest.raises(DomainError, match="ne fait pas partie de ce vote"):
        services.cast_ballot(vote, {outside.id: 1}, actor=voters[0])


def test_cast_ballot_refuses_a_member_of_another_network(vote, topics):
    outsider = factories.create_member(network=factories.create_network())
    with pytest.raises(NotAllowed, match="Seuls les membres actifs de ce réseau"):
        services.cast_ballot(vote, {topics[0].id: 1}, actor=outsider)


def test_cast_ballot_refuses_an_inactive_member_and_an_admin(vote, topics, voters, admin):
    voters[0].is_active = False
    for actor in (voters[0], admin):
        with pytest.raises(NotAllowed):
            services.cast_ballot(vote, {topics[0].id: 1}, actor=actor)


def test_cast_ballot_refused_after_the_deadline(vote, topics, voters):
    with pytest.raises(InvalidTransition, match="Le vote est clos depuis le .* : votre bulletin n'a pas été enregistré"):
        services.cast_ballot(vote, {topics[0].id: 1}, actor=voters[0], now=vote.closes_at)


def test_cast_ballot_refused_after_a_manual_close(vote, topics, voters, facilitator):
    services.close_vote_round(vote, actor=facilitator)
    with pytest.raises(InvalidTransition, match="Le vote est clos"):
        services.cast_ballot(vote, {topics[0].id: 1}, actor=voters[0])


def test_cast_ballot_refused_on_a_draft(meeting, topics, voters):
    vote = create_vote(meeting, topics[:3], status=VoteStatus.DRAFT)
    with pytest.raises(InvalidTransition, match="pas encore ouvert"):
        services.cast_ballot(vote, {topics[0].id: 1}, actor=voters[0])


def test_facilitators_vote_too(vote, topics, facilitator):
    services.cast_ballot(vote, {topics[0].id: 1}, actor=facilitator)
    assert queries.ballot_points_of(vote, facilitator) == {topics[0].id: 1}


# --- confirming the chosen topic ---------------------------------------------------------------

def _closed_vote_with_tie(vote, topics, voters, facilitator):
    services.cast_ballot(vote, {topics[0].id: 2}, actor=voters[0])
    services.cast_ballot(vote, {topics[1].id: 2}, actor=voters[1])
    services.cast_ballot(vote, {topics[2].id: 1}, actor=voters[2])
    services.close_vote_round(vote, actor=facilitator)
    db.session.commit()


def test_confirm_settles_a_tie_and_sets_the_next_quarterly_meeting_topic(vote, topics, voters, facilitator,
                                                                          network, meeting):
    create_meeting(network, starts_at=meeting.starts_at + timedelta(days=20), kind=MeetingKind.TRAINING)
    create_meeting(network, starts_at=meeting.starts_at + timedelta(days=40), status=MeetingStatus.CANCELLED)
    june = create_meeting(network, starts_at=meeting.starts_at + timedelta(days=90), title="Juin")
    create_meeting(network, starts_at=meeting.starts_at + timedelta(days=180), title="Septembre")
    _closed_vote_with_tie(vote, topics, voters, facilitator)
    assert queries.leading_topic_ids(vote) == {topics[0].id, topics[1].id}

    target = services.confirm_vote_round(vote, topic=topics[1], actor=facilitator)
    db.session.commit()

    assert target.id == june.id
    item = queries.thematic_item_of(june)
    assert (item.kind, item.title, item.topic_id) == (AgendaItemKind.THEMATIC, "L'inclusion", topics[1].id)
    assert (vote.status, vote.chosen_topic_id, vote.target_meeting_id, vote.confirmed_by_id) == (
        VoteStatus.CONFIRMED, topics[1].id, june.id, facilitator.id)
    assert topics[1].status == TopicStatus.CHOSEN
    assert [t.title for t in queries.backlog(network.id)] == [
        t.title for t in reversed(topics) if t.id != topics[1].id]


def test_confirm_updates_an_existing_thematic_placeholder(vote, topics, voters, facilitator, next_meeting):
    placeholder = create_agenda_item(next_meeting, title="Information thématique (à choisir)")
    _closed_vote_with_tie(vote, topics, voters, facilitator)
    services.confirm_vote_round(vote, topic=topics[0], actor=facilitator)
    db.session.commit()
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == next_meeting.id)).all()
    assert [(i.id, i.title, i.topic_id) for i in items] == [(placeholder.id, "Le SDSF", topics[0].id)]


def test_confirm_refuses_a_topic_not_in_the_lead(vote, topics, voters, facilitator, next_meeting):
    _closed_vote_with_tie(vote, topics, voters, facilitator)
    with pytest.raises(DomainError, match="n'est pas en tête"):
        services.confirm_vote_round(vote, topic=topics[2], actor=facilitator)


def test_confirm_refuses_without_a_next_quarterly_meeting(vote, topics, voters, facilitator):
    _closed_vote_with_tie(vote, topics, voters, facilitator)
    with pytest.raises(DomainError, match="Aucune rencontre trimestrielle n'est prévue après celle du 12 mars 2026"):
        services.confirm_vote_round(vote, topic=topics[0], actor=facilitator)
    assert vote.status == VoteStatus.CLOSED


def test_confirm_refuses_when_the_next_meeting_already_has_another_topic(vote, topics, voters, facilitator,
                                                                         next_meeting, network):
    create_agenda_item(next_meeting, title="Déjà choisi", topic=create_topic(network, title="Déjà choisi"))
    _closed_vote_with_tie(vote, topics, voters, facilitator)
    with pytest.raises(Conflict, match="a déjà un thème : « Déjà choisi »"):
        services.confirm_vote_round(vote, topic=topics[0], actor=facilitator)


def test_confirm_an_open_round_past_its_deadline_records_the_deadline_as_close(vote, topics, voters,
                                                                               facilitator, next_meeting):
    services.cast_ballot(vote, {topics[0].id: 1}, actor=voters[0])
    later = vote.closes_at + timedelta(minutes=5)
    services.confirm_vote_round(vote, topic=topics[0], actor=facilitator, now=later)
    assert (vote.status, vote.closed_at, vote.confirmed_at) == (VoteStatus.CONFIRMED, vote.closes_at, later)


def test_confirm_with_no_ballots_allows_any_candidate(vote, topics, facilitator, next_meeting):
    services.close_vote_round(vote, actor=facilitator)
    services.confirm_vote_round(vote, topic=topics[4], actor=facilitator)
    assert queries.thematic_item_of(next_meeting).topic_id == topics[4].id


# --- indicators --------------------------------------------------------------------------------

def test_topics_handled_counts_held_meetings_with_a_thematic_topic(network, coordinator):
    sdsf, inclusion, later = (create_topic(network, title=t) for t in ("SDSF", "Inclusion", "Plus tard"))
    held = create_meeting(network, starts_at=datetime(2025, 3, 13, 8, 0, tzinfo=UTC), status=MeetingStatus.HELD)
    closed = create_meeting(network, starts_at=datetime(2025, 6, 12, 8, 0, tzinfo=UTC), status=MeetingStatus.CLOSED)
    planned = create_meeting(network, starts_at=datetime(2025, 9, 11, 8, 0, tzinfo=UTC))
    no_topic = create_meeting(network, starts_at=datetime(2025, 10, 9, 8, 0, tzinfo=UTC), status=MeetingStatus.HELD)
    next_year = create_meeting(network, starts_at=datetime(2026, 1, 1, 8, 0, tzinfo=UTC), status=MeetingStatus.HELD)
    other = create_meeting(factories.create_network(), starts_at=datetime(2025, 3, 13, 8, 0, tzinfo=UTC),
                           status=MeetingStatus.HELD)
    create_agenda_item(held, topic=sdsf, title="SDSF")
    create_agenda_item(closed, topic=inclusion, title="Inclusion")
    create_agenda_item(planned, topic=later, title="Plus tard")
    create_agenda_item(no_topic, title="Sans thème voté")
    create_agenda_item(no_topic, kind=AgendaItemKind.CODEV, title="CODEV", topic=later)
    create_agenda_item(next_year, topic=later, title="Plus tard")
    create_agenda_item(other, topic=create_topic(db.session.get(Network, other.network_id), title="Ailleurs"),
                       title="Ailleurs")

    handled = queries.topics_handled(network, date(2025, 1, 1), date(2026, 1, 1))

    assert [(h.meeting_id, h.topic_title) for h in handled] == [(held.id, "SDSF"), (closed.id, "Inclusion")]
    # 1 January 2026 at 09:00 Paris is inside the 2026 period, outside 2025's: bounds are Paris midnights.
    assert [h.meeting_id for h in queries.topics_handled(network.id, date(2026, 1, 1), date(2027, 1, 1))] == [
        next_year.id]


# --- the round's announcement --------------------------------------------------------------------

def test_opening_a_round_emails_each_active_member_of_the_network(network, meeting, topics, facilitator, voters,
                                                                   coordinator, admin, smtp_server):
    factories.create_member(network=network, is_active=False, email="partie@example.org")
    factories.create_member(network=factories.create_network(), email="ailleurs@example.org")
    closes_at = datetime(2099, 3, 19, 17, 0, tzinfo=UTC)

    vote = services.create_vote_round(actor=facilitator, meeting=meeting, topics=topics[:3], closes_at=closes_at)
    db.session.commit()
    assert send_due().failed == 0

    recipients = sorted(mail.rcpt_tos[0] for mail in smtp_server.received)
    assert recipients == sorted(member.email for member in (facilitator, coordinator, *voters))
    message = smtp_server.received[0].message
    assert message["Subject"] == "Vote ouvert : le thème de la prochaine rencontre"
    assert message["Reply-To"] == network.mailbox_email
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "- Animer une réunion avec des élus\n- L'inclusion\n- Le SDSF\n" in text
    assert "Vous disposez de 1 point à répartir, 2 au plus par thème." in text  # ⌈3 thèmes / 3⌉
    assert "Clôture : jeudi 19 mars 2099 à 18\u00a0h (heure de Paris)." in text
    assert f"/themes/votes/{vote.id}" in text


def test_a_round_replayed_in_the_past_is_announced_to_nobody(meeting, topics, facilitator, voters):
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    services.create_vote_round(actor=facilitator, meeting=meeting, topics=topics[:3],
                               now=datetime(2026, 3, 12, 9, tzinfo=UTC), closes_at=datetime(2026, 3, 19, tzinfo=UTC))
    db.session.commit()

    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before


def test_confirming_a_round_emails_the_chosen_topic_and_its_meeting(network, topics, voters, facilitator,
                                                                    coordinator, smtp_server):
    now = utcnow().replace(microsecond=0)
    current = create_meeting(network, starts_at=now + timedelta(days=2), title="Rencontre de décembre")
    following = create_meeting(network, starts_at=datetime(2099, 3, 12, 8, 30, tzinfo=UTC), title="Rencontre de mars")
    vote = create_vote(current, topics)
    _closed_vote_with_tie(vote, topics, voters, facilitator)
    smtp_server.clear()

    services.confirm_vote_round(vote, topic=topics[1], actor=facilitator)
    db.session.commit()
    assert send_due().failed == 0

    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.received) == sorted(
        member.email for member in (facilitator, coordinator, *voters))
    message = smtp_server.received[0].message
    assert message["Subject"] == "Thème retenu : L'inclusion"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "le thème retenu est : L'inclusion." in text
    assert "Il ouvrira la rencontre « Rencontre de mars » du jeudi 12 mars 2099 (information thématique)." in text
    assert f"/rencontres/{following.id}" in text
