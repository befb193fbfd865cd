"""Réseau benchmark (not a test): national-scale data, gunicorn with 4 workers, wrk as the load tool.

    .venv/bin/python bench/run.py [--db sqlite|postgresql|both] [--duration 10] [--connections 8] [--reuse-data] [--no-cache]
                          [--pages meeting,feed]

Prints requests/s and p50/p95 per page beside a bare Flask route served the same way (the ceiling),
then the indicators timing, the 500-email delivery time and the resident memory per worker.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_reseau")
TARGET_P95_MS = 100.0
TARGET_SHARE_OF_CEILING = 0.25
TARGET_RSS_MB = 150.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(prefix + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(prefix + ["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk")


def app_environment(database: str, *, cache: bool = True) -> dict:
    env = dict(os.environ, RESEAU_ENV="production", SECRET_KEY=secrets.token_urlsafe(48),
               SESSION_COOKIE_SECURE="0", OUTBOX_SEND_AFTER_COMMIT="0", FLASK_APP="network",
               RESULT_CACHE="1" if cache else "0")
    env.pop("MAIL_SERVER", None)
    if database == "sqlite":
        env["RESEAU_INSTANCE_PATH"] = str(RESULTS / "instance-sqlite")
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = PG_URL
    return env


def flask(env: dict, *args: str) -> str:
    # Seeding is refused in production: these set-up steps run with the development settings.
    setup_env = dict(env, RESEAU_ENV="development")
    result = subprocess.run([str(BIN / "flask"), *args], env=setup_env, cwd=ROOT, check=True,
                            capture_output=True, text=True)
    return result.stdout


def prepare_database(database: str, env: dict, *, reuse: bool = False) -> dict:
    if reuse:
        print("  reusing the national-scale data of the previous run (--reuse-data)")
    elif database == "postgresql":
        parsed = urllib.parse.urlparse(PG_URL)
        name = parsed.path.lstrip("/")
        for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", "-h", parsed.hostname, "-U", parsed.username or "postgres", "-qc", statement],
                           check=True)
    else:
        shutil.rmtree(env["RESEAU_INSTANCE_PATH"], ignore_errors=True)
    flask(env, "db", "upgrade")
    if not reuse:
        started = time.monotonic()
        print(flask(env, "seed-demo", "--scale", "national").strip().splitlines()[-2])
        print(f"  national seed: {time.monotonic() - started:.1f} s")
    output = subprocess.run([str(BIN / "python"), "bench/prepare.py"], env=dict(env, RESEAU_ENV="development"),
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


class Gunicorn:
    def __init__(self, target: str, env: dict, workers: int = 4):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             target], env=env, cwd=ROOT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(["ps", "-o", "rss=", "--ppid", str(self.process.pid)], capture_output=True,
                                  text=True).stdout.split()
        return [int(kb) / 1024 for kb in children]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


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
               str(ROOT / "bench" / "latency.lua"), url]
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
    env = app_environment(database, cache=not args.no_cache)
    print(f"\n== {database}: preparing national-scale data")
    info = prepare_database(database, env, reuse=args.reuse_data)
    rows = []
    ceiling_server = Gunicorn("bench.bare_app:app", env)
    try:
        ceiling = wrk(ceiling_server.base + "/", cookie=None, duration=args.duration, connections=args.connections)
    finally:
        ceiling_server.stop()
    rows.append({"page": "bare Flask route (ceiling)", **ceiling})
    server = Gunicorn("network:create_app()", env)
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


def time_indicators_command(database: str, slug: str = "dep-62") -> str:
    """Wall time of `flask indicators --network SLUG --from-year Y-9` (ten years in one pass), process start
    included: median of 5 runs."""
    env = dict(app_environment(database), RESEAU_ENV="development")
    year = time.gmtime().tm_year
    timings = []
    for _ in range(5):
        started = time.monotonic()
        subprocess.run([str(BIN / "flask"), "indicators", "--network", slug, "--from-year", str(year - 9),
                        "--year", str(year)], env=env, cwd=ROOT, check=True, capture_output=True)
        timings.append((time.monotonic() - started) * 1000)
    return (f"`flask indicators --network {slug} --from-year {year - 9}` (CLI, ten years, process start included): "
            f"median {sorted(timings)[2]:.0f} ms")


def print_rows(database: str, rows: list[dict]) -> None:
    print(f"\n{database}: {'page':44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}  verdict")
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
    parser.add_argument("--pages", help="only the pages whose name contains one of these words (comma-separated), "
                                        "e.g. meeting,feed; the indicators and emails are then skipped too")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for database in databases:
        print_rows(database + (" (RESULT_CACHE=0)" if args.no_cache else ""), bench_database(database, args))
        if args.pages:
            continue
        extra = subprocess.run([str(BIN / "python"), "bench/in_process.py"], env=app_environment(database),
                               cwd=ROOT, capture_output=True, text=True)
        print(extra.stdout.rstrip())
        if extra.returncode:
            print(extra.stderr.rstrip())
        print("  " + time_indicators_command(database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
