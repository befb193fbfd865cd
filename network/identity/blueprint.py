"""The identity blueprint: its routes (views) and `flask identity …` commands (cli) register on it."""

from flask import Blueprint

bp = Blueprint("identity", __name__)


@bp.record_once
def _check_production_settings(state) -> None:
    """In production a configured provider is reached over HTTPS, with the client's credentials."""
    config = state.app.config
    if config.get("ENV_NAME") != "production" or state.app.testing or not config.get("OIDC_ISSUER"):
        return
    if not config["OIDC_ISSUER"].startswith("https://"):
        raise RuntimeError("OIDC_ISSUER must be an https:// address in production.")
    if not (config.get("OIDC_CLIENT_ID") and config.get("OIDC_CLIENT_SECRET")):
        raise RuntimeError("OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set when OIDC_ISSUER is.")
