"""The import direction of STYLE.md, checked on the code: models never pull in views, and the meeting feature
(network/sessions) never imports the evaluation feature that builds on it."""

import ast
import subprocess
import sys

import pytest

from network import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "network"
MODELS_MODULES = sorted(
    ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts) for path in PACKAGE.glob("*/models.py"))


def _imported_modules(path) -> set[str]:
    """Every module an `import` or `from … import` of this file names (imported names too: they may be modules)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_every_feature_models_module_is_listed():
    assert MODELS_MODULES == [
        "network.codev.models", "network.evaluation.models", "network.identity.models", "network.members.models",
        "network.registration.models", "network.resources.models", "network.sessions.models",
        "network.topics.models",
    ]


@pytest.mark.parametrize("module", MODELS_MODULES)
def test_importing_models_imports_no_views(module):
    # a fresh interpreter: in this one, the app fixture has imported every view already
    script = ("import sys, importlib; importlib.import_module(sys.argv[1]); "
              "print(' '.join(sorted(name for name in sys.modules if name.startswith('network.') and 'views' in name)))")
    result = subprocess.run([sys.executable, "-c", script, module], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == ""


def test_sessions_never_imports_evaluation():
    offenders = sorted(
        f"{path.relative_to(PROJECT_ROOT)} → {name}"
        for path in (PACKAGE / "sessions").rglob("*.py")
        for name in _imported_modules(path)
        if name == "network.evaluation" or name.startswith("network.evaluation."))
    assert offenders == []


def _package_cycles() -> list[list[str]]:
    """The groups of network/ packages (or top-level modules) that import each other, directly or not."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        package = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        graph.setdefault(package, set())
        for name in _imported_modules(path):
            parts = name.split(".")
            if parts[0] == "network" and len(parts) > 1 and parts[1] != package and (
                    (PACKAGE / parts[1]).is_dir() or (PACKAGE / f"{parts[1]}.py").exists()):
                graph[package].add(parts[1])

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for target in graph.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    reached = {package: reach(package) for package in graph}
    groups = {frozenset({package} | {other for other in reached[package] if package in reached[other]})
              for package in graph if package in reached[package]}
    return sorted(sorted(group) for group in groups)


def test_the_features_import_each_other_in_one_direction():
    # The one group left: members' views use identity's sign-in flow, which builds on members; auth, formatting,
    # scope and security read members' roles and are used by its views.
    assert _package_cycles() == [["auth", "formatting", "identity", "members", "scope", "security"]]


def test_a_started_app_has_not_loaded_the_pdf_library():
    # fpdf2 and fontTools cost ~33 MB a worker (RSS ≤ 150 MB, issue #19): the first PDF loads them, not the start
    script = ("import sys; from network import create_app; create_app('testing'); "
              "print(' '.join(sorted(name for name in ('fpdf', 'fontTools') if name in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == ""


# Libraries only a rare page, a command or a first use needs (RSS ≤ 140 MB a worker after the hot pages, issue #19):
# openpyxl with lxml and PIL (~13 MB: the spreadsheet exports), Authlib, requests, joserfc and cryptography (~17 MB:
# a sign-in through the identity provider), the demo data's modules (the seed commands), aiosmtpd and imapclient
# (the calendar replies' commands), segno (the second-factor enrolment page), python-magic (an upload).
RARE_LIBRARIES = ("openpyxl", "lxml", "PIL", "authlib", "requests", "joserfc", "cryptography", "network.demo",
                  "network.identity.oidc_client", "aiosmtpd", "imapclient", "segno", "magic")


def test_a_started_app_has_not_loaded_the_libraries_of_rare_pages_and_commands():
    script = ("import sys; from network import create_app; create_app('testing'); "
              f"print(' '.join(sorted(name for name in {RARE_LIBRARIES!r} if name in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == ""


def test_a_started_app_on_sqlite_has_not_loaded_psycopg():
    # the PostgreSQL driver (~9 MB a worker): SQLAlchemy loads it for a PostgreSQL database, the app never for SQLite
    script = ("import sys; from network import create_app; "
              "create_app('testing', {'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
              "print(' '.join(sorted(name for name in ('psycopg', 'network.pg_cursor') if name in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == ""


def test_the_lazily_loaded_names_of_the_identity_provider_are_reached_through_oidc():
    from network.identity import oidc, oidc_client

    assert oidc.CLIENT_NAMES == {name for name in vars(oidc_client)
                                 if name in oidc.CLIENT_NAMES}  # each one exists there
    assert oidc.REFUSALS is oidc_client.REFUSALS and oidc.complete_authorization is oidc_client.complete_authorization
    with pytest.raises(AttributeError):
        oidc.no_such_name
