"""Where the time of each hot page goes, in-process (Flask test client, no HTTP server): per page, the time of one
request, its SQL queries, and a breakdown of the profiled time by layer — the database driver (SQL), SQLAlchemy's
ORM and Core, forms (WTForms, Flask-WTF), Jinja, Flask and its extensions, Babel (dates and numbers in French),
the app's own code, other libraries.
Each function's own time (not its callees') goes to the layer of the file it is in; the standard library's and
built-ins' time goes to the layer that called them. pyinstrument is used when it
can be imported, else cProfile (deterministic, so it adds more overhead to Python-heavy layers: compare the
layers' shares before/after, not the absolute profiled times). Not a test.

    .venv/bin/python bench/profile_pages.py [--db sqlite|postgresql] [--app-root PATH] [--requests 20]
                                            [--pages meeting,dashboard]

Run it after bench/mix.py (or bench/run.py) has seeded the national-scale database (same BENCH_DATABASE_URL);
the member is the first facilitator of the first national network. The result caches are turned off
(RESULT_CACHE=0 where the app has the setting) so that every request computes its page.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIRECTORY = Path(__file__).resolve().parent
LAYERS = ("SQL (driver)", "SQLAlchemy", "forms", "Jinja", "Flask + ext.", "Babel", "app code", "other libs",
          "unattributed")
LAYER_OF_PACKAGE = {
    "sqlite3": "SQL (driver)", "psycopg": "SQL (driver)", "psycopg_binary": "SQL (driver)",
    "psycopg_pool": "SQL (driver)", "sqlalchemy": "SQLAlchemy", "flask_sqlalchemy": "SQLAlchemy",
    "wtforms": "forms", "flask_wtf": "forms", "jinja2": "Jinja", "markupsafe": "Jinja", "flask": "Flask + ext.",
    "werkzeug": "Flask + ext.", "flask_login": "Flask + ext.", "flask_babel": "Babel",
    "babel": "Babel", "itsdangerous": "Flask + ext.", "blinker": "Flask + ext.",
    "flask_mail": "Flask + ext.", "flask_migrate": "Flask + ext.", "network": "app code",
}


def layer_of(file_path: str, function: str = "") -> str | None:
    """The layer of a function from its file, or None for the standard library and built-ins, whose time goes to
    the layer that called them."""
    if file_path.startswith("<template") or file_path.endswith((".html", ".ics", ".txt", ".xml")):
        return "Jinja"  # Jinja's compiled templates keep their file names
    if file_path.startswith("<werkzeug"):
        return "Flask + ext."
    if file_path in ("~", "") or file_path.startswith("<"):
        return "SQL (driver)" if ("sqlite3" in function or "psycopg" in function) else None
    parts = Path(file_path).parts
    for part in reversed(parts[:-1]):
        if part in LAYER_OF_PACKAGE:
            return LAYER_OF_PACKAGE[part]
        if part == "site-packages":
            return "other libs"
        if part.startswith("python3"):
            return None  # the standard library
    return LAYER_OF_PACKAGE.get(Path(file_path).stem)


def profile_with_pyinstrument(call) -> dict[str, float]:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    call()
    profiler.stop()
    totals = dict.fromkeys(LAYERS, 0.0)
    stack = [(profiler.last_session.root_frame(), "unattributed")]
    while stack:
        frame, inherited = stack.pop()
        if frame is None:
            continue
        layer = layer_of(frame.file_path or "", frame.function or "") or inherited
        children = list(frame.children)
        totals[layer] += max(frame.time - sum(child.time for child in children), 0.0)
        stack.extend((child, layer) for child in children)
    return totals


def profile_with_cprofile(call) -> dict[str, float]:
    """Own time per layer; a standard-library or built-in function's own time is shared among its callers' layers
    in proportion to the time it spent for each caller."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    shares: dict[tuple, dict[str, float]] = {}

    def share_of(key: tuple, visiting: frozenset = frozenset()) -> dict[str, float]:
        if key in shares:
            return shares[key]
        layer = layer_of(key[0], key[2])
        if layer is not None:
            return {layer: 1.0}
        callers = stats.get(key, (0, 0, 0, 0, {}))[4]
        spent = {caller: values[2] for caller, values in callers.items() if caller not in visiting}
        total = sum(spent.values())
        if not spent:
            result = {"unattributed": 1.0}
        else:
            result = {}
            for caller, seconds in spent.items():
                weight = seconds / total if total else 1 / len(spent)
                for name, fraction in share_of(caller, visiting | {key}).items():
                    result[name] = result.get(name, 0.0) + weight * fraction
        if not visiting:
            shares[key] = result
        return result

    totals = dict.fromkeys(LAYERS, 0.0)
    for key, (_calls, _primitive, own, _cumulative, _callers) in stats.items():
        for name, fraction in share_of(key).items():
            totals[name] += own * fraction
    return totals


