"""Browser tests: the app served on a free port by a real WSGI server in a thread,
driven by Playwright on Debian's Chromium (never a downloaded browser)."""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.conftest import free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of the app served by werkzeug in a background thread (same database as the tests)."""
    port = free_port()
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)
    app.config["PUBLIC_BASE_URL"] = "http://localhost"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, request, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    pages = getattr(request.node, "_pages", [])
    pages.append(page)
    request.node._pages = pages
    return context, page


@pytest.fixture
def new_page(browser, request):
    """new_page(viewport=PHONE) opens a page in a fresh browser context (its own cookies); other keywords are the
    context's options (java_script_enabled=False)."""
    contexts = []

    def _open(viewport=DESKTOP, **options):
        context, page = _new_page(browser, request, viewport, **options)
        contexts.append(context)
        return page

    yield _open
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, page in enumerate(getattr(request.node, "_pages", [])):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
