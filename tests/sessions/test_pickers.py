"""The one query behind every meeting picker: quarterly meetings with a CODEV workshop, upcoming or under way
today, of this network — and nothing else."""

from datetime import UTC, datetime, timedelta

from network.sessions.enums import MeetingKind, MeetingStatus
from network.sessions.pickers import start_of_day, workshop_meeting_choices
from tests import factories
from tests.topics.factories import create_meeting

NOW = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)  # a Tuesday, 14 h in Paris


def _titles(meetings):
    return [meeting.title for meeting in meetings]


def test_picker_offers_only_upcoming_quarterly_meetings_with_a_workshop(network):
    def meeting(title, starts_at, **values):
        return create_meeting(network, starts_at=starts_at, title=title, **values)

    meeting("Passée", NOW - timedelta(days=90), with_workshop=True)
    meeting("Hier", NOW - timedelta(days=1), with_workshop=True)
    meeting("Aujourd'hui", NOW - timedelta(hours=4), with_workshop=True)  # 10 h – 17 h today
    meeting("Mars", NOW + timedelta(days=90), with_workshop=True, status=MeetingStatus.INVITED)
    meeting("Janvier", NOW + timedelta(days=30), with_workshop=True)
    meeting("Formation", NOW + timedelta(days=10), kind=MeetingKind.TRAINING, with_workshop=True)
    meeting("Sans atelier", NOW + timedelta(days=20))
    meeting("Annulée", NOW + timedelta(days=40), with_workshop=True, status=MeetingStatus.CANCELLED)
    meeting("Close", NOW + timedelta(days=50), with_workshop=True, status=MeetingStatus.CLOSED)
    create_meeting(factories.create_network(), starts_at=NOW + timedelta(days=5), title="Autre réseau",
                   with_workshop=True)

    assert _titles(workshop_meeting_choices(network.id, now=NOW)) == ["Aujourd'hui", "Janvier", "Mars"]
    assert _titles(workshop_meeting_choices(network.id, now=NOW, today=False)) == ["Janvier", "Mars"]


def test_picker_after_keeps_later_meetings_only(network):
    first = create_meeting(network, starts_at=NOW + timedelta(days=30), title="Janvier", with_workshop=True)
    create_meeting(network, starts_at=NOW + timedelta(days=120), title="Avril", with_workshop=True)

    assert _titles(workshop_meeting_choices(network.id, now=NOW, today=False, after=first.starts_at)) == ["Avril"]


def test_picker_shared_since_includes_past_meetings_up_to_the_horizon(network):
    workshop = create_meeting(network, starts_at=NOW - timedelta(days=200), title="Atelier", with_workshop=True)
    create_meeting(network, starts_at=NOW - timedelta(days=100), title="Septembre", with_workshop=True)
    create_meeting(network, starts_at=NOW + timedelta(days=20), title="Décembre", with_workshop=True)
    create_meeting(network, starts_at=NOW + timedelta(days=60), title="Février", with_workshop=True)

    meetings = workshop_meeting_choices(network.id, now=NOW, shared_since=workshop.starts_at,
                                        until=NOW + timedelta(days=31))

    assert _titles(meetings) == ["Septembre", "Décembre"]


def test_picker_without_meetings_is_empty(network):
    assert workshop_meeting_choices(network.id, now=NOW) == []


def test_start_of_day_is_paris_midnight():
    assert start_of_day(NOW) == datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
    assert start_of_day(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)


def test_picker_today_keeps_a_meeting_under_way_that_began_before_midnight(network):
    just_after_midnight = datetime(2026, 12, 8, 23, 10, tzinfo=UTC)  # 0 h 10 in Paris, 9 December
    create_meeting(network, starts_at=just_after_midnight - timedelta(minutes=30),
                   ends_at=just_after_midnight + timedelta(hours=3), title="Veillée", with_workshop=True)
    create_meeting(network, starts_at=just_after_midnight - timedelta(hours=8), title="Finie hier", with_workshop=True,
                   ends_at=just_after_midnight - timedelta(hours=1))

    assert _titles(workshop_meeting_choices(network.id, now=just_after_midnight)) == ["Veillée"]
    assert _titles(workshop_meeting_choices(network.id, now=just_after_midnight, today=False)) == []
