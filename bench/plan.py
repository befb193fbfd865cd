"""The realistic mix's fixtures, login sessions and request plans, made inside the served app (run by bench/mix.py
with the app checkout on PYTHONPATH and the same SECRET_KEY as the gunicorn it measures; not a test).

    python bench/plan.py prepare --out DIR [--members 300] [--networks 20] [--seed 19]
    python bench/plan.py reset --out DIR       # before a « meeting day »: the check-in meetings lose their check-ins
    python bench/plan.py count --out DIR --since ISO-DATETIME   # rows written since then, as JSON

`prepare` runs bench/prepare.py (a demo meeting with 300 invitations, a dep-62 coordinator invited to its 40
meetings), picks MEMBERS members: facilitators and coordinators of NETWORKS other national networks, that
coordinator and the demo facilitator of the 300-invitation meeting; adds per national network two upcoming
meetings and one meeting today that invite all its members, and three open vote rounds. It opens each member's
login session through the app's own code (`open_login_session` + Flask-Login's `login_user`, what the sign-in view
does once every factor is checked: the password and second-factor steps are not what is measured, and the login
throttle would refuse 300 sign-ins from one address), signs the Flask session cookie with the app's own session
serializer and takes the CSRF token from Flask-WTF. It writes one plan file per
scenario (a tab-separated line per request: class, method, path, cookie, body, is-write, expected status) for
bench/mix.lua, and DIR/plan.json. Writes are each aimed at a different row so that the database can count them.
"""

import argparse
import json
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from flask import current_app, g, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import delete, func, insert, select, update

from network import create_app
from network.extensions import db
from network.members.models import Member, Network
from network.members.services import open_login_session
from network.sessions.models import Attendance, Invitation, Meeting
from network.sessions.tokens import make_rsvp_token
from network.topics.models import Ballot, Topic, TopicVote, TopicVoteCandidate
from prepare import DEMO_FACILITATOR, NATIONAL_COORDINATOR, NATIONAL_NETWORK
from prepare import prepare as reference_fixtures  # bench/prepare.py: the 300-invitation meeting, the 40-meeting feed

USER_AGENT = "reseau-bench/1 (wrk)"  # what mix.lua sends: Flask-Login's session identifier is made from it
CLIENT_ADDRESS = "127.0.0.1"
BENCH_PREFIX = "Banc d'essai"
UPCOMING_TITLE = f"{BENCH_PREFIX} — rencontre à venir"
TODAY_TITLE = f"{BENCH_PREFIX} — rencontre du jour"
ROUNDS_PER_NETWORK = 3
SEARCH_WORDS = ("élus", "parentalité", "logement", "jeunesse", "accès aux droits")
WRITE_SHARE = 0.05

# Page classes: name -> how many of them a member asks for in one round of the read-only crowd.
READ_WEIGHTS = {"meeting": 3, "my meetings": 2, "calendar feed": 2, "case list": 1, "directory": 1,
                "resources library": 1, "resources search": 1, "dashboard": 1, "check-in": 1}


def url(endpoint: str, **values) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- fixtures ------------------------------------------------------------------------------------------------

def chosen_networks(count: int) -> list[Network]:
    """`count` national networks (slug dep-NN) in slug order, not bench/prepare.py's (its coordinator's 40 meetings
    stay 40 for bench/run.py)."""
    networks = db.session.scalars(select(Network).where(
        Network.slug.like("dep-%"), Network.slug != NATIONAL_NETWORK).order_by(Network.slug)).all()
    if len(networks) < count:
        raise SystemExit(f"only {len(networks)} national networks: run `flask seed-demo --scale national` first")
    return networks[:count]


