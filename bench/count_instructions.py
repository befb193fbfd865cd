"""Instructions per request of a hot page, counted by valgrind's callgrind (not a test).

Timings on a shared two-core machine move by ±15 % from one run to the next; the number of instructions a process
executes does not. The page is requested in-process (Flask test client) by the first member of the role in the first
national network, as bench/profile_pages.py does, with the result caches off. The process is counted twice, with 5
and with 25 requests after 3 warm-up requests, and the difference is given per request: start-up and warm-up cancel
out, and the objects they leave are frozen out of the garbage collector's reach (a full collection of them falling
among the counted requests, or not, moved a count by 0.5–0.7 M). On PostgreSQL the server's work is not counted
(another process); on SQLite it is (the engine runs in-process).

    .venv/bin/python bench/count_instructions.py [--db sqlite|postgresql] [--app-root PATH]
                                                 [--page dashboard] [--role facilitator]

Run it after bench/mix.py has seeded the national-scale database. Needs valgrind (Debian's package). A count takes
about three minutes (callgrind runs the interpreter some 50 times slower).
"""

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH_DIRECTORY = Path(__file__).resolve().parent
FEW, MANY = 5, 25


def inside(page: str, role: str, requests: int) -> None:
    from network import create_app
    from network.extensions import db
    from plan import USER_AGENT, signed_session_cookie, url
    from profile_pages import first_member, hot_pages

    app = create_app()
    app.config["RESULT_CACHE"] = False
    with app.app_context():
        _network, member = first_member(role)
        cookie, _token = signed_session_cookie(member)
        db.session.commit()
        path = dict(hot_pages(member, url))[page]
    client = app.test_client()
    client.set_cookie(*cookie.split("=", 1))
    for _ in range(3):
        status = client.get(path, headers={"User-Agent": USER_AGENT}).status_code
        if status != 200:
            sys.exit(f"{page}: HTTP {status}")
    # The start-up's objects out of the collector's reach: whether a full collection of them falls among the counted
    # requests would otherwise depend on how much the code allocates before, and move a count by 0.5–0.7 M.
    gc.collect()
    gc.freeze()
    for _ in range(requests):
        client.get(path, headers={"User-Agent": USER_AGENT})


def count(env: dict, app_root: Path, page: str, role: str, requests: int) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
               str(Path(__file__).resolve()), "--inside", "--page", page, "--role", role, "--requests", str(requests)]
    result = subprocess.run(command, env=env, cwd=app_root, capture_output=True, text=True)
    collected = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode or collected is None:
        sys.exit(f"callgrind failed:\n{result.stderr[-3000:]}")
    return int(collected.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--app-root", default=str(BENCH_DIRECTORY.parent))
    parser.add_argument("--page", default="dashboard", help="a page of bench/profile_pages.py, e.g. 'meeting (invited)'")
    parser.add_argument("--role", default="facilitator", choices=["facilitator", "coordinator"])
    parser.add_argument("--requests", type=int, default=FEW, help=argparse.SUPPRESS)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args.page, args.role, args.requests)
        return 0
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is missing: apt-get install valgrind")
    sys.path.insert(0, str(BENCH_DIRECTORY))
    from serving import app_environment

    app_root = Path(args.app_root).resolve()
    env = app_environment(args.db, app_root, cache=False)
    env["PYTHONPATH"] = os.pathsep.join((str(app_root), str(BENCH_DIRECTORY)))
    env["PYTHONHASHSEED"] = "0"  # the same iteration order of sets and dicts of strings in every run
    few, many = (count(env, app_root, args.page, args.role, requests) for requests in (FEW, MANY))
    print(f"{args.page} ({args.role}, {args.db}, {app_root}): {(many - few) // (MANY - FEW):,} instructions per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