def profiler():
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        return "cProfile", profile_with_cprofile
    return "pyinstrument", profile_with_pyinstrument


def hot_pages(member, url) -> list[tuple[str, str]]:
    """(page, path) for the member: what bench/mix.py's crowd asks for (its meetings of bench/plan.py's fixtures
    when they exist)."""
    from sqlalchemy import select

    from network.database import utcnow
    from network.extensions import db
    from network.sessions.models import Invitation, Meeting

    meetings = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.ends_at).join(Invitation, Invitation.meeting_id == Meeting.id)
        .where(Invitation.member_id == member.id).order_by(Meeting.starts_at.desc())).all()
    from plan import TODAY_TITLE, UPCOMING_TITLE

    today = next((m.id for m in meetings if m.title == TODAY_TITLE), meetings[0].id)
    upcoming = next((m.id for m in meetings if m.title.startswith(UPCOMING_TITLE)), meetings[0].id)
    # most meetings a member opens are past ones: their page also shows the attendance figures
    past = next((m.id for m in meetings if m.ends_at < utcnow()), meetings[-1].id)
    return [
        ("meeting (invited)", url("sessions.meeting_detail", meeting_id=upcoming)),
        ("meeting (past)", url("sessions.meeting_detail", meeting_id=past)),
        ("my meetings", url("sessions.my_meetings")),
        ("calendar feed", url("sessions.calendar_feed", token=member.calendar_token)),
        ("case list", url("codev.case_list")),
        ("directory", url("members.directory")),
        ("dashboard", url("evaluation.dashboard")),
        ("check-in", url("sessions.checkin", meeting_id=today)),
        ("resources library", url("resources.library")),
        ("resources search", url("resources.library", q="élus")),
    ]


def first_member(role: str):
    """(network, member): the first national network, by slug, and its first member of `role`, by id."""
    from sqlalchemy import select

    from network.extensions import db
    from network.members.models import Member, Network

    network = db.session.scalar(select(Network).where(Network.slug.like("dep-%")).order_by(Network.slug))
    return network, db.session.scalar(select(Member).where(Member.network_id == network.id, Member.role == role)
                                      .order_by(Member.id))


def inside(requests: int, only: str | None) -> None:
    from sqlalchemy import event

    from network import create_app
    from network.extensions import db
    from plan import USER_AGENT, signed_session_cookie, url

    name, profile = profiler()
    app = create_app()
    app.config["RESULT_CACHE"] = False
    with app.app_context():
        network, member = first_member("facilitator")
        cookie, _token = signed_session_cookie(member)
        db.session.commit()
        pages = [(page, path) for page, path in hot_pages(member, url)
                 if not only or any(word in page for word in only.split(","))]
        who = f"{member.email} ({network.slug})"
        statements: list[float] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            context._bench_started = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            statements.append(time.perf_counter() - context._bench_started)

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
    client = app.test_client()
    cookie_name, cookie_value = cookie.split("=", 1)
    client.set_cookie(cookie_name, cookie_value)
    headers = {"User-Agent": USER_AGENT}
    print(f"{who}, {requests} requests per page, profiler: {name}; "
          f"layers in % of the profiled time")
    print(f"{'page':20} {'HTTP':>4} {'ms/req':>7} {'queries':>7} {'SQL ms':>7}  "
          + " ".join(f"{layer:>12}" for layer in LAYERS))
    for page, path in pages:
        for _ in range(3):  # warm-up: imports, compiled statements and templates
            response = client.get(path, headers=headers)
        timings = []
        statements.clear()
        for _ in range(requests):
            started = time.perf_counter()
            client.get(path, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
        queries, sql_ms = len(statements) / requests, sum(statements) * 1000 / requests
        layers = profile(lambda: [client.get(path, headers=headers) for _ in range(requests)])
        total = sum(layers.values()) or 1.0
        print(f"{page:20} {response.status_code:>4} {statistics.median(timings):7.1f} {queries:7.1f} {sql_ms:7.1f}  "
              + " ".join(f"{layers[layer] * 100 / total:11.0f}%" for layer in LAYERS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--app-root", default=str(BENCH_DIRECTORY.parent))
    parser.add_argument("--requests", type=int, default=20, help="requests per page, timed then profiled")
    parser.add_argument("--pages", help="only the pages whose name contains one of these words, e.g. meeting,dashboard")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args.requests, args.pages)
        return 0
    sys.path.insert(0, str(BENCH_DIRECTORY))
    from serving import app_environment

    app_root = Path(args.app_root).resolve()
    env = app_environment(args.db, app_root, cache=False)
    env["PYTHONPATH"] = os.pathsep.join((str(app_root), str(BENCH_DIRECTORY)))
    command = [sys.executable, str(Path(__file__).resolve()), "--inside", "--requests", str(args.requests)]
    return subprocess.run(command + (["--pages", args.pages] if args.pages else []), env=env, cwd=app_root).returncode


if __name__ == "__main__":
    sys.exit(main())
