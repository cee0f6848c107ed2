"""Scrutineers confirm on their own devices (issue 18 item 1): two deputies, each on a tablet
of their own (two browser contexts), make a signing key in that browser — one with WebCrypto's
Ed25519, the other with the vendored @noble/ed25519 — and register it; after the count each
signs the record's bytes; the organiser's desk says publication waits, then publishes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_tablet_and_hall import _prepare
from tests.factories import PIN
from votesys.congress.models import CongressSession, Deputy
from votesys.extensions import db
from votesys.voting import casting, counting, scrutiny, scrutiny_rules
from votesys.voting import services as voting
from votesys.voting.models import Vote
from votesys.voting.record import record_of
from votesys.voting.scrutiny_models import Confirmation

SHOTS = Path("/tmp/shots/R")


def _tablet(browser, base: str, code: str, viewport: dict, engine: str = ""):
    """A deputy's own tablet, signed in with the PIN, on the scrutineer's page."""
    page = browser.new_context(viewport=viewport, has_touch=True).new_page()
    page.goto(f"{base}/tablet/login?lang=en")
    page.fill("#code", code)
    page.fill("#pin", PIN)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(f"{base}/tablet/scrutiny{engine}")
    return page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_two_scrutineers_confirm_on_their_devices_then_the_organiser_publishes(live_app, browser):
    ids = _prepare(live_app)
    vid = ids["votes"]["main"]
    base = live_app.config["LIVE_URL"]
    with live_app.app_context():
        sess = db.session.get(CongressSession, ids["session"])
        scrutiny.appoint(sess, ["D0001", "D0002", "D0003"], 2)
        db.session.commit()

    # each scrutineer makes a key on their own device: WebCrypto, and the vendored fallback
    first = _tablet(browser, base, "D0001", {"width": 1280, "height": 800})
    second = _tablet(browser, base, "D0002", {"width": 800, "height": 1280}, "#noble")
    fingerprints = {}
    for code, page in (("D0001", first), ("D0002", second)):
        expect(page.locator("#scr-make")).to_be_visible()
        page.click("#scr-make")
        expect(page.locator("#scr-state")).to_contain_text("registered key", timeout=10000)
        expect(page.locator("#scr-make")).to_be_hidden()
        shown = page.locator("#scr-device").inner_text().replace(" ", "")
        assert shown == page.locator("#scr-registered").inner_text().replace(" ", "")
        fingerprints[code] = shown
    assert fingerprints["D0001"] != fingerprints["D0002"]
    with live_app.app_context():
        kinds = {
            code: page.evaluate(
                """code => new Promise(done => {
                  const open = indexedDB.open("votesys-scrutineer", 1);
                  open.onsuccess = () => {
                    const get = open.result.transaction("keys").objectStore("keys").get(code);
                    get.onsuccess = () => done([get.result.kind,
                      get.result.privateKey ? get.result.privateKey.extractable : null]);
                  };
                })""",
                code,
            )
            for code, page in (("D0001", first), ("D0002", second))
        }
    # the secret half stays on the device: a non-extractable CryptoKey where WebCrypto can
    assert kinds == {"D0001": ["webcrypto", False], "D0002": ["noble", None]}
    _shot(first, "scrutineer-key-registered-1280x800.png")

    # the vote: every deputy casts, the organiser closes
    with live_app.app_context():
        vote = voting.open_vote(db.session.get(Vote, vid))
        c1 = voting.candidate_ids(vote)[0]
        for code in ids["deputies"]:
            deputy = db.session.scalar(db.select(Deputy).where(Deputy.code == code))
            casting.cast_ballot(vote, deputy, {str(c1): "for"})
        counting.close_vote(vote)
        db.session.commit()

    desk = sign_in(browser, base, "organiser", "organiser-pass")
    desk.goto(f"{base}/desk/votes/{vid}?lang=en")
    expect(desk.locator("#publish-waits")).to_be_visible()
    expect(desk.locator("form[action$='/publish'] button")).to_be_disabled()
    expect(desk.locator("#scrutiny-status [data-confirmed]")).to_have_text("0")
    _shot(desk, "desk-vote-awaiting-confirmation-1366x768.png")

    for page, name in ((first, "1280x800"), (second, "800x1280")):
        page.reload()
        button = page.locator(f"#scrutiny-vote-{vid} .scr-confirm")
        expect(button).to_be_enabled(timeout=10000)
        # what confirming means: the tally in words, the record's digest, a table that fits
        article = page.locator(f"#scrutiny-vote-{vid}")
        expect(article.locator(".scr-explain")).to_contain_text("cannot be withdrawn")
        expect(article.locator(".scr-words li").first).to_contain_text("6 for, 0 against")
        with live_app.app_context():
            digest = hashlib.sha256(record_of(vid).body).hexdigest()
        expect(article.locator(".scr-digest")).to_contain_text(scrutiny_rules.grouped(digest))
        right = article.locator("table.result").evaluate("t => t.getBoundingClientRect().right")
        assert right <= article.evaluate("a => a.getBoundingClientRect().right"), name
        _shot(page, f"scrutineer-before-confirming-{name}.png")
        button.click()
        expect(page.locator(f"#scrutiny-vote-{vid} .scr-done")).to_be_visible(timeout=10000)
        _shot(page, f"scrutineer-confirmed-{name}.png")

    with live_app.app_context():
        body = record_of(vid).body
        rows = db.session.scalars(db.select(Confirmation).order_by(Confirmation.deputy_id)).all()
        assert len(rows) == 2
        assert all(scrutiny_rules.verifies(r.public_key, r.signature, body) for r in rows)

    desk.reload()
    expect(desk.locator("#scrutiny-status [data-confirmed]")).to_have_text("2")
    expect(desk.locator("#publish-waits")).to_have_count(0)
    desk.once("dialog", lambda d: d.accept())
    desk.locator("form[action$='/publish'] button").click()
    desk.wait_for_load_state()
    with live_app.app_context():
        assert db.session.get(Vote, vid).state == "published"
    hall = browser.new_page(viewport={"width": 1280, "height": 720})
    hall.goto(f"{base}/hall/{ids['session']}?lang=en")
    expect(hall.locator("#h-scrutiny")).to_contain_text("2 of 3")
    _shot(hall, "hall-confirmed-1280x720.png")
    report = sign_in(browser, base, "organiser", "organiser-pass")
    report.goto(f"{base}/desk/votes/{vid}/report?lang=en")
    expect(report.locator("#report-scrutineers tbody tr")).to_have_count(3)
    expect(report.locator("#report-scrutineers")).to_contain_text(
        scrutiny_rules.grouped(fingerprints["D0001"])
    )
    _shot(report, "tally-report-1366x768.png")


def test_a_lost_device_registers_a_new_key_that_counts_once_approved(live_app, browser):
    ids = _prepare(live_app)
    base = live_app.config["LIVE_URL"]
    with live_app.app_context():
        sess = db.session.get(CongressSession, ids["session"])
        scrutiny.appoint(sess, ["D0001", "D0002"], 1)
        db.session.commit()
    old = _tablet(browser, base, "D0001", {"width": 1280, "height": 800})
    old.click("#scr-make")
    expect(old.locator("#scr-state")).to_contain_text("registered key", timeout=10000)
    old_fp = old.locator("#scr-device").inner_text()
    # the device is lost: a new one makes its own key, which waits for the organiser
    new = _tablet(browser, base, "D0001", {"width": 800, "height": 1280})
    # a new device (or a cleared browser): told its key will need the organiser's approval
    expect(new.locator("#scr-state")).to_contain_text("must approve", timeout=10000)
    _shot(new, "scrutineer-new-device-no-key-800x1280.png")
    new.click("#scr-make")
    expect(new.locator("#scr-state")).to_contain_text("approval", timeout=10000)
    new_fp = new.locator("#scr-device").inner_text()
    assert new_fp != old_fp
    assert new.locator("#scr-registered").inner_text() == old_fp
    _shot(new, "scrutineer-new-key-pending-1280x800.png")
    desk = sign_in(browser, base, "organiser", "organiser-pass")
    desk.goto(f"{base}/desk/sessions/{ids['session']}?lang=en")
    expect(desk.locator(".pending-key")).to_contain_text(new_fp)
    _shot(desk, "desk-session-pending-key-1366x768.png")
    desk.get_by_role("button", name="Approve the new key").click()
    desk.wait_for_load_state()
    expect(desk.locator(".pending-key")).to_have_count(0)
    new.reload()
    expect(new.locator("#scr-state")).to_contain_text("registered key", timeout=10000)
    old.reload()
    expect(old.locator("#scr-state")).to_contain_text("not the one registered", timeout=10000)


def test_the_printed_report_and_announcement_fit_a4(demo_app, browser):
    """Printed on A4 (180 mm between the margins: 680 CSS px), the result table of the
    计票结果报告单 and of the announcement is no wider than the page: its last column is not
    cut off. Measured in print media at that width; the PDFs are saved to look at."""
    base = demo_app.config["LIVE_URL"]
    with demo_app.app_context():
        votes = db.session.scalars(db.select(Vote).where(Vote.state == "published")).all()
        ids = [(v.id, v.mode) for v in votes]
    assert {mode for _, mode in ids} == {"electronic", "paper"}  # the paper one is the widest
    page = sign_in(browser, base, "organiser", viewport={"width": 680, "height": 960})
    SHOTS.mkdir(parents=True, exist_ok=True)
    for vid, mode in ids:
        for name, url in (
            ("report", f"/desk/votes/{vid}/report"),
            ("announcement", f"/votes/{vid}/announcement"),
        ):
            for lang in ("zh", "en"):
                page.goto(f"{base}{url}?lang={lang}")
                page.emulate_media(media="print")
                wide = page.evaluate(
                    """() => Array.from(document.querySelectorAll('main table, main dl'))
                        .filter(t => t.getBoundingClientRect().right
                                     > document.documentElement.clientWidth + 1)
                        .map(t => t.className)"""
                )
                assert wide == [], (name, mode, lang, wide)
                if lang == "zh":
                    page.pdf(
                        path=str(SHOTS / f"{name}-{mode}-a4.pdf"),
                        format="A4",
                        print_background=True,
                    )
                page.emulate_media(media="screen")
