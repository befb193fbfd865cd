"""Réseau: the platform of the Caf–MSA network of territorial cooperation officers."""

import os
from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from network import formatting, navigation, outbox, security
from network.application import Application
from network.auth import enforce_access_policy
from network.cli import register_cli
from network.compiled_cache import CompiledCache
from network.config import CONFIGS, config_from_environment
from network.database import install_idle_ping, install_read_only_commit, install_sqlite_pragmas
from network.deferred_begin import install_deferred_begin
from network.error_pages import register_error_pages
from network.network_versions import install_network_versions
from network.routing import install_input_parsing
from network.session_cookie import SessionInterface
from network.extensions import babel, csrf, db, login_manager, mail, migrate
from network.members.signed_in import load_member_for_login_token
from network.resources import search, sheet_search  # noqa: F401  (sheet_search: the sheets' flush listener)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | str | None = None, overrides: dict | None = None) -> Application:
    """config: a class or a name from config.CONFIGS (default: RESEAU_ENV); overrides: extra settings."""
    app = Application(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=os.environ.get("RESEAU_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
    )
    _configure(app, config, overrides or {})
    _init_extensions(app)
    install_input_parsing(app)  # before the blueprints: their rules compile against its converters
    from network.blueprints import BLUEPRINTS  # here, as Flask's tutorial does: importing a model loads no views
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_error_pages(app)
    register_cli(app)
    return app


def _configure(app: Application, config, overrides: dict) -> None:
    config_class = CONFIGS[config] if isinstance(config, str) else (config or config_from_environment())
    app.config.from_object(config_class)
    app.config["ENV_NAME"] = next((name for name, cls in CONFIGS.items() if cls is config_class), "custom")
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or f"sqlite:///{Path(app.instance_path) / 'reseau.db'}"
    for prefix in ("postgres://", "postgresql://"):  # plain URLs as hosts export them → the psycopg 3 driver
        if uri.startswith(prefix):
            uri = "postgresql+psycopg://" + uri.removeprefix(prefix)
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if hops := app.config["PROXY_FIX_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Application) -> None:
    security.check_production_settings(app)
    engine_options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]  # each app's engine its own cache of compiled statements
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**engine_options, "execution_options": {
        **engine_options.get("execution_options", {}), "compiled_cache": CompiledCache()}}
    db.init_app(app)
    with app.app_context():
        install_sqlite_pragmas(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        install_idle_ping(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
        if db.engine.dialect.name == "postgresql":
            from network.pg_cursor import install_lazy_descriptions, keep_long_statement_conversions  # psycopg

            install_lazy_descriptions(db.engine)
            keep_long_statement_conversions()
    install_read_only_commit(app)
    install_deferred_begin(app)
    install_network_versions()
    # include_name: the full-text search objects (network/resources/search.py) live outside the models.
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), include_name=search.include_name)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=lambda: formatting.LOCALE, timezone_selector=lambda: "Europe/Paris")
    app.session_interface = SessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "members.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_member_for_login_token)
    app.before_request(enforce_access_policy)
    security.install_security_headers(app)
    outbox.install_after_commit_sending(app)
    formatting.install_template_helpers(app)
    navigation.install_navigation(app)
