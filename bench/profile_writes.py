"""Where the time of each write of the « meeting day » goes, in-process (Flask test client, no HTTP server): per
write (the four of bench/plan.py: RSVP by form, RSVP by the email's link, check-in, ballot), the median time of
the POST alone (wrk does not follow the redirect: neither does this) and its SQL statements, each on a row of its
own as in the benchmark. Not a test.

    .venv/bin/python bench/profile_writes.py [--db sqlite|postgresql] [--app-root PATH] [--requests 20]
                                             [--writes ballot,check-in] [--statements]

It needs the fixtures of bench/plan.py (`plan.py prepare`: the bench meetings and vote rounds) in the database of
BENCH_DATABASE_URL (or the SQLite instance); it writes in it (answers, check-ins, ballots): run it on a copy. The
check-ins of the first network's meeting of the day are deleted first (as `plan.py reset` does), so that each
check-in is a new row; --statements prints each write's statements once.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIRECTORY = Path(__file__).resolve().parent


def inside(requests: int, only: str | None, show_statements: bool, profile: bool = False) -> None:
    from sqlalchemy import delete, event, select, update

    from network import create_app
    from network.extensions import db
    from network.members.models import Member
    from network.sessions.models import Attendance, Invitation, Meeting
    from network.sessions.tokens import make_rsvp_token
    from network.topics.models import TopicVote, TopicVoteCandidate
    from plan import TODAY_TITLE, UPCOMING_TITLE, USER_AGENT, chosen_networks, signed_session_cookie

    app = create_app()
    if os.environ.get("BENCH_GC") == "off":
        import gc
        gc.disable()
    elif os.environ.get("BENCH_GC") == "freeze":
        import gc
        gc.freeze()
    with app.app_context():
        network = chosen_networks(1)[0]
        members = db.session.scalars(select(Member).where(Member.network_id == network.id, Member.is_active.is_(True))
                                     .order_by(Member.id)).all()
        facilitator = next(m for m in members if m.role == "facilitator")
        voters = [m for m in members if m.role in ("facilitator", "coordinator")][:requests + 3]
        meetings = {title: meeting_id for meeting_id, title in db.session.execute(
            select(Meeting.id, Meeting.title).where(Meeting.network_id == network.id,
                                                    Meeting.title.like(f"{UPCOMING_TITLE}%") | (Meeting.title == TODAY_TITLE)))}
        today = meetings.pop(TODAY_TITLE)
        upcoming = sorted(meetings.values())
        vote_id = db.session.scalar(select(TopicVote.id).where(TopicVote.network_id == network.id,
                                                              TopicVote.status == "open").order_by(TopicVote.id))
        topics = db.session.scalars(select(TopicVoteCandidate.topic_id).where(TopicVoteCandidate.vote_id == vote_id)
                                    .order_by(TopicVoteCandidate.topic_id)).all()
        sessions = {m.id: signed_session_cookie(m) for m in voters + [facilitator]}
        guest_cookie, guest_token = signed_session_cookie(None)
        voter_ids = {m.id for m in voters}
        link_invitations = db.session.scalars(select(Invitation).where(
            Invitation.meeting_id == upcoming[0], Invitation.member_id.not_in(voter_ids)).order_by(Invitation.id)
        ).all()[:requests + 3]
        links = [make_rsvp_token(invitation) for invitation in link_invitations]
        checked_in = db.session.scalars(select(Invitation.member_id).where(
            Invitation.meeting_id == today, Invitation.member_id.is_not(None)).order_by(Invitation.member_id)).all()
        db.session.execute(delete(Attendance).where(Attendance.meeting_id == today))
        db.session.execute(update(Meeting).where(Meeting.id == today).values(status="invited"))
        slug, facilitator_id, voters = network.slug, facilitator.id, [m.id for m in voters]
        db.session.commit()
        statements: list[str] = []
        sql_seconds: list[float] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)
            context._bench_started = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            sql_seconds.append(time.perf_counter() - context._bench_started)

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)

    answers = ("yes", "no", "excused")

    def url(endpoint, **values):
        return app.url_map.bind("localhost").build(endpoint, values)

    def form_rsvp(n):
        cookie, token = sessions[voters[n % len(voters)]]
        return cookie, url("sessions.rsvp", meeting_id=upcoming[n % 2]), \
            {"csrf_token": token, "answer": answers[(n // len(voters)) % 3]}

    def link_rsvp(n):
        return guest_cookie, url("sessions.rsvp_link", token=links[n % len(links)]), \
            {"csrf_token": guest_token, "answer": answers[(n // len(links) + 1) % 3]}

    def check_in(n):
        cookie, token = sessions[facilitator_id]
        return cookie, url("sessions.attendance_record", meeting_id=today, member_id=checked_in[n % len(checked_in)]), \
            {"csrf_token": token, "status": "present"}

    def ballot(n):
        cookie, token = sessions[voters[n % len(voters)]]
        first, second = (topics[0], topics[1]) if n // len(voters) % 2 == 0 else (topics[1], topics[2])
        return cookie, url("topics.ballot_submit", vote_id=vote_id), \
            {"csrf_token": token, f"topic_{first}": 2, f"topic_{second}": 1}

    writes = [("RSVP by form", form_rsvp, 302), ("RSVP by link", link_rsvp, 200), ("check-in", check_in, 302),
              ("ballot", ballot, 302)]
    client = app.test_client()
    headers = {"User-Agent": USER_AGENT}
    with app.app_context():
        print(f"network {slug}, {requests} writes each, database {db.engine.dialect.name}")
    print(f"{'write':14} {'HTTP':>4} {'ms med':>7} {'ms min':>7} {'SQL ms':>7} {'statements':>10}")
    counter = 0
    for name, make, expected in writes:
        if only and not any(word in name for word in only.split(",")):
            continue
        timings, counts, sql = [], [], []
        if profile:
            import cProfile
            profiler = cProfile.Profile()
        for n in range(requests + 3):  # the first three: warm-up (compiled statements and templates)
            cookie, path, form = make(counter if name == "check-in" else n)
            if name == "check-in":
                counter += 1
            client.set_cookie(*cookie.split("=", 1))
            statements.clear()
            sql_seconds.clear()
            if profile and n >= 3:
                profiler.enable()
            started = time.perf_counter()
            response = client.post(path, data=form, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if profile and n >= 3:
                profiler.disable()
            if response.status_code != expected:
                raise SystemExit(f"{name}: HTTP {response.status_code} on {path}\n{response.get_data(True)[:2000]}")
            if n >= 3:
                timings.append(elapsed)
                counts.append(len(statements))
                sql.append(sum(sql_seconds) * 1000)
            if show_statements and n == 3:
                print(f"--- {name}: {len(statements)} statements")
                for statement, seconds in zip(statements, sql_seconds):
                    print(f"   {seconds * 1000:6.2f} ms", " ".join(statement.split())[:150])
        print(f"{name:14} {response.status_code:>4} {statistics.median(timings):7.1f} {min(timings):7.1f} {statistics.median(sql):7.1f} "
              f"{statistics.median(counts):10.0f}")
        if profile:
            import pstats
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(int(os.environ.get("BENCH_TOP", "45")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--app-root", default=str(BENCH_DIRECTORY.parent))
    parser.add_argument("--requests", type=int, default=20, help="timed writes of each kind")
    parser.add_argument("--writes", help="only the writes whose name contains one of these words")
    parser.add_argument("--statements", action="store_true", help="print each write's statements once")
    parser.add_argument("--profile", action="store_true", help="cProfile each write kind (cumulative, top 45)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args.requests, args.writes, args.statements, args.profile)
        return 0
    sys.path.insert(0, str(BENCH_DIRECTORY))
    from serving import app_environment

    app_root = Path(args.app_root).resolve()
    env = app_environment(args.db, app_root)  # as served: the result cache on
    env["PYTHONPATH"] = os.pathsep.join((str(app_root), str(BENCH_DIRECTORY)))
    command = [sys.executable, str(Path(__file__).resolve()), "--inside", "--requests", str(args.requests)]
    command += (["--writes", args.writes] if args.writes else []) + (["--statements"] if args.statements else []) \
        + (["--profile"] if args.profile else [])
    return subprocess.run(command, env=env, cwd=app_root).returncode


if __name__ == "__main__":
    sys.exit(main())
