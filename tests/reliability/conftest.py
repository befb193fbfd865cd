"""A real multi-process server for reliability tests: gunicorn with 4 workers on a SQLite file,
driven over HTTP, killable with SIGKILL."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEED = """
from network import create_app
from network.extensions import db
from network.members.models import Member, Network
from network.members.passwords import hash_password
app = create_app()
with app.app_context():
    network = Network(slug="fiabilite", name="Réseau fiabilité", department_code="62", mailbox_email="r@example.test")
    db.session.add(network)
    db.session.flush()
    db.session.add(Member(network_id=network.id, email="animatrice@example.test", first_name="Claire",
                          last_name="Dubois", role="facilitator", password_hash=hash_password({password!r})))
    db.session.commit()
"""


class HttpSession:
    """A browser-like HTTP session: cookies, CSRF token from the pages, no redirect following."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), self._NoRedirect())
        self.csrf = None

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self.opener.open(self.base + path, data=body, timeout=60)
            return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def login(self, email: str, password: str = TEST_PASSWORD) -> None:
        status, _, page = self.request("/connexion")
        self.csrf = CSRF.search(page).group(1)
        status, location, _ = self.request("/connexion", {"csrf_token": self.csrf, "email": email, "password": password})
        assert (status, location) == (302, "/"), status

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        return self.request(path, {"csrf_token": self.csrf, **data})


class ServedApp:
    def __init__(self, instance: Path):
        self.instance = instance
        self.database = instance / "reseau.db"
        self.env = dict(os.environ, RESEAU_ENV="production", SECRET_KEY="r" * 48, SESSION_COOKIE_SECURE="0",
                        OUTBOX_SEND_AFTER_COMMIT="0", RESEAU_INSTANCE_PATH=str(instance), FLASK_APP="network",
                        # production asks facilitators for a second factor; these tests are about writes
                        TWO_FACTOR_REQUIRED_FOR_ROLES="")
        for name in ("DATABASE_URL", "MAIL_SERVER", "TEST_DATABASE_URL"):
            self.env.pop(name, None)
        self.process = None
        self.base = None

    def setup(self) -> None:
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], env=self.env, cwd=ROOT, check=True,
                       capture_output=True)
        subprocess.run([sys.executable, "-c", SEED.format(password=TEST_PASSWORD)], env=self.env, cwd=ROOT,
                       check=True, capture_output=True)

    def start(self, workers: int = 4) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60",
             "--log-level", "error", "network:create_app()"],
            env=self.env, cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/connexion", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def served_app(tmp_path):
    served = ServedApp(tmp_path / "instance")
    served.instance.mkdir()
    served.setup()
    served.start()
    yield served
    served.stop()
