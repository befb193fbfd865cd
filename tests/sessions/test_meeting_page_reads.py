"""The meeting page's reads folded into one statement, and its door counter computed for its meeting only, with
the evaluation's own statement."""

from datetime import UTC, date, datetime, timedelta

import pytest

from network.calendar import to_paris
from network.database import utcnow
from network.extensions import db
from network.periods import Instant, Period, Scope
from network.sessions import attendance_counts, queries
from network.sessions.attendance_figures import AttendanceCounts
from network.sessions.enums import MeetingKind, MeetingStatus, RegistrationStatus, Rsvp
from network.sessions.models import AgendaItem, Attendance, Invitation, Registration
from tests import factories
from tests.sessions import factories as sf

SPRING = datetime(2025, 3, 11, 8, 30, tzinfo=UTC)
# the statements that read the meeting pages' tables (the signed-in member's loading reads none of them)
MEETING_TABLES = ("meetings", "invitations", "agenda_items", "training_registrations", "attendances")


def _meeting_statements(counter) -> list[str]:
    return [statement for statement in counter.statements if any(table in statement for table in MEETING_TABLES)]


@pytest.fixture
def people(network, caf):
    territory = factories.create_territory(network)
    return [factories.create_member(network=network, first_name=f"P{n}", last_name=f"N{n}", institution_id=caf.id,
                                    territory_id=territory.id, joined_on=date(2024, 1, 1)) for n in range(5)]


def _held(network, starts_at, people, statuses, kind=MeetingKind.QUARTERLY):
    """A held meeting inviting `people`, with the attendance `statuses` recorded for the first of them."""
    meeting = sf.create_meeting(network, status=MeetingStatus.HELD, starts_at=starts_at, kind=kind)
    sf.invite(meeting, *people)
    db.session.add_all([Attendance(meeting_id=meeting.id, member_id=member.id, status=status, recorded_at=starts_at)
                        for member, status in zip(people, statuses)])
    db.session.commit()
    return meeting


def _loaded(meeting):
    """The meeting with its attributes read (after a commit): only the code under test queries."""
    db.session.refresh(meeting)
    return meeting


def _evaluation_row(meeting):
    """The meeting's figures as the evaluation of its year counts them."""
    scope = Scope(period=Period(2025), now=utcnow(), network_ids=(meeting.network_id,))
    return next(row for row in attendance_counts.meeting_attendance(scope, meeting.kind) if row.meeting_id == meeting.id)


def test_door_counter_is_the_evaluation_of_its_meeting_alone(network, people, count_queries, monkeypatch):
    first = _held(network, SPRING, people, ("present", "partial", "excused", "absent"))
    fetched = []
    counting = attendance_counts.meeting_attendance

    def spy(scope, kind=MeetingKind.QUARTERLY, rows=None):
        result = counting(scope, kind, rows)
        if scope.period != Period(2025):  # not _evaluation_row's
            fetched.append(len(result))
        return result

    monkeypatch.setattr(attendance_counts, "meeting_attendance", spy)
    _loaded(first)
    with count_queries() as alone:
        figures = queries.meeting_attendance_of(first, utcnow())
    # two more meetings in its year, one of them starting at the same instant (another room, other figures)
    same_instant = _held(network, SPRING, people[:3], ("present",))
    later = _held(network, SPRING + timedelta(days=90), people, ("present", "present", "present"))
    _loaded(first)
    with count_queries() as among_three:
        assert queries.meeting_attendance_of(first, utcnow()) == figures
    assert alone.count == among_three.count == 1
    assert (figures.counts.invited, figures.counts.present, figures.counts.partial, figures.counts.excused,
            figures.counts.absent) == (5, 1, 1, 1, 2)
    assert figures.is_recorded and figures.meeting_id == first.id
    for meeting in (first, same_instant, later):
        assert queries.meeting_attendance_of(meeting, utcnow()) == _evaluation_row(meeting)
    assert queries.meeting_attendance_of(same_instant, utcnow()).counts.invited == 3
    # one row for the meeting, two at the instant two meetings start: never the year's three
    assert fetched == [1, 2, 2, 2, 1, 2]


def test_door_counter_before_the_start_and_of_a_cancelled_meeting_reads_nothing(network, people, count_queries):
    upcoming = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() + timedelta(days=3))
    cancelled = _held(network, SPRING, people, ("present",))
    cancelled.status = MeetingStatus.CANCELLED
    db.session.commit()
    _loaded(upcoming), _loaded(cancelled)
    with count_queries() as counter:
        assert queries.meeting_attendance_of(upcoming, utcnow()) is None
        assert queries.meeting_attendance_of(cancelled, utcnow()) is None
    assert counter.count == 0


