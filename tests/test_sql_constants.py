"""The code's own constants (numbers, vocabulary values) are written into the text of the hot pages' statements
instead of being bound: a request binds only what it brings (its member, meeting, scope), and nothing a user typed
is ever written into a statement's text."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite

from network.database import constant, count_where, one_of, or_zero, utcnow
from network.extensions import db
from network.sessions.enums import AttendanceStatus, MeetingStatus, Rsvp
from network.sessions.models import Attendance, Invitation, Meeting
from tests import factories
from tests.sessions import factories as sf

DIALECTS = (postgresql.dialect(), sqlite.dialect())
# the scope's own parameters, numbered by network, period edge and period (network/periods.py)
SCOPE_PARAMETER = re.compile(r"(network_id|edge|last_day)_\d+")


def _sql(statement, dialect) -> str:
    return str(statement.compile(dialect=dialect))


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda dialect: dialect.name)
def test_a_constant_is_written_into_the_statement_and_bound_to_nothing(dialect):
    statement = select(Meeting.id).where(Meeting.status != constant(MeetingStatus.CANCELLED),
                                         Meeting.capacity > constant(12))
    compiled = statement.compile(dialect=dialect)
    assert "meetings.status != 'cancelled'" in str(compiled)
    assert "meetings.capacity > 12" in str(compiled)
    assert compiled.params == {}


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda dialect: dialect.name)
def test_counting_helpers_write_their_numbers(dialect):
    compiled = select(or_zero(count_where(one_of(Invitation.rsvp, frozenset({Rsvp.YES, Rsvp.EXCUSED}))))).compile(
        dialect=dialect)
    # sorted: a frozenset's order changes from process to process, the statement's text does not
    assert ("coalesce(sum(CASE WHEN (invitations.rsvp IN ('excused', 'yes')) THEN 1 ELSE 0 END), 0)"
            in str(compiled))
    assert compiled.params == {}


@pytest.mark.parametrize("value, error", [
    (True, TypeError),  # a bool is an int to Python, not a number of the code
    (1.5, TypeError),
    (None, TypeError),
    ("O'Hara", ValueError),
    ("yes'; DROP TABLE members; --", ValueError),
    ("Cancelled", ValueError),
    ("two words", ValueError),
    ("", ValueError),
])
def test_only_integers_and_lower_case_words_are_written(value, error):
    with pytest.raises(error):
        constant(value)


def test_constants_give_the_same_rows_as_bound_values(db):
    network = factories.create_network()
    kept = sf.create_meeting(network, status=MeetingStatus.HELD, starts_at=utcnow() - timedelta(days=3))
    sf.create_meeting(network, status=MeetingStatus.CANCELLED, starts_at=utcnow() - timedelta(days=2))
    db.session.commit()
    by_constant = db.session.scalars(select(Meeting.id).where(Meeting.status != constant(MeetingStatus.CANCELLED)))
    by_value = db.session.scalars(select(Meeting.id).where(Meeting.status != MeetingStatus.CANCELLED))
    assert list(by_constant) == list(by_value) == [kept.id]


def _offset_of_sqlite(compiled) -> set[str]:
    """SQLAlchemy's SQLite dialect writes `LIMIT n` as `LIMIT n OFFSET ?`, with a 0 of its own bound to the mark."""
    if compiled.dialect.name != "sqlite":
        return set()
    marks = [mark.start() for mark in re.finditer(r"\?", compiled.string)]
    return {name for name, at in zip(compiled.positiontup, marks) if compiled.string[:at].endswith("OFFSET ")}


def _numbered_parameters(app, client, paths) -> dict[str, list[str]]:
    """For each path, the parameters its statements bind that SQLAlchemy numbered itself (`status_1`, `param_2`…:
    a value written in the code, bound at every execution), the scope's own numbered parameters and the SQLite
    dialect's own offset left aside."""
    found = {}

    def before(_connection, _cursor, _statement, _parameters, context, _many):
        if context is None or context.compiled is None:
            return
        dialects_own = _offset_of_sqlite(context.compiled)
        found[current].extend(name for name in context.compiled.binds if re.fullmatch(r".+_\d+", name)
                              and not SCOPE_PARAMETER.fullmatch(name) and name not in dialects_own)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        for current in paths:
            found[current] = []
            assert client.get(current).status_code == 200, current
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return found


def test_the_hot_pages_bind_no_constant_of_the_code(app, client, login, network, facilitator, coordinator):
    past = sf.create_meeting(network, status=MeetingStatus.HELD, starts_at=utcnow() - timedelta(days=10))
    sf.invite(past, coordinator, facilitator, rsvp=Rsvp.YES)
    db.session.add(Attendance(meeting_id=past.id, member_id=coordinator.id, status=AttendanceStatus.PRESENT,
                              recorded_at=past.starts_at))
    upcoming = sf.create_meeting(network, status=MeetingStatus.INVITED, starts_at=utcnow() + timedelta(days=10))
    sf.invite(upcoming, coordinator, facilitator)
    db.session.commit()
    login(facilitator)
    paths = [f"/rencontres/{past.id}", f"/rencontres/{upcoming.id}", "/rencontres/mes-rencontres", "/evaluation/",
             "/codev/", "/ressources/", f"/rencontres/{past.id}/presences"]
    assert _numbered_parameters(app, client, paths) == {path: [] for path in paths}


