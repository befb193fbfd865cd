"""Benchmark fixtures inside an app context: a meeting with 300 invitations, a national-scale member
invited to every meeting of their network (40), and the page URLs the load runs need (printed as JSON).

Pages are measured with national-scale accounts (network dep-62: 50 members, 40 meetings, 200 cases,
~2,000 ballots) so the data size is real; the demo Pas-de-Calais dashboard is measured too."""

import json
import uuid
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select

from network import create_app
from network.extensions import db
from network.members.models import Member, Network
from network.sessions.enums import MeetingStatus, Rsvp
from network.sessions.models import Invitation, Meeting

BENCH_MEETING_TITLE = "Rencontre de référence du banc d'essai (300 invitations)"
NATIONAL_NETWORK = "dep-62"
NATIONAL_FACILITATOR = "membre00.62@example.org"
NATIONAL_COORDINATOR = "membre02.62@example.org"
DEMO_FACILITATOR = "animatrice.caf@example.org"


def _meeting_with_300_invitations(network: Network) -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == BENCH_MEETING_TITLE))
    if meeting is None:
        starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
        meeting = Meeting(network_id=network.id, title=BENCH_MEETING_TITLE, starts_at=starts_at,
                          ends_at=starts_at + timedelta(hours=6), status=MeetingStatus.INVITED,
                          ical_uid=f"{uuid.uuid4()}@bench")
        db.session.add(meeting)
        db.session.flush()
        members = db.session.scalars(select(Member.id).where(Member.network_id == network.id)).all()
        rows = [{"meeting_id": meeting.id, "member_id": member_id, "rsvp": Rsvp.YES} for member_id in members]
        rows += [{"meeting_id": meeting.id, "guest_email": f"invite{n:03d}@example.org",
                  "guest_name": f"Invité {n}", "rsvp": Rsvp.PENDING} for n in range(300 - len(rows))]
        db.session.execute(insert(Invitation), rows)
    return meeting


def _invite_to_every_meeting(member: Member) -> int:
    """The calendar feed and 'my meetings' of a member invited to all 40 meetings of ten years."""
    meetings = set(db.session.scalars(select(Meeting.id).where(Meeting.network_id == member.network_id)))
    invited = set(db.session.scalars(select(Invitation.meeting_id).where(Invitation.member_id == member.id)))
    sent_at = datetime.now(UTC).replace(microsecond=0)  # the feed lists invitations that were sent
    missing = [{"meeting_id": meeting_id, "member_id": member.id, "rsvp": Rsvp.YES, "sent_at": sent_at}
               for meeting_id in sorted(meetings - invited)]
    if missing:
        db.session.execute(insert(Invitation), missing)
    return len(meetings)


def prepare() -> dict:
    demo_network = db.session.scalar(select(Network).where(Network.slug == "pas-de-calais"))
    national = db.session.scalar(select(Network).where(Network.slug == NATIONAL_NETWORK))
    coordinator = db.session.scalar(select(Member).where(Member.email == NATIONAL_COORDINATOR))
    meeting = _meeting_with_300_invitations(demo_network)
    feed_meetings = _invite_to_every_meeting(coordinator)
    db.session.commit()
    pages = []
    for name, endpoint, values, login, compare in (
        ("dashboard (demo Pas-de-Calais)", "evaluation.dashboard", {}, DEMO_FACILITATOR, False),
        (f"dashboard ({NATIONAL_NETWORK}, 10 years)", "evaluation.dashboard", {}, NATIONAL_FACILITATOR, False),
        (f"year by year ({NATIONAL_NETWORK}, 10 years)", "evaluation.evolution", {}, NATIONAL_FACILITATOR, False),
        ("meeting with 300 invitations", "sessions.meeting_detail", {"meeting_id": meeting.id}, DEMO_FACILITATOR,
         True),
        (f"calendar feed ({feed_meetings} meetings)", "sessions.calendar_feed", {"token": coordinator.calendar_token},
         None, True),
        (f"my meetings ({feed_meetings} meetings)", "sessions.my_meetings", {}, NATIONAL_COORDINATOR, False),
        ("case list (facilitator, 200 cases)", "codev.case_list", {}, NATIONAL_FACILITATOR, False),
        ("case list (coordinator)", "codev.case_list", {}, NATIONAL_COORDINATOR, False),
        ("member directory (50 members)", "members.directory", {}, NATIONAL_FACILITATOR, False),
        (f"resources library ({NATIONAL_NETWORK}, ~100 materials, ~20 minutes)", "resources.library", {},
         NATIONAL_COORDINATOR, False),
        (f"resources search ({NATIONAL_NETWORK}, a word of the PDFs)", "resources.library", {"q": "élus"},
         NATIONAL_COORDINATOR, False),
        ("resources national library (search)", "resources.national", {"q": "parentalité"}, NATIONAL_COORDINATOR,
         False),
    ):
        if endpoint in current_app.view_functions:
            pages.append((name, current_app.url_map.bind("localhost").build(endpoint, values), login, compare))
        else:
            pages.append((name, f"(no endpoint {endpoint})", login, compare))
    return {"meeting_id": meeting.id, "network": national.slug, "pages": pages}


if __name__ == "__main__":
    with create_app().app_context():
        print(json.dumps(prepare()))
