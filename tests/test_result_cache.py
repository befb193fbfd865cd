"""Each network's version (raised by that network's writes only) and the per-worker result caches keyed by it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from network import create_app
from network.database import utcnow
from network.extensions import db
from network.members.models import LoginSession, Network
from network.network_versions import (
    EVERY_NETWORK, NETWORK_IDS_OPTION, NETWORK_PATHS, OUTSIDE_CACHED_DATA, UNCACHED_COLUMNS, NetworkVersion,
    every_network_version, network_version,
)
from network.result_cache import ResultCache
from network.sessions.enums import MeetingStatus
from network.sessions.models import Attendance, Invitation
from network.topics.models import Ballot, BallotPoint, Topic, TopicVote
from tests import factories
from tests.clock import SUITE_NOW
from tests.evaluation.conftest import create_meeting, invite_and_record
from tests.sessions import factories as sf
from tests.sessions.factories import create_meeting as create_planned_meeting, invite
from tests.topics import factories as tf

THIS_YEAR = SUITE_NOW.year


@pytest.fixture
def other_network(db):
    return factories.create_network()


def versions(*networks) -> list[int]:
    db.session.commit()  # a fresh read on SQLite too
    return [network_version(network.id) for network in networks]


def counting_compute(calls: list, value="valeur"):
    return lambda: calls.append(1) or value


# --- which writes raise which network's version -------------------------------------------------------

def test_a_write_raises_its_own_network_only(db, network, other_network):
    before = versions(network, other_network)

    factories.create_territory(network)

    assert versions(network, other_network) == [before[0] + 1, before[1]]


def test_a_new_network_raises_its_own_version(db):
    network = factories.create_network()

    assert db.session.get(NetworkVersion, network.id).version >= 1


def test_rows_without_network_id_name_theirs_through_their_parent(db, network, other_network):
    member = factories.create_member(network=network)
    meeting = create_meeting(network, datetime(THIS_YEAR, 1, 10, 9, tzinfo=UTC))
    meeting_id, member_id, starts_at = meeting.id, member.id, meeting.starts_at
    before = versions(network, other_network)

    db.session.add(Invitation(meeting_id=meeting_id, member_id=member_id))
    db.session.commit()
    after_invitation = versions(network, other_network)
    db.session.expunge_all()  # the parent is no longer loaded: it is read (one query)
    db.session.add(Attendance(meeting_id=meeting_id, member_id=member_id, status="present", recorded_at=starts_at))
    db.session.commit()

    assert after_invitation == [before[0] + 1, before[1]]
    assert versions(network, other_network) == [before[0] + 2, before[1]]


def test_a_ballot_point_names_its_network_two_rows_up(db, network, other_network):
    member = factories.create_member(network=network)
    topic = Topic(network_id=network.id, title="Thème", author_id=member.id)
    meeting = create_meeting(network, datetime(THIS_YEAR, 1, 10, 9, tzinfo=UTC))
    vote = TopicVote(network_id=network.id, meeting_id=meeting.id, status="open", points_per_voter=1, max_per_topic=1,
                     closes_at=utcnow(), opened_at=utcnow())
    db.session.add_all([topic, vote])
    db.session.flush()
    ballot = Ballot(vote_id=vote.id, member_id=member.id, created_at=utcnow(), updated_at=utcnow())
    db.session.add(ballot)
    db.session.commit()
    ballot_id, topic_id = ballot.id, topic.id
    before = versions(network, other_network)
    db.session.expunge_all()

    db.session.add(BallotPoint(ballot_id=ballot_id, topic_id=topic_id, points=1))
    db.session.commit()

    assert versions(network, other_network) == [before[0] + 1, before[1]]


def test_a_ballot_and_a_check_in_raise_their_network_once(client, make_client, login, network, other_network,
                                                         coordinator, facilitator):
    """The meeting day's writes that change figures, sent through the app: the ballot's Core statements (its row,
    its points deleted and inserted) and a check-in raise their network's version by one, the other network's not."""
    meeting = tf.create_meeting(network, starts_at=utcnow() + timedelta(days=20))
    topics = [tf.create_topic(network, author=coordinator, title=f"Thème {n}") for n in range(2)]
    vote = tf.create_vote(meeting, topics, points_per_voter=2)
    today = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() - timedelta(minutes=10))
    sf.invite(today, coordinator)
    vote_id, today_id, coordinator_id, topic_id = vote.id, today.id, coordinator.id, topics[0].id
    before = versions(network, other_network)

    login(coordinator)
    assert client.post(f"/themes/votes/{vote_id}/bulletin", data={f"topic_{topic_id}": 2}).status_code == 302
    after_ballot = versions(network, other_network)
    door = login(facilitator, on=make_client())
    assert door.post(f"/rencontres/{today_id}/presences/{coordinator_id}", data={"status": "present"}).status_code == 302

    assert after_ballot == [before[0] + 1, before[1]]
    assert versions(network, other_network) == [before[0] + 2, before[1]]
    assert [tuple(row) for row in db.session.execute(select(BallotPoint.topic_id, BallotPoint.points))] == [
        (topic_id, 2)]


def test_a_deleted_row_raises_its_network(db, network, other_network):
    territory = factories.create_territory(network)
    before = versions(network, other_network)

    db.session.delete(territory)
    db.session.commit()

    assert versions(network, other_network) == [before[0] + 1, before[1]]


def test_a_member_moved_to_another_network_raises_both(db, network, other_network):
    member = factories.create_member(network=network)
    before = versions(network, other_network)

    member.network_id = other_network.id
    db.session.commit()

    assert versions(network, other_network) == [before[0] + 1, before[1] + 1]


def test_several_flushes_and_a_named_statement_raise_once(db, network, other_network):
    territory = factories.create_territory(network)
    before = versions(network, other_network)

    territory.name = "Premier nom"
    db.session.flush()
    db.session.execute(update(Network).where(Network.id == network.id).values(name="Second nom")
                       .execution_options(**{NETWORK_IDS_OPTION: (network.id,)}))
    db.session.commit()

    assert versions(network, other_network) == [before[0] + 1, before[1]]


def test_raising_a_version_is_compiled_once(db, network, other_network):
    """One statement text whatever the networks written (each network a row of parameters), so SQLAlchemy compiles
    it once: a statement listing the networks in its VALUES has no cache key and was compiled on every write."""
    from sqlalchemy import event

    seen = []

    def remember(_connection, _cursor, statement, _parameters, context, _many):
        if statement.lstrip().upper().startswith("INSERT INTO NETWORK_VERSIONS"):
            seen.append(str(context.cache_hit))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        for written in (network, other_network, network):
            factories.create_territory(written)
            db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert len(seen) == 3
    assert seen[1:] == ["CacheStats.CACHE_HIT"] * 2


def test_a_statement_that_names_no_network_raises_every_network(db, network, other_network):
    before = versions(network, other_network)

    db.session.execute(update(Network).where(Network.id == network.id).values(name="Renommé"))
    db.session.commit()

    assert versions(network, other_network) == [before[0] + 1, before[1] + 1]


def test_reads_rollbacks_and_sign_ins_leave_it_alone(client, login, network, facilitator):
    before = versions(network)

    login(facilitator)  # writes the member's last sign-in and a login session: nothing a cached result reads
    assert client.get("/membres").status_code == 200
    db.session.scalar(select(LoginSession)).revoked_at = utcnow()  # a change in a table outside the cached data
    db.session.commit()
    facilitator.first_name = "Jamais enregistré"
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing written since the rollback

    assert versions(network) == before


def test_an_answer_or_a_reminder_leaves_it_alone_a_new_sending_raises_it(db, network, coordinator):
    [invitation] = invite(create_planned_meeting(network, status="invited"), coordinator)
    before = versions(network)

    invitation.rsvp, invitation.rsvp_comment, invitation.rsvp_source = "yes", "Avec plaisir", "site"
    invitation.responded_at = invitation.reminder_sent_at = utcnow()
    assert versions(network) == before

    invitation.sent_at = utcnow()  # the calendar feed reads it
    assert versions(network) == [before[0] + 1]


@pytest.mark.usefixtures("mid_year")
def test_no_cached_result_reads_the_uncached_columns(app, db, network, attended_meeting, coordinator, monkeypatch):
    """Every answer and reminder changed: the figures (dashboard, year by year, bilan) and the calendar feed worked
    out again come out the same. A figure reading one of these columns must take it out of UNCACHED_COLUMNS."""
    from network.evaluation import assembly, bilan
    from network.periods import Period, Scope
    from network.sessions.services import feeds

    invite(create_planned_meeting(network, status="invited", title="Rencontre du printemps"), coordinator)
    db.session.commit()
    monkeypatch.setitem(app.config, "RESULT_CACHE", False)
    now = utcnow()

    def everything():
        db.session.expire_all()
        scope = Scope(period=Period(THIS_YEAR), now=now, network_ids=(network.id,))
        return (repr(assembly.build_evaluation(scope, with_members=True)),
                repr(assembly.year_by_year(assembly.last_years(scope))), repr(bilan.figures(THIS_YEAR, THIS_YEAR, now)),
                feeds.calendar_feed(coordinator.calendar_token, now))

    before = everything()
    uncached = sorted(UNCACHED_COLUMNS["invitations"])
    for index, invitation in enumerate(db.session.scalars(select(Invitation))):
        invitation.rsvp = ("yes", "no", "excused")[index % 3]
        invitation.rsvp_comment, invitation.rsvp_source = f"Réponse {index}", "link"
        invitation.responded_at = invitation.reminder_sent_at = now
    db.session.commit()

    assert uncached == ["reminder_sent_at", "responded_at", "rsvp", "rsvp_comment", "rsvp_source"]
    assert everything() == before


def test_another_app_in_the_process_does_not_raise_it_twice(app, db, network):
    create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    before = versions(network)

    factories.create_territory(network)

    assert versions(network) == [before[0] + 1]


def test_every_model_names_its_network_or_says_why_not(app):
    """A new model must say where its network is (a network_id column, a foreign key in NETWORK_PATHS) or why no
    cached result reads it (OUTSIDE_CACHED_DATA): otherwise its writes would leave stale results."""
    tables = {mapper.local_table.name: mapper.local_table for mapper in db.Model.registry.mappers}

    def reaches_a_network(name: str, seen=()) -> bool:
        table = tables[name]
        if name == "networks" or ("network_id" in table.c and name not in NETWORK_PATHS):
            return True
        if name not in NETWORK_PATHS or name in seen:
            return False
        [foreign_key] = table.c[NETWORK_PATHS[name]].foreign_keys
        return reaches_a_network(foreign_key.column.table.name, (*seen, name))

    forgotten = sorted(name for name in tables if name not in OUTSIDE_CACHED_DATA and not reaches_a_network(name))
    assert forgotten == []
    assert set(NETWORK_PATHS) | OUTSIDE_CACHED_DATA | set(UNCACHED_COLUMNS) <= set(tables)  # no stale names
    assert not set(NETWORK_PATHS) & OUTSIDE_CACHED_DATA


# --- the cache ------------------------------------------------------------------------------------------

def test_a_write_in_one_network_keeps_the_others_results(db, network, other_network):
    cache, calls = ResultCache(), []
    for owner in (network, other_network):
        cache.get_or_compute("clé", counting_compute(calls, owner.id), network=owner.id)
    db.session.commit()

    factories.create_territory(network)
    recomputed = cache.get_or_compute("clé", counting_compute(calls, "nouveau"), network=network.id)
    kept = cache.get_or_compute("clé", counting_compute(calls, "nouveau"), network=other_network.id)

    assert (recomputed, kept) == ("nouveau", other_network.id)
    assert len(calls) == 3


def test_a_result_of_every_network_goes_with_any_write(db, network, other_network):
    cache, calls = ResultCache(), []
    first = cache.get_or_compute("bilan", counting_compute(calls, 1), network=EVERY_NETWORK)
    second = cache.get_or_compute("bilan", counting_compute(calls, 2), network=EVERY_NETWORK)
    db.session.commit()
    factories.create_territory(other_network)

    assert (first, second) == (1, 1)
    assert cache.get_or_compute("bilan", counting_compute(calls, 3), network=EVERY_NETWORK) == 3
    assert dict(every_network_version())[other_network.id] == network_version(other_network.id)


def test_a_hit_costs_one_statement_and_a_miss_one_more_than_the_work(db, network, count_queries):
    cache, network_id = ResultCache(), network.id
    db.session.commit()
    territories = select(db.func.count()).select_from(db.metadata.tables["territories"])

    with count_queries() as miss:
        computed = cache.get_or_compute("clé", lambda: db.session.scalar(territories), network=network_id)
    with count_queries(cached=True) as hit:
        kept = cache.get_or_compute("clé", lambda: db.session.scalar(territories), network=network_id)

    assert computed == kept == 0
    assert miss.count == 2
    assert hit.count == 1 and "network_versions" in hit.statements[0]


def test_cache_keeps_at_most_maxsize_entries(db, network):
    cache, calls = ResultCache(maxsize=2), []
    for key in ("a", "b", "c", "a"):  # "a" was evicted by "c"
        cache.get_or_compute(key, lambda key=key: calls.append(key) or key, network=network.id)

    assert calls == ["a", "b", "c", "a"]


def test_nothing_is_kept_for_none(db, network):
    cache, calls = ResultCache(), []
    for _ in range(2):
        cache.get_or_compute("inconnu", lambda: calls.append(1), network=network.id)

    assert calls == [1, 1]


def test_result_cache_setting_off_computes_every_time(app, db, network, count_queries):
    cache, calls, network_id = ResultCache(), [], network.id
    db.session.commit()
    app.config["RESULT_CACHE"] = False
    try:
        with count_queries() as counter:
            for _ in range(2):
                cache.get_or_compute("clé", counting_compute(calls), network=network_id)
    finally:
        app.config["RESULT_CACHE"] = True

    assert calls == [1, 1]
    assert counter.count == 0  # not even the version


# --- where it is used -----------------------------------------------------------------------------------

@pytest.fixture
def attended_meeting(network, facilitator):
    members = [factories.create_member(network=network) for _ in range(4)]
    meeting = create_meeting(network, datetime(THIS_YEAR, 1, 10, 9, tzinfo=UTC))
    invite_and_record(meeting, {member: "present" if index < 2 else "absent" for index, member in enumerate(members)})
    return meeting, members


@pytest.mark.usefixtures("mid_year")  # figures of this year: meetings already held
def test_dashboard_figures_are_kept_until_a_write_in_their_network(client, login, facilitator, attended_meeting,
                                                                  other_network, count_queries):
    meeting, members = attended_meeting
    login(facilitator)
    with count_queries() as computed:
        first = client.get("/evaluation/").get_data(as_text=True)
    with count_queries(cached=True) as cached:
        second = client.get("/evaluation/").get_data(as_text=True)
    factories.create_territory(other_network)  # another network's write: the figures stay
    with count_queries(cached=True) as after_other_write:
        client.get("/evaluation/")

    db.session.execute(update(Attendance).where(Attendance.meeting_id == meeting.id,  # a write in this network
                                                Attendance.member_id == members[2].id).values(status="present")
                       .execution_options(**{NETWORK_IDS_OPTION: (meeting.network_id,)}))
    db.session.commit()
    third = client.get("/evaluation/").get_data(as_text=True)

    assert "2 sur 4" in first and "2 sur 4" in second and "2 sur 4" not in third
    assert "3 sur 4" in third
    assert computed.count - cached.count == 10  # the figures' 11 queries, replaced by the version
    assert after_other_write.count == cached.count


def test_calendar_feed_is_kept_until_a_write_in_its_network(client, network, other_network, coordinator,
                                                            count_queries):
    invite(create_planned_meeting(network, status="invited", title="Rencontre du printemps"), coordinator)
    url = f"/rencontres/agenda/{coordinator.calendar_token}.ics"
    with count_queries() as computed:
        first = client.get(url).get_data(as_text=True)
    with count_queries(cached=True) as cached:
        second = client.get(url).get_data(as_text=True)
    factories.create_territory(other_network)
    with count_queries(cached=True) as after_other_write:
        client.get(url)
    invite(create_planned_meeting(network, status="invited", title="Rencontre de l'été"), coordinator)
    third = client.get(url).get_data(as_text=True)

    assert second == first and first.count("BEGIN:VEVENT") == 1
    assert computed.count == 2  # the holder's network and version, then the feed
    assert cached.count == after_other_write.count == 1
    assert third.count("BEGIN:VEVENT") == 2 and "Rencontre de l'été" in third


def test_unknown_calendar_token_costs_one_query(client, count_queries):
    for _ in range(2):
        with count_queries(cached=True) as counter:
            assert client.get("/rencontres/agenda/inconnu.ics").status_code == 404

    assert counter.count == 1