def _meeting(network: Network, title: str, starts_at: datetime, members: list[int], facilitators: list[int]) -> int:
    """The network's bench meeting of that title, created once, moved to `starts_at` on each run, all members
    invited (invitations sent)."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.network_id == network.id, Meeting.title == title))
    if meeting is None:
        caf, msa = (facilitators + [None, None])[:2]
        meeting = Meeting(network_id=network.id, title=title, starts_at=starts_at,
                          ends_at=starts_at + timedelta(hours=6), status="invited", caf_facilitator_id=caf,
                          msa_facilitator_id=msa, ical_uid=f"{uuid.uuid4()}@bench")
        db.session.add(meeting)
        db.session.flush()
        db.session.execute(insert(Invitation), [
            {"meeting_id": meeting.id, "member_id": member_id, "rsvp": "pending", "sent_at": now()}
            for member_id in members])
    meeting.starts_at, meeting.ends_at, meeting.status = starts_at, starts_at + timedelta(hours=6), "invited"
    return meeting.id


def _open_rounds(network: Network, meeting_id: int) -> list[tuple[int, list[int]]]:
    """ROUNDS_PER_NETWORK open vote rounds on three new topics each: [(vote id, candidate topic ids)]."""
    rounds = []
    for n in range(1, ROUNDS_PER_NETWORK + 1):
        titles = [f"{BENCH_PREFIX} — tour {n}, sujet {k}" for k in (1, 2, 3)]
        topics = db.session.scalars(select(Topic.id).where(Topic.network_id == network.id, Topic.title.in_(titles))
                                    .order_by(Topic.id)).all()
        if not topics:
            topics = [db.session.scalar(insert(Topic).values(network_id=network.id, title=title, status="backlog",
                                                             created_at=now()).returning(Topic.id))
                      for title in titles]
        vote_id = db.session.scalar(select(TopicVoteCandidate.vote_id).where(TopicVoteCandidate.topic_id == topics[0]))
        if vote_id is None:
            vote_id = db.session.scalar(insert(TopicVote).values(
                network_id=network.id, meeting_id=meeting_id, status="open", points_per_voter=3, max_per_topic=2,
                closes_at=now() + timedelta(days=30), opened_at=now()).returning(TopicVote.id))
            db.session.execute(insert(TopicVoteCandidate), [{"vote_id": vote_id, "topic_id": t} for t in topics])
        db.session.execute(update(TopicVote).where(TopicVote.id == vote_id)
                           .values(status="open", closes_at=now() + timedelta(days=30)))
        rounds.append((vote_id, list(topics)))
    return rounds


# --- sessions ------------------------------------------------------------------------------------------------

def signed_session_cookie(member: Member | None) -> tuple[str, str]:
    """(Cookie header value, CSRF token) of a browser signed in as `member` (or anonymous), made by the app's own
    code in a request like the ones wrk sends (same address and User-Agent)."""
    app = current_app._get_current_object()
    for cached in (app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "_login_user"):
        g.pop(cached, None)  # the request contexts share this script's app context: no token of the previous one
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": CLIENT_ADDRESS},
                                  headers={"User-Agent": USER_AGENT}):
        if member is not None:
            open_login_session(member, ip_address=CLIENT_ADDRESS)
            login_user(member)
        token = generate_csrf()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}", token


# --- plans ---------------------------------------------------------------------------------------------------

def _line(kind: str, method: str, path: str, cookie: str = "", body: str = "", write: bool = False,
          expected: int = 200) -> str:
    return "\t".join((kind, method, path, cookie or "-", body or "-", "1" if write else "0", str(expected)))


def _write_plan(directory: Path, name: str, lines: list[str]) -> str:
    path = directory / f"plan-{name}.tsv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def prepare(out: Path, *, members_count: int, networks_count: int, seed: int) -> dict:
    rng = random.Random(seed)
    reference = reference_fixtures()  # commits
    per_network = -(-members_count // networks_count)
    networks = chosen_networks(networks_count)
    today = now()
    fixtures, members = {}, []
    for network in networks:
        network_members = db.session.scalars(select(Member).where(
            Member.network_id == network.id, Member.is_active.is_(True)).order_by(Member.id)).all()
        ids = [m.id for m in network_members]
        facilitators = [m for m in network_members if m.role == "facilitator"]
        staff = [m.id for m in facilitators]
        upcoming = [_meeting(network, f"{UPCOMING_TITLE} {n}", today + timedelta(days=20 + 7 * n), ids, staff)
                    for n in (1, 2)]
        checkin_meeting = _meeting(network, TODAY_TITLE, today - timedelta(hours=1), ids, staff)
        fixtures[network.id] = {"upcoming": upcoming, "today": checkin_meeting,
                                "rounds": _open_rounds(network, upcoming[0])}
        others = [m for m in network_members if m.role != "facilitator"]
        members += (facilitators + others)[:per_network]
    # bench/prepare.py's members are among them too: the demo facilitator of the 300-invitation meeting, and the
    # dep-62 coordinator invited to 40 meetings (they have no bench meetings: they read, they do not write)
    demo_facilitator, coordinator = (db.session.scalar(select(Member).where(Member.email == email))
                                     for email in (DEMO_FACILITATOR, NATIONAL_COORDINATOR))
    members = members[:members_count - 2] + [coordinator, demo_facilitator]
    chosen_ids = {m.id for m in members}
    db.session.flush()

    cookies, csrf = {}, {}
    for member in members:
        cookies[member.id], csrf[member.id] = signed_session_cookie(member)
    # Other login sessions of the same members for the warm-up: it compiles templates and statements, fills what
    # is cached per network, but no page kept for a measured session (a page is kept per login session).
    warm_up_cookies = {member.id: signed_session_cookie(member)[0] for member in members}
    guest_browsers = [signed_session_cookie(None) for _ in range(20)]
    db.session.commit()

    # Each chosen member's invitations (the meetings whose page they open and answer).
    invited_to: dict[int, list[int]] = {}
    for member_id, meeting_id in db.session.execute(
            select(Invitation.member_id, Invitation.meeting_id).where(Invitation.member_id.in_(chosen_ids))):
        invited_to.setdefault(member_id, []).append(meeting_id)

    def checkin_meeting_of(member: Member) -> int:
        fixture = fixtures.get(member.network_id)
        return fixture["today"] if fixture else reference["meeting_id"]

    def reads_of(member: Member, cookie: str) -> list[str]:
        meetings = sorted(invited_to.get(member.id, []))
        pages = [_line("meeting", "GET", url("sessions.meeting_detail", meeting_id=m), cookie)
                 for m in rng.sample(meetings, min(READ_WEIGHTS["meeting"], len(meetings)))]
        pages += [_line("my meetings", "GET", url("sessions.my_meetings"), cookie)] * READ_WEIGHTS["my meetings"]
        pages += [_line("calendar feed", "GET", url("sessions.calendar_feed", token=member.calendar_token))] \
            * READ_WEIGHTS["calendar feed"]
        pages += [_line("case list", "GET", url("codev.case_list"), cookie),
                  _line("directory", "GET", url("members.directory"), cookie),
                  _line("resources library", "GET", url("resources.library"), cookie),
                  _line("resources search", "GET", url("resources.library", q=rng.choice(SEARCH_WORDS)), cookie)]
        if member.role == "facilitator":
            pages += [_line("dashboard", "GET", url("evaluation.dashboard"), cookie),
                      _line("check-in", "GET", url("sessions.checkin", meeting_id=checkin_meeting_of(member)), cookie)]
        return pages

    def crowd_round(sessions: dict[int, str]) -> list[str]:
        lines = [line for member in members for line in reads_of(member, sessions[member.id])]
        rng.shuffle(lines)
        return lines

    def meeting_pages_round() -> list[str]:
        lines = [_line("meeting", "GET", url("sessions.meeting_detail", meeting_id=m), cookies[member.id])
                 for member in members for m in invited_to.get(member.id, [])
                 if m in fixtures.get(member.network_id, {}).get("upcoming", ()) or rng.random() < 0.1]
        rng.shuffle(lines)
        return lines

    # Writes, each on its own row: RSVPs by form (chosen members, their upcoming invitations), by link (the
    # other members' invitations to the bench meetings), check-ins (a facilitator, each member of the network),
    # ballots (each chosen member, each open round of their network).
    writes = []
    for member in members:
        fixture = fixtures.get(member.network_id, {"upcoming": [], "rounds": []})
        for meeting_id in fixture["upcoming"]:
            body = urlencode({"csrf_token": csrf[member.id], "answer": rng.choice(("yes", "no", "excused"))})
            writes.append(_line("write: RSVP by form", "POST", url("sessions.rsvp", meeting_id=meeting_id),
                                cookies[member.id], body, True, 302))
        for vote_id, topics in fixture["rounds"]:
            body = urlencode({"csrf_token": csrf[member.id], f"topic_{topics[0]}": 2, f"topic_{topics[1]}": 1})
            writes.append(_line("write: ballot", "POST", url("topics.ballot_submit", vote_id=vote_id),
                                cookies[member.id], body, True, 302))
    bench_meetings = [m for fixture in fixtures.values() for m in fixture["upcoming"]]
    link_targets = db.session.execute(select(Invitation).where(
        Invitation.meeting_id.in_(bench_meetings), Invitation.member_id.not_in(chosen_ids))).scalars().all()
    for invitation in link_targets:
        cookie, token = rng.choice(guest_browsers)
        body = urlencode({"csrf_token": token, "answer": rng.choice(("yes", "no", "excused"))})
        writes.append(_line("write: RSVP by link", "POST", url("sessions.rsvp_link", token=make_rsvp_token(invitation)),
                            cookie, body, True, 200))
    for network in networks:
        fixture = fixtures[network.id]
        facilitator = next((m for m in members if m.network_id == network.id and m.role == "facilitator"), None)
        if facilitator is None:
            continue
        invited = db.session.scalars(select(Invitation.member_id).where(
            Invitation.meeting_id == fixture["today"], Invitation.member_id.is_not(None))).all()
        for member_id in invited:
            body = urlencode({"csrf_token": csrf[facilitator.id], "status": "present"})
            writes.append(_line("write: check-in", "POST",
                                url("sessions.attendance_record", meeting_id=fixture["today"], member_id=member_id),
                                cookies[facilitator.id], body, True, 302))
    rng.shuffle(writes)

    # « meeting day »: the read-only crowd with one write in every 1 / WRITE_SHARE requests, until the writes
    # run out (mix.lua never sends a write twice).
    every = round(1 / WRITE_SHARE)
    day = []
    while len(day) < len(writes) * every:
        for line in crowd_round(cookies):
            if len(day) % every == every - 1 and len(day) // every < len(writes):
                day.append(writes[len(day) // every])
            day.append(line)
    crowd = crowd_round(cookies) + crowd_round(cookies)
    single_cookie = cookies[demo_facilitator.id]  # bench/run.py's « meeting with 300 invitations »
    single_meeting = reference["meeting_id"]
    plans = {
        "single": _write_plan(out, "single", [_line(
            "meeting", "GET", url("sessions.meeting_detail", meeting_id=single_meeting), single_cookie)]),
        "meeting-pages": _write_plan(out, "meeting-pages", meeting_pages_round() + meeting_pages_round()),
        "crowd": _write_plan(out, "crowd", crowd),
        "warm-up": _write_plan(out, "warm-up", crowd_round(warm_up_cookies)),
        "meeting-day": _write_plan(out, "meeting-day", day),
        "ceiling": _write_plan(out, "ceiling", [_line("bare Flask route", "GET", "/")]),
    }
    info = {"members": len(members), "networks": [n.slug for n in networks],
            "facilitators": sum(m.role == "facilitator" for m in members), "writes_planned": len(writes),
            "today_meetings": [f["today"] for f in fixtures.values()], "plans": plans}
    (out / "plan.json").write_text(json.dumps(info, indent=1))
    return info


def reset(out: Path) -> None:
    """The check-in meetings lose their check-ins and are « invited » again, so that every check-in is a new row."""
    info = json.loads((out / "plan.json").read_text())
    db.session.execute(delete(Attendance).where(Attendance.meeting_id.in_(info["today_meetings"])))
    db.session.execute(update(Meeting).where(Meeting.id.in_(info["today_meetings"])).values(status="invited"))
    db.session.commit()


def count(since: datetime) -> dict:
    """Rows written since `since`, by kind of write (each planned write aims at a different row)."""
    def scalar(statement):
        return db.session.scalar(statement) or 0

    return {
        "write: RSVP by form": scalar(select(func.count()).select_from(Invitation).where(
            Invitation.responded_at >= since, Invitation.rsvp_source == "site")),
        "write: RSVP by link": scalar(select(func.count()).select_from(Invitation).where(
            Invitation.responded_at >= since, Invitation.rsvp_source == "link")),
        "write: check-in": scalar(select(func.count()).select_from(Attendance).where(Attendance.recorded_at >= since)),
        "write: ballot": scalar(select(func.count()).select_from(Ballot).where(Ballot.updated_at >= since)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["prepare", "reset", "count"])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--networks", type=int, default=20)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--since", type=datetime.fromisoformat)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with create_app().app_context():
        if args.action == "prepare":
            result = prepare(args.out, members_count=args.members, networks_count=args.networks, seed=args.seed)
        elif args.action == "reset":
            reset(args.out)
            result = {"reset": True}
        else:
            result = count(args.since)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