def test_instant_period_covers_one_microsecond():
    instant = Instant(SPRING)
    assert (instant.start_at, instant.end_at) == (SPRING, SPRING + timedelta(microseconds=1))
    assert instant.first_day == instant.last_day == date(2025, 3, 11)
    assert Instant(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)).year == 2026  # in Paris, already 1 January


def test_meeting_view_reads_answer_counts_and_agenda_in_one_statement(network, people, count_queries):
    meeting = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() + timedelta(days=10))
    sf.invite(meeting, people[0], rsvp=Rsvp.YES)
    sf.invite(meeting, people[1], rsvp=Rsvp.YES)
    sf.invite(meeting, people[2], rsvp=Rsvp.NO)
    sf.invite(meeting, people[3], rsvp=Rsvp.EXCUSED)
    invitation = sf.invite(meeting, people[4])[0]
    invitation.rsvp_comment = "Je confirme la semaine prochaine"
    db.session.add_all([AgendaItem(meeting_id=meeting.id, kind="thematic", title=title, position=position)
                        for title, position in (("Accueil", 1), ("Vote", 3), ("Atelier", 2))])
    db.session.commit()
    meeting_id, viewer_id = meeting.id, people[4].id
    with count_queries() as counter:
        view = queries.meeting_view(meeting_id, viewer_id, utcnow())
    assert counter.count == 1
    # three agenda points: the answers are counted once, not once per point
    assert (view.counts.yes, view.counts.no, view.counts.excused, view.counts.pending) == (2, 1, 1, 1)
    assert [item.title for item in view.agenda] == ["Accueil", "Atelier", "Vote"]
    assert view.mine == (people[4].id, "pending", "Je confirme la semaine prochaine")
    assert view.registration is None and view.places_taken == 0
    assert view.meeting.id == meeting.id and view.meeting.network_id == network.id
    stranger = queries.meeting_view(meeting.id, people[0].id + 1000, utcnow())
    assert stranger.mine is None and stranger.counts == view.counts and len(stranger.agenda) == 3
    assert queries.meeting_view(meeting.id + 1000, people[0].id, utcnow()) is None


def test_meeting_view_of_a_training_reads_the_viewers_registration_and_the_places(network, people):
    training = sf.create_meeting(network, status=MeetingStatus.INVITED, kind=MeetingKind.TRAINING, capacity=2,
                                 starts_at=utcnow() + timedelta(days=10))
    at = utcnow()
    db.session.add_all([Registration(meeting_id=training.id, member_id=member.id, status=status,
                                     registered_at=at + timedelta(minutes=n))
                        for n, (member, status) in enumerate(zip(people, (
                            RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                            RegistrationStatus.WAITLISTED)))])
    db.session.commit()
    view = queries.meeting_view(training.id, people[3].id, utcnow())
    assert view.places_taken == 2 and view.agenda == [] and view.mine is None
    assert view.registration.is_waitlisted and view.registration.meeting_id == training.id
    from network.sessions.services import waitlist_position
    assert waitlist_position(view.registration) == 2
    assert not queries.meeting_view(training.id, people[0].id, utcnow()).registration.is_waitlisted
    assert queries.meeting_view(training.id, people[4].id, utcnow()).registration is None


def _past_and_upcoming(network, people):
    past = _held(network, SPRING, people, ("present",))
    upcoming = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() + timedelta(days=10))
    sf.invite(upcoming, *people)
    return past, upcoming


def test_meeting_page_statements_of_a_member_and_of_a_facilitator(make_client, login, network, people, caf_facilitator,
                                                                  count_queries):
    past, upcoming = _past_and_upcoming(network, people)
    for _ in range(3):  # more meetings in the year: the door counter still reads its meeting only
        _held(network, SPRING + timedelta(days=30), people, ("present",))
    statements = {}
    for who in (people[0], caf_facilitator):
        client = login(who, on=make_client())
        client.get("/")  # the welcome message
        for meeting_id in (past.id, upcoming.id):
            db.session.expire_all()
            with count_queries() as counter:
                assert client.get(f"/rencontres/{meeting_id}").status_code == 200
            statements[who.role, meeting_id == past.id] = len(_meeting_statements(counter))
    # the meeting with the viewer's answer, the counts, the agenda and the attendance figures; the invitations' table
    # for the facilitators
    assert statements == {("coordinator", True): 1, ("coordinator", False): 1,
                          ("facilitator", True): 2, ("facilitator", False): 2}


