"""A live votesys server in a thread, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import FAST_HASH
from votesys import create_app
from votesys.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


DEMO_TODAY = "2026-11-20"  # the demo's day: its dates are written around it
DESK = {"viewport": {"width": 1366, "height": 768}}


@contextmanager
def served(folder: Path, **config) -> Iterator:
    """An app on a SQLite file in ``folder``, its tables made, served by a thread; its
    instance folder (keys, ballot boxes) in ``folder`` too, for as long as it serves."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VOTESYS_INSTANCE_PATH", str(folder / "instance"))
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.db'}",
                **FAST_HASH,
                **config,
            }
        )
        with app.app_context():
            db.create_all()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
        try:
            yield app
        finally:
            server.shutdown()
            thread.join(10)
            with app.app_context():
                db.engine.dispose()


def load_demo(app) -> None:
    from votesys.demo import load_if_empty

    app.config["VOTESYS_TODAY"] = DEMO_TODAY
    with app.app_context():
        load_if_empty()
        db.session.commit()


@pytest.fixture
def live_app(tmp_path):
    with served(tmp_path) as app:
        yield app


@pytest.fixture
def demo_app(live_app):
    """The live server with the demo data, on the demo's day."""
    load_demo(live_app)
    return live_app


@pytest.fixture
def demo(demo_app) -> str:
    """The demo's address."""
    return demo_app.config["LIVE_URL"]


def sign_in(browser, base: str, login: str, password: str = "votesys-demo", **context):
    """A new browser context signed in at the desk (a desktop's size unless told)."""
    page = browser.new_context(**(context or DESK)).new_page()
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button.primary")
    page.wait_for_load_state()
    return page


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("VOTESYS_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
