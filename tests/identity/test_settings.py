"""Start-up checks of the SSO settings in production, and the defaults of each configuration."""

import pytest

from network import create_app
from network.config import DevelopmentConfig, ProductionConfig, TestingConfig
from network.extensions import db

GOOD_KEY = "k" * 48


def production(tmp_path, **overrides):
    database = f"sqlite:///{tmp_path / 'x.db'}"
    return create_app("production", {"SECRET_KEY": GOOD_KEY, "SQLALCHEMY_DATABASE_URI": database, **overrides})


@pytest.mark.parametrize("overrides, message", [
    ({"OIDC_ISSUER": "http://idp.example.test", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"},
     "OIDC_ISSUER must be an https:// address in production."),
    ({"OIDC_ISSUER": "https://idp.example.test", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": None},
     "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set when OIDC_ISSUER is."),
], ids=["plain-http", "no-secret"])
def test_production_refuses_unsafe_provider_settings(tmp_path, monkeypatch, overrides, message):
    monkeypatch.setenv("RESEAU_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError) as refused:
        production(tmp_path, **overrides)
    assert str(refused.value) == message


def test_production_starts_with_https_provider(tmp_path, monkeypatch):
    monkeypatch.setenv("RESEAU_INSTANCE_PATH", str(tmp_path))
    app = production(tmp_path, OIDC_ISSUER="https://idp.example.test", OIDC_CLIENT_ID="a", OIDC_CLIENT_SECRET="b")
    assert app.config["OIDC_ISSUER"] == "https://idp.example.test"
    with app.app_context():
        db.engines[None].dispose()


def test_second_factor_required_by_default_except_in_the_test_configuration():
    assert DevelopmentConfig.TWO_FACTOR_REQUIRED_FOR_ROLES == "admin facilitator"
    assert ProductionConfig.TWO_FACTOR_REQUIRED_FOR_ROLES == "admin facilitator"
    assert TestingConfig.TWO_FACTOR_REQUIRED_FOR_ROLES == ""