def test_meeting_view_reads_the_attendance_figures_the_evaluation_counts(network, people, count_queries):
    """The meeting page's one statement joins the evaluation's own counting (attendance_counts.one_meeting_counts):
    its figures are those of the evaluation, in every case the evaluation tells apart."""
    first = _held(network, SPRING, people, ("present", "partial", "excused", "absent"))
    db.session.add_all([AgendaItem(meeting_id=first.id, kind="thematic", title=title, position=position)
                        for position, title in enumerate(("Accueil", "Atelier", "Vote"))])
    newcomer = factories.create_member(network=network, joined_on=date(2025, 6, 1))  # not a member yet in March
    sf.invite(first, newcomer)
    db.session.add(Invitation(meeting_id=first.id, guest_email="elu@example.test", guest_name="Un élu"))
    same_instant = _held(network, SPRING, people[:3], ("present",))
    unrecorded = _held(network, SPRING + timedelta(days=30), people, ())
    training = _held(network, SPRING + timedelta(days=60), people[1:], ("partial", "present"),
                     kind=MeetingKind.TRAINING)
    now = utcnow()
    in_progress = _held(network, now - timedelta(hours=1), people[:2], ("present",))
    db.session.commit()
    ids = {meeting.id: meeting for meeting in (first, same_instant, unrecorded, training, in_progress)}
    viewer_id = people[0].id
    with count_queries() as counter:
        views = {meeting_id: queries.meeting_view(meeting_id, viewer_id, now) for meeting_id in ids}
    assert counter.count == len(ids)
    for meeting_id, meeting in ids.items():
        year = Scope(period=Period(to_paris(meeting.starts_at).year), now=now, network_ids=(network.id,))
        evaluated = next(row for row in attendance_counts.meeting_attendance(year, meeting.kind)
                         if row.meeting_id == meeting_id)
        assert views[meeting_id].attendance == evaluated == queries.meeting_attendance_of(_loaded(meeting), now)
    counts = views[first.id].attendance.counts
    # five members active in March (the newcomer and the guest are not counted), counted once whatever the agenda
    assert (counts.invited, counts.present, counts.partial, counts.excused, counts.absent) == (5, 1, 1, 1, 2)
    assert len(views[first.id].agenda) == 3
    assert views[same_instant.id].attendance.counts.invited == 3
    assert not views[unrecorded.id].attendance.is_recorded
    assert views[unrecorded.id].attendance.counts == AttendanceCounts()
    assert (views[training.id].attendance.counts.present, views[training.id].attendance.counts.partial) == (1, 1)
    assert views[in_progress.id].attendance.counts.attended == 1


def test_meeting_view_has_no_attendance_figures_before_the_start_nor_for_a_cancelled_meeting(network, people):
    upcoming = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() + timedelta(days=3))
    sf.invite(upcoming, *people)
    cancelled = _held(network, SPRING, people, ("present", "present"))
    cancelled.status = MeetingStatus.CANCELLED
    db.session.commit()
    now = utcnow()
    assert queries.meeting_view(upcoming.id, people[0].id, now).attendance is None
    assert queries.meeting_view(cancelled.id, people[0].id, now).attendance is None
    # as of a moment after its start, the same meeting has its figures (recorded: no, nobody checked in)
    later = queries.meeting_view(upcoming.id, people[0].id, upcoming.starts_at + timedelta(minutes=1)).attendance
    assert later is not None and not later.is_recorded and later.counts == AttendanceCounts()


