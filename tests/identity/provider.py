"""A ProConnect-like OpenID provider for the tests: node's oidc-provider (tests/identity/oidc_provider.mjs) in a
child process on a free 127.0.0.1 port, and a person signing in at it (requests, or Playwright in tests/e2e)."""

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "reseau-test"
CLIENT_SECRET = "un-secret-de-client-assez-long-pour-le-fournisseur"
PROVIDER_PASSWORD = "mot de passe chez le fournisseur"
ACR_VALUES = ["eidas0", "eidas1", "eidas2"]

# The provider's accounts. Emails match the members created by tests/conftest.py's fixtures where they should.
USERS = {
    "sub-claire": {"email": "animatrice@example.test", "email_verified": True, "given_name": "Claire",
                   "usual_name": "Martin", "acr": "eidas1", "amr": ["pwd"]},
    "sub-claire-mfa": {"email": "admin@example.test", "email_verified": True, "given_name": "Aline",
                       "usual_name": "Admin", "acr": "eidas2", "amr": ["pwd", "totp"]},
    "sub-ines": {"email": "ines.durand@example.test", "email_verified": True, "given_name": "Inès",
                 "usual_name": "Durand", "phone_number": "03 21 00 00 00", "acr": "eidas1", "amr": ["pwd"]},
    "sub-unverified": {"email": "coordinatrice@example.test", "email_verified": False, "given_name": "Coralie",
                       "usual_name": "Non Vérifiée", "acr": "eidas1", "amr": ["pwd"]},
    "sub-weak": {"email": "faible@example.test", "email_verified": True, "given_name": "Fanny", "usual_name": "Faible",
                 "acr": "eidas0", "amr": ["pwd"]},
}
for _user in USERS.values():
    _user["password"] = PROVIDER_PASSWORD


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen
    app_base_url: str

    def app_config(self, **overrides) -> dict:
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                "OIDC_SCOPES": "openid email given_name usual_name phone", "OIDC_ACR_VALUES": "eidas1",
                "OIDC_MFA_ACR_VALUES": "eidas2", **overrides}

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_provider(app_base_url: str) -> Provider:
    port = free_port()
    config = {
        "port": port,
        "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                   "redirect_uris": [f"{app_base_url}/connexion/proconnect/retour"],
                   "post_logout_redirect_uris": [f"{app_base_url}/connexion/proconnect/deconnecte"]},
        "acr_values": ACR_VALUES,
        "users": USERS,
    }
    process = subprocess.Popen(["node", str(SCRIPT)], cwd=ROOT,
                               env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                return Provider(issuer, process, app_base_url)
        except requests.ConnectionError:
            time.sleep(0.1)
        if process.poll() is not None:
            break
    process.kill()
    process.stdin.close()
    process.wait()
    raise RuntimeError("the test OpenID provider did not start (is `make node` done?)")


class ProviderBrowser:
    """A person at the provider, without a browser: follows its redirects until it sends them back to the app."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.session = requests.Session()

    def _follow(self, response) -> str:
        while response.status_code in (302, 303):
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(self.provider.app_base_url + "/"):
                return location
            response = self.session.get(location, allow_redirects=False, timeout=10)
        raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")

    def sign_in(self, authorize_url: str, email: str, password: str = PROVIDER_PASSWORD) -> str:
        """The URL of the app's callback the provider sends the person back to."""
        response = self.session.get(authorize_url, allow_redirects=False, timeout=10)
        login_url = urljoin(authorize_url, response.headers["Location"])
        assert "/interaction/" in login_url, login_url
        response = self.session.post(login_url, data={"email": email, "password": password}, allow_redirects=False,
                                     timeout=10)
        return self._follow(response)

    def follow(self, url: str) -> str:
        """Where the provider sends the person back to (e.g. after the end-session endpoint)."""
        response = self.session.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "op.logoutForm" in response.text:  # the auto-submitted logout form
            xsrf = response.text.split('name="xsrf" value="')[1].split('"')[0]
            action = response.text.split('action="')[1].split('"')[0]
            response = self.session.post(urljoin(url, action), data={"xsrf": xsrf, "logout": "yes"},
                                         allow_redirects=False, timeout=10)
        return self._follow(response)
