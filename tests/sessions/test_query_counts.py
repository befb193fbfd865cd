"""Pages issue the same number of SQL statements whatever the data size."""

from datetime import UTC, date, datetime, timedelta

from network.extensions import db
from network.sessions.enums import MeetingKind, MeetingStatus
from network.sessions.models import Attendance, Invitation, Meeting
from network.database import utcnow
from tests import factories
from tests.sessions import factories as sf


def _queries(client, count_queries, url) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_calendar_with_1_and_3_meetings(client, login, network, venue, caf_facilitator, count_queries):
    login(caf_facilitator)
    first = sf.create_meeting(network, venue=venue, starts_at=sf.SUMMER_START, ends_at=sf.SUMMER_END,
                              status=MeetingStatus.INVITED)
    sf.invite(first, caf_facilitator)
    one = _queries(client, count_queries, "/rencontres/?annee=2027")
    for days in (30, 60):
        meeting = sf.create_meeting(network, venue=sf.create_venue(network), status=MeetingStatus.INVITED,
                                    starts_at=sf.SUMMER_START + timedelta(days=days),
                                    ends_at=sf.SUMMER_END + timedelta(days=days))
        sf.invite(meeting, caf_facilitator)
    assert _queries(client, count_queries, "/rencontres/?annee=2027") == one


def _fill(meeting, network, count, institution, territory, **values):
    members = [factories.Member(network_id=network.id, email=f"m{meeting.id}-{i}@example.test", first_name="P",
                                last_name=f"N{i}", role="coordinator", institution_id=institution.id,
                                territory_id=territory.id, **values) for i in range(count)]
    db.session.add_all(members)
    db.session.flush()
    db.session.add_all([Invitation(meeting_id=meeting.id, member_id=m.id, sent_at=utcnow()) for m in members])
    db.session.add_all([Attendance(meeting_id=meeting.id, member_id=m.id, status="present", recorded_at=utcnow())
                        for m in members[::2]])
    db.session.commit()


def test_meeting_pages_with_3_and_300_invitations(client, login, network, venue, caf, caf_facilitator, count_queries):
    territory = factories.create_territory(network)
    login(caf_facilitator)
    client.get("/")  # the welcome message: the meeting page is not cached while a message waits
    small = sf.create_meeting(network, venue=venue, status=MeetingStatus.INVITED,
                              starts_at=utcnow() - timedelta(minutes=5))
    large = sf.create_meeting(network, venue=venue, status=MeetingStatus.INVITED,
                              starts_at=utcnow() - timedelta(minutes=5))
    _fill(small, network, 3, caf, territory)
    _fill(large, network, 300, caf, territory)
    for page in ("/rencontres/{}", "/rencontres/{}/presences", "/rencontres/{}/emargement"):
        assert _queries(client, count_queries, page.format(small.id)) == \
            _queries(client, count_queries, page.format(large.id)), page



def _held_meeting(network, venue, caf, territory, facilitator, month):
    """Four members invited, two present, and the facilitator invited (absent): 2 sur 5."""
    starts_at = datetime(2026, month, 10, 7, 30, tzinfo=UTC)
    meeting = sf.create_meeting(network, venue=venue, status=MeetingStatus.HELD, starts_at=starts_at,
                                ends_at=starts_at + timedelta(hours=6))
    _fill(meeting, network, 4, caf, territory, joined_on=date(2025, 1, 1))
    sf.invite(meeting, facilitator)


def test_attendance_history_and_my_meetings_with_1_and_3_meetings(client, login, network, venue, caf, caf_facilitator,
                                                                  count_queries):
    territory = factories.create_territory(network)
    pages = ("/rencontres/assiduite?annee=2026", "/rencontres/mes-rencontres")
    login(caf_facilitator)
    _held_meeting(network, venue, caf, territory, caf_facilitator, 3)
    one = [_queries(client, count_queries, page) for page in pages]
    for month in (6, 9):
        _held_meeting(network, venue, caf, territory, caf_facilitator, month)
    three = [_queries(client, count_queries, page) for page in pages]
    assert "6 sur 15" in client.get(pages[0]).get_data(as_text=True)
    assert three == one
def test_meeting_pages_with_1_invitation_match_300(client, login, network, venue, caf, caf_facilitator,
                                                   count_queries):
    territory = factories.create_territory(network)
    login(caf_facilitator)
    client.get("/")  # the welcome message: the meeting page is not cached while a message waits
    single = sf.create_meeting(network, venue=venue, status=MeetingStatus.INVITED,
                               starts_at=utcnow() - timedelta(minutes=5))
    large = sf.create_meeting(network, venue=venue, status=MeetingStatus.INVITED,
                              starts_at=utcnow() - timedelta(minutes=5))
    _fill(single, network, 1, caf, territory)
    _fill(large, network, 300, caf, territory)
    assert _queries(client, count_queries, f"/rencontres/{single.id}") == \
        _queries(client, count_queries, f"/rencontres/{large.id}")


def _invite_to_more_meetings(network, member, total):
    """Bring `member` to `total` invitations (sent), one meeting a week from 2027 on, in bulk."""
    first = sf.SUMMER_START
    existing = db.session.query(Invitation).filter_by(member_id=member.id).count()
    for n in range(existing, total):
        starts_at = first + timedelta(days=7 * n)
        meeting = Meeting(network_id=network.id, kind=MeetingKind.QUARTERLY, title=f"Rencontre {n}",
                          starts_at=starts_at, ends_at=starts_at + timedelta(hours=6), status=MeetingStatus.INVITED,
                          ical_uid=f"scale-{member.id}-{n}@reseau.test")
        db.session.add(meeting)
        db.session.flush()
        db.session.add(Invitation(meeting_id=meeting.id, member_id=member.id, sent_at=utcnow()))
    db.session.commit()


def test_my_meetings_and_calendar_feed_with_1_3_and_300_meetings(client, login, network, caf_facilitator,
                                                                 count_queries):
    caf_facilitator.calendar_token = "jeton-du-banc-300"
    db.session.commit()
    login(caf_facilitator)
    client.get("/")  # the welcome message: a page is not cached while a message waits
    counts = []
    for total in (1, 3, 300):
        _invite_to_more_meetings(network, caf_facilitator, total)
        counts.append((_queries(client, count_queries, "/rencontres/mes-rencontres"),
                       _queries(client, count_queries, "/rencontres/agenda/jeton-du-banc-300.ics")))
    assert counts[0] == counts[1] == counts[2]
    assert client.get("/rencontres/agenda/jeton-du-banc-300.ics").get_data(as_text=True).count("BEGIN:VEVENT") == 300