def test_postgresql_reads_the_invitees_periods_by_their_index(network, people):
    """The page's attendance counts look up each invitee's period by its index, however many periods the country
    has: joined to the periods, PostgreSQL's costs preferred hashing them all (1 ms more per page on the national
    data, growing with it)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's; SQLite reaches each invitee's period by the index in either shape")
    from sqlalchemy import text
    # the country's other members, one period each, and a meeting of forty invitees: the sizes of the national data
    db.session.execute(text(
        "INSERT INTO members (network_id, email, first_name, last_name, role, is_associated_operator, is_active, "
        "joined_on, created_at) SELECT :network, 'pays' || n || '@example.test', 'P', 'N' || n, 'coordinator', "
        "false, true, DATE '2024-01-01', now() FROM generate_series(1, 5000) AS n"), {"network": network.id})
    db.session.execute(text(
        "INSERT INTO membership_periods (member_id, started_at) SELECT id, TIMESTAMP '2024-01-01' FROM members "
        "WHERE email LIKE 'pays%'"))
    invitees = db.session.scalars(text("SELECT id FROM members WHERE email LIKE 'pays%' ORDER BY id LIMIT 35")).all()
    meeting = _held(network, SPRING, people, ("present", "partial"))
    db.session.execute(text("INSERT INTO invitations (meeting_id, member_id, rsvp) SELECT :meeting, id, 'pending' "
                            "FROM members WHERE id = ANY(:ids)"), {"meeting": meeting.id, "ids": list(invitees)})
    db.session.commit()
    for table in ("members", "membership_periods", "invitations", "attendances", "meetings"):
        db.session.execute(text(f"ANALYZE {table}"))
    statement = queries._meeting_view_statement()
    parameters = {"meeting_id": meeting.id, "viewer_id": people[0].id, "now": utcnow()}
    compiled = statement.params(parameters).compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.scalar(text(f"EXPLAIN (FORMAT JSON) {compiled}"))
    period_reads = list(_nodes_reading(plan[0]["Plan"], "membership_periods"))
    # each read of the periods is a lookup of one invitee's (an index condition on the member), never a scan of all
    assert period_reads and all(node.get("Index Cond", "").startswith("((member_id = ") for node in period_reads)
    assert queries.meeting_view(meeting.id, people[0].id, utcnow()).attendance.counts.invited == 40


def _nodes_reading(node: dict, table: str):
    """The nodes of a PostgreSQL JSON plan that read `table`."""
    if node.get("Relation Name") == table:
        yield node
    for child in node.get("Plans", ()):
        yield from _nodes_reading(child, table)


def test_postgresql_reads_a_members_meetings_by_their_key(network, people):
    """« My meetings » looks the member's meetings up in the meetings' primary key, however many meetings the country
    has: given the member's ids as a subquery, PostgreSQL's costs preferred reading every meeting (0.75 ms of the
    statement's 0.92 ms on the national data, growing with it)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's; SQLite looks each of the member's meetings up by its id")
    from sqlalchemy import text
    member = people[0]
    # the country's meetings (5,000) and thirty of them the member is invited to: the sizes of the national data
    db.session.execute(text(
        "INSERT INTO meetings (network_id, kind, title, starts_at, ends_at, status, ical_uid, ical_sequence, "
        "created_at) SELECT :network, 'quarterly', 'Rencontre ' || n, TIMESTAMP '2020-01-01' + n * INTERVAL '1 day', "
        "TIMESTAMP '2020-01-01' + n * INTERVAL '1 day' + INTERVAL '6 hours', 'closed', 'pays-' || n || '@test', 0, "
        "now() FROM generate_series(1, 5000) AS n"), {"network": network.id})
    db.session.execute(text(
        "INSERT INTO invitations (meeting_id, member_id, rsvp) SELECT id, :member, 'yes' FROM meetings "
        "WHERE ical_uid LIKE 'pays-%' ORDER BY id LIMIT 30"), {"member": member.id})
    registered = sf.create_meeting(network, kind=MeetingKind.TRAINING, status=MeetingStatus.INVITED,
                                   starts_at=utcnow() + timedelta(days=10))
    db.session.add(Registration(meeting_id=registered.id, member_id=member.id, status=RegistrationStatus.CONFIRMED,
                                registered_at=utcnow()))
    db.session.commit()
    for table in ("meetings", "invitations", "training_registrations", "attendances"):
        db.session.execute(text(f"ANALYZE {table}"))
    statement = queries._my_meetings_statement("postgresql")
    compiled = statement.params(member_id=member.id).compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.scalar(text(f"EXPLAIN (FORMAT JSON) {compiled}"))
    meeting_reads = list(_nodes_reading(plan[0]["Plan"], "meetings"))
    assert [node["Node Type"] for node in meeting_reads] == ["Index Scan"]
    assert meeting_reads[0]["Index Name"] == "pk_meetings" and "= ANY" in meeting_reads[0]["Index Cond"]
    mine = queries.my_meetings(member.id)
    assert len(mine) == 31 and mine[0].id == registered.id  # latest first: the training, then the thirty
