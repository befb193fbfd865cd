import pytest

from tests.identity.provider import start_provider


@pytest.fixture(scope="session")
def oidc_provider():
    """The ProConnect-like provider, for the app as the Flask test client sees it (http://localhost)."""
    provider = start_provider("http://localhost")
    yield provider
    provider.stop()


@pytest.fixture
def sso(app, oidc_provider, monkeypatch):
    """Single sign-on turned on for one test, against the test provider."""
    for key, value in oidc_provider.app_config().items():
        monkeypatch.setitem(app.config, key, value)
    # The redirect URIs registered at the provider; the browser tests' live server, if it ran, changed it.
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", oidc_provider.app_base_url)
    return oidc_provider


@pytest.fixture
def second_factor_required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_FOR_ROLES", "admin facilitator")
