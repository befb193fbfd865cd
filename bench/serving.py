"""What the benchmark scripts share: the app's environment, the national-scale database, gunicorn, wrk.

The app is served from APP_ROOT (`--app-root`, by default this checkout), so that the same bench scripts measure
another checkout (e.g. a worktree of an older commit) with the same virtualenv; nothing here imports the app."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BENCH_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv running the bench script
RESULTS = BENCH_ROOT / "bench" / "results"
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_reseau")


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


def app_environment(database: str, app_root: Path, *, cache: bool = True, secret_key: str | None = None) -> dict:
    """Production settings over plain HTTP, mail kept in the outbox, the app imported from `app_root`.
    RESULT_CACHE=0 is only set for --no-cache (an app without that setting ignores it)."""
    env = dict(os.environ, RESEAU_ENV="production", SECRET_KEY=secret_key or secrets.token_urlsafe(48),
               SESSION_COOKIE_SECURE="0", OUTBOX_SEND_AFTER_COMMIT="0", FLASK_APP="network",
               PYTHONPATH=str(app_root))
    if not cache:
        env["RESULT_CACHE"] = "0"
    env.pop("MAIL_SERVER", None)
    if database == "sqlite":
        env["RESEAU_INSTANCE_PATH"] = str(RESULTS / "instance-sqlite")
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = PG_URL
    return env


def flask(env: dict, app_root: Path, *args: str) -> str:
    # Seeding is refused in production: these set-up steps run with the development settings.
    result = subprocess.run([str(BIN / "python"), "-m", "flask", *args], env=dict(env, RESEAU_ENV="development"),
                            cwd=app_root, check=True, capture_output=True, text=True)
    return result.stdout


def national_database(database: str, env: dict, app_root: Path, *, reuse: bool) -> None:
    """A fresh database migrated and seeded at national scale, or (reuse) the previous one, migrated."""
    if reuse:
        print("  reusing the national-scale data of the previous run (--reuse-data)")
    elif database == "postgresql":
        parsed = urllib.parse.urlparse(PG_URL)
        name = parsed.path.lstrip("/")
        for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", "-h", parsed.hostname, "-p", str(parsed.port or 5432),
                            "-U", parsed.username or "postgres", "-qc", statement], check=True)
    else:
        shutil.rmtree(env["RESEAU_INSTANCE_PATH"], ignore_errors=True)
    flask(env, app_root, "db", "upgrade")
    if not reuse:
        started = time.monotonic()
        output = flask(env, app_root, "seed-demo", "--scale", "national").splitlines()
        print("\n".join("  " + line for line in output if line.startswith(("National scale", "Seeded in"))))
        print(f"  national seed: {time.monotonic() - started:.1f} s")


def vacuum_analyze() -> None:
    """VACUUM ANALYZE the benchmark's PostgreSQL database, once its data is ready (the seed or the data reused, and
    the script's own rows), before every run: the planner's statistics and the visibility map as autovacuum keeps
    them in a database in service. This machine's server runs with autovacuum off: without it, a fresh seed was
    never vacuumed (index-only scans went to the table for every row), and a --reuse-data run met the dead rows of
    the runs before it. Then a CHECKPOINT: the pages the vacuum dirtied (every page of a fresh seed) are written out
    now, not by the checkpointer during the measured runs."""
    parsed = urllib.parse.urlparse(PG_URL)
    subprocess.run(["psql", "-h", parsed.hostname, "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres",
                    "-d", parsed.path.lstrip("/"), "-q", "-c", "VACUUM ANALYZE", "-c", "CHECKPOINT"], check=True)


class Gunicorn:
    """`gunicorn -w WORKERS TARGET` from `directory`, on a free port, stopped with stop()."""

    def __init__(self, target: str, env: dict, directory: Path, workers: int = 4):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--chdir", str(directory), target], env=env, cwd=directory)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=5)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(["ps", "-o", "rss=", "--ppid", str(self.process.pid)], capture_output=True,
                                  text=True).stdout.split()
        return [int(kb) / 1024 for kb in children]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
