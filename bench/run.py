"""Réseau benchmark, single session (not a test): national-scale data, gunicorn -w 4, wrk as the load tool.

    .venv/bin/python bench/run.py [--db sqlite|postgresql|both] [--duration 10] [--connections 8] [--reuse-data] [--no-cache]
                          [--pages meeting,feed] [--app-root PATH]

Each page is loaded by --connections connections sharing ONE signed-in session and ONE URL (what a per-session page
cache answers best; bench/mix.py measures the traffic of many members). Prints requests/s and p50/p95 per page
beside a bare Flask route served the same way (the ceiling), then the indicators timing, the 500-email delivery
time and the resident memory per worker.
"""

import argparse
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import (  # noqa: E402
    BENCH_ROOT, BIN, RESULTS, Gunicorn, app_environment, ensure_wrk, flask, national_database, vacuum_analyze)

TARGET_P95_MS = 100.0
TARGET_SHARE_OF_CEILING = 0.25
TARGET_RSS_MB = 150.0


def prepare_database(database: str, env: dict, app_root: Path, *, reuse: bool = False) -> dict:
    national_database(database, env, app_root, reuse=reuse)
    output = subprocess.run([str(BIN / "python"), str(BENCH_ROOT / "bench" / "prepare.py")],
                            env=dict(env, RESEAU_ENV="development"), cwd=app_root, check=True, capture_output=True,
                            text=True).stdout
    if database == "postgresql":
        vacuum_analyze()  # the seed or the data reused, and prepare.py's own rows
    return json.loads(output.strip().splitlines()[-1])


def login_cookie(base: str, email: str, password: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/connexion").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    response = opener.open(base + "/connexion", data=data)
    if urllib.parse.urlparse(response.geturl()).path == "/connexion":  # no redirect: the login was refused
        raise RuntimeError(f"login refused for {email}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def wrk(url: str, *, cookie: str | None, duration: int, connections: int) -> dict:
    command = [ensure_wrk(), "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s",
               str(BENCH_ROOT / "bench" / "latency.lua"), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    return {key: float(value) for key, value in (part.split("=") for part in line.split()[1:])}


def status_of(url: str, cookie: str | None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        return urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def bench_database(database: str, args) -> list[dict]:
    app_root = Path(args.app_root).resolve()
    env = app_environment(database, app_root, cache=not args.no_cache)
    print(f"\n== {database}: preparing national-scale data (app served from {app_root})")
    info = prepare_database(database, env, app_root, reuse=args.reuse_data)
    rows = []
    ceiling_server = Gunicorn("bench.bare_app:app", env, BENCH_ROOT)
    try:
        ceiling = wrk(ceiling_server.base + "/", cookie=None, duration=args.duration, connections=args.connections)
    finally:
        ceiling_server.stop()
    rows.append({"page": "bare Flask route (ceiling)", **ceiling})
    server = Gunicorn("network:create_app()", env, app_root)
    try:
        emails = sorted({login for _name, _path, login, _compare in info["pages"] if login})
        cookies = {email: login_cookie(server.base, email, "reseau-demo") for email in emails}
        for name, path, login, compare in info["pages"]:
            if args.pages and not any(word in name for word in args.pages.split(",")):
                continue
            if not path.startswith("/"):
                rows.append({"page": name, "error": path})
                continue
            url = server.base + path
            cookie = cookies.get(login)
            code = status_of(url, cookie)
            if code != 200:
                rows.append({"page": name, "error": f"HTTP {code} for {path}"})
                continue
            wrk(url, cookie=cookie, duration=2, connections=args.connections)  # warm-up
            result = wrk(url, cookie=cookie, duration=args.duration, connections=args.connections)
            rows.append({"page": name, **result, "share": result["rps"] / ceiling["rps"] if compare else None})
        rss = server.worker_rss_mb()
    finally:
        server.stop()
    rows.append({"page": "resident memory per worker (MB)", "rss": rss})
    return rows


def time_indicators_command(database: str, app_root: Path, slug: str = "dep-62") -> str:
    """Wall time of `flask indicators --network SLUG --from-year Y-9` (ten years in one pass), process start
    included: median of 5 runs."""
    env = app_environment(database, app_root)
    year = time.gmtime().tm_year
    timings = []
    for _ in range(5):
        started = time.monotonic()
        flask(env, app_root, "indicators", "--network", slug, "--from-year", str(year - 9), "--year", str(year))
        timings.append((time.monotonic() - started) * 1000)
    return (f"`flask indicators --network {slug} --from-year {year - 9}` (CLI, ten years, process start included): "
            f"median {sorted(timings)[2]:.0f} ms")


def print_rows(database: str, rows: list[dict]) -> None:
    print(f"\n{database}, single session (the connections share one session and one URL per page)")
    print(f"  {'page':52} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}  verdict")
    for row in rows:
        if "error" in row:
            print(f"  {row['page']:52} {row['error']}")
        elif "rss" in row:
            worst = max(row["rss"]) if row["rss"] else 0
            verdict = "ok" if worst <= TARGET_RSS_MB else f"over {TARGET_RSS_MB:.0f} MB"
            print(f"  {row['page']:52} {', '.join(f'{mb:.0f}' for mb in row['rss'])}  {verdict}")
        else:
            verdict = "ok" if row["p95"] <= TARGET_P95_MS else f"p95 over {TARGET_P95_MS:.0f} ms"
            if row.get("share") is not None:
                share_ok = row["share"] >= TARGET_SHARE_OF_CEILING
                verdict += f"; {row['share']:.0%} of ceiling" + ("" if share_ok else " (target 25 %)")
            errors = f"  errors={row['errors']:.0f}" if row.get("errors") else ""
            print(f"  {row['page']:52} {row['rps']:8.1f} {row['p50']:8.2f} {row['p95']:8.2f}  {verdict}{errors}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--no-cache", action="store_true",
                        help="serve with RESULT_CACHE=0: every request computes its page (no per-worker cache)")
    parser.add_argument("--reuse-data", action="store_true",
                        help="keep the database of the previous run (migrated, not re-seeded) to measure a code change")
    parser.add_argument("--app-root", default=str(BENCH_ROOT),
                        help="the checkout whose app is served and seeded (default: this one)")
    parser.add_argument("--pages", help="only the pages whose name contains one of these words (comma-separated), "
                                        "e.g. meeting,feed; the indicators and emails are then skipped too")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for database in databases:
        print_rows(database + (" (RESULT_CACHE=0)" if args.no_cache else ""), bench_database(database, args))
        if args.pages:
            continue
        app_root = Path(args.app_root).resolve()
        extra = subprocess.run([str(BIN / "python"), str(BENCH_ROOT / "bench" / "in_process.py")],
                               env=app_environment(database, app_root), cwd=app_root, capture_output=True, text=True)
        print(extra.stdout.rstrip())
        if extra.returncode:
            print(extra.stderr.rstrip())
        print("  " + time_indicators_command(database, app_root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
