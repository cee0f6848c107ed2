"""A large roster imported at the desk in a real Chromium: the job's page shows its progress
bar moving (desk.js polling the job, no inline script), then the count; a refused file shows
every bad row."""

from __future__ import annotations

import os
import time

from tests.factories import build_scenario
from votesys import scenario
from votesys.auth.services import create_user
from votesys.congress import services as congress
from votesys.extensions import db

SHOTS = os.environ.get("VOTESYS_SCREENSHOT_DIR")


def _roster(n: int, prefix: str = "R") -> bytes:
    rows = "".join(f"{prefix}{i:05d},代表{i},{246800 + i}\n" for i in range(n))
    return ("代表编号,姓名,初始PIN\n" + rows).encode()


def test_a_large_roster_shows_its_progress_then_its_count(live_app, browser, monkeypatch):
    with live_app.app_context():
        ids = scenario.load(build_scenario(deputies=2, candidates=1, seats=1))
        create_user("organiser", "organiser-pass", "organiser")
        db.session.commit()
    live_app.config["IMPORT_BACKGROUND_ROWS"] = 20
    real = congress.hash_secret

    def slow_hash(secret: str) -> str:  # a production PIN hash takes ~25 ms
        time.sleep(0.03)
        return real(secret)

    monkeypatch.setattr(congress, "hash_secret", slow_hash)
    base = live_app.config["LIVE_URL"]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    violations: list[str] = []
    page.on("console", lambda m: "Content Security" in m.text and violations.append(m.text))
    page.goto(f"{base}/login?lang=en")
    page.fill("#login", "organiser")
    page.fill("#password", "organiser-pass")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/desk/congresses/{ids['congress']}")
    page.set_input_files(
        "#roster-file", {"name": "roster.csv", "mimeType": "text/csv", "buffer": _roster(150)}
    )
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/desk/jobs/*")
    bar = page.locator("#job-bar")
    # desk.js moves the bar while the PINs are hashed
    page.wait_for_function(
        "() => { const b = document.getElementById('job-bar');"
        " return b && b.value > 10 && b.value < b.max; }",
        timeout=15000,
    )
    assert "Hashing the PINs" in page.inner_text("#job-text")
    assert bar.get_attribute("max") == "150"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/job-running.png", full_page=True)
    page.wait_for_selector("text=150 deputies imported.", timeout=30000)
    assert page.locator("progress").count() == 0
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/job-done.png", full_page=True)

    # A refused file: the job's page lists every bad row, and nothing was stored.
    page.goto(f"{base}/desk/congresses/{ids['congress']}")
    bad = _roster(30, "S") + "S00003,重复,12\n".encode()
    page.set_input_files(
        "#roster-file", {"name": "roster.csv", "mimeType": "text/csv", "buffer": bad}
    )
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("text=Nothing was imported", timeout=30000)
    rows = page.locator(".flash.error tbody tr")
    assert rows.count() == 2  # row 33: the code is a duplicate, the PIN too short
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/job-refused.png", full_page=True)
    assert violations == []
    page.close()
