"""The per-worker cache of the feeds' VEVENTs holds one entry per meeting, not one per member holding it: its size
follows the meetings, not members × meetings (RSS ≤ 140 MB a worker, issue #19)."""

from network.extensions import db
from network.sessions.enums import MeetingStatus
from network.sessions.services.mailing import _feed_event
from tests import factories
from tests.sessions import factories as sf


def test_a_meeting_in_five_members_feeds_is_one_entry_of_the_event_cache(client, network):
    meetings = [sf.create_meeting(network, status=MeetingStatus.INVITED) for _ in range(2)]
    members = [factories.create_member(network=network, first_name=f"Prénom{n}", with_password=False)
               for n in range(5)]
    for meeting in meetings:
        sf.invite(meeting, *members)
    tokens = [member.calendar_token for member in members]
    db.session.commit()
    _feed_event.cache_clear()
    bodies = [client.get(f"/rencontres/agenda/{token}.ics").get_data() for token in tokens]
    assert _feed_event.cache_info().currsize == 2
    assert all(body.count(b"BEGIN:VEVENT") == 2 for body in bodies)
    assert "Prénom3" in bodies[3].decode()
