"""Benchmark fixtures inside an app context: a meeting with 300 invitations, and the
identifiers the load runs need (printed as JSON)."""

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


def prepare() -> dict:
    network = db.session.scalar(select(Network).where(Network.slug == "pas-de-calais"))
    coordinator = db.session.scalar(select(Member).where(Member.email == "coordinatrice@example.org"))
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
        db.session.commit()
    pages = []
    for name, endpoint, values, role, compare in (
        ("dashboard", "evaluation.dashboard", {}, "facilitator", False),
        ("meeting with 300 invitations", "sessions.meeting_detail", {"meeting_id": meeting.id}, "facilitator", True),
        ("calendar feed", "sessions.calendar_feed", {"token": coordinator.calendar_token}, None, True),
        ("my meetings", "sessions.my_meetings", {}, "coordinator", False),
        ("case list", "codev.case_list", {}, "coordinator", False),
        ("member directory", "members.directory", {}, "facilitator", False),
    ):
        if endpoint in current_app.view_functions:
            pages.append((name, current_app.url_map.bind("localhost").build(endpoint, values), role, compare))
        else:
            pages.append((name, f"(no endpoint {endpoint})", role, compare))
    return {"meeting_id": meeting.id, "pages": pages}


if __name__ == "__main__":
    with create_app().app_context():
        print(json.dumps(prepare()))
