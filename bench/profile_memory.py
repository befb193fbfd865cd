"""Resident memory of one worker, in-process: a started app (create_app), then after the hot pages of
bench/profile_pages.py (a few requests each, the first facilitator of the first national network), then after the
calendar feeds of FEEDS members (calendar clients poll them: what each worker keeps of them grows with the members).
VmRSS from /proc/self/status; the libraries the app loaded at start are listed with --modules. Not a test.

    .venv/bin/python bench/profile_memory.py [--db sqlite|postgresql] [--app-root PATH] [--requests 3] [--feeds 300]
                                             [--modules]

bench/mix.py reports the RSS of its gunicorn workers after the benchmark; this measures the same process state
without a server (`python -X importtime -c "from network import create_app; create_app()"` says what loads).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

BENCH_DIRECTORY = Path(__file__).resolve().parent


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS"))


def inside(requests: int, feeds: int, show_modules: bool) -> None:
    from network import create_app

    app = create_app()
    started = rss_mb()
    at_start = sorted({name.split(".")[0] for name in sys.modules})
    from sqlalchemy import select

    from network.extensions import db
    from network.members.models import Member, Network
    from plan import USER_AGENT, signed_session_cookie, url
    from profile_pages import hot_pages

    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.slug.like("dep-%")).order_by(Network.slug))
        member = db.session.scalar(select(Member).where(Member.network_id == network.id,
                                                        Member.role == "facilitator").order_by(Member.id))
        cookie, _token = signed_session_cookie(member)
        pages = hot_pages(member, url)
        tokens = db.session.scalars(select(Member.calendar_token).join(Network, Network.id == Member.network_id)
                                    .where(Network.slug.like("dep-%"), Member.is_active.is_(True))
                                    .order_by(Network.slug, Member.id).limit(feeds)).all()
        db.session.commit()
    client = app.test_client()
    client.set_cookie(*cookie.split("=", 1))
    print(f"started app {started:7.1f} MB")
    for page, path in pages:
        for _ in range(requests):
            status = client.get(path, headers={"User-Agent": USER_AGENT}).status_code
        print(f"  {page:20} {status} {rss_mb():7.1f} MB")
    after_pages = rss_mb()
    for token in tokens:
        client.get(f"/rencontres/agenda/{token}.ics")
    print(f"after the hot pages {after_pages:7.1f} MB; after {len(tokens)} calendar feeds {rss_mb():7.1f} MB")
    if show_modules:
        print("top-level modules at start:", " ".join(at_start))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--app-root", default=str(BENCH_DIRECTORY.parent))
    parser.add_argument("--requests", type=int, default=3, help="requests per hot page")
    parser.add_argument("--feeds", type=int, default=300, help="members whose calendar feed is asked for")
    parser.add_argument("--modules", action="store_true", help="list the top-level modules loaded at start")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args.requests, args.feeds, args.modules)
        return 0
    sys.path.insert(0, str(BENCH_DIRECTORY))
    from serving import app_environment

    app_root = Path(args.app_root).resolve()
    env = app_environment(args.db, app_root)  # as served: the result cache on
    env["PYTHONPATH"] = os.pathsep.join((str(app_root), str(BENCH_DIRECTORY)))
    command = [sys.executable, str(Path(__file__).resolve()), "--inside", "--requests", str(args.requests),
               "--feeds", str(args.feeds)] + (["--modules"] if args.modules else [])
    return subprocess.run(command, env=env, cwd=app_root).returncode


if __name__ == "__main__":
    sys.exit(main())
