"""The tablet home on the demo, at a tablet's sizes: 王斌 (LM024), a scrutineer of 龙门镇's
current session, is led to his page by a large link saying a count awaits him; a deputy of
an open vote without a time limit sees no clock at all."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import sign_in

SHOTS = Path("/tmp/shots/G")
SIZES = ({"width": 1280, "height": 800}, {"width": 800, "height": 1280})
OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def _tablet(browser, base: str, code: str, size: dict):
    page = browser.new_context(viewport=size, has_touch=True).new_page()
    page.goto(f"{base}/tablet/login")
    page.fill("#code", code)
    page.fill("#pin", "123456")
    page.click("button.primary")
    page.wait_for_load_state()
    return page


def test_a_scrutineers_home_leads_to_his_page_and_no_limit_shows_no_clock(browser, demo):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        page = _tablet(browser, demo, "LM024", size)
        link = page.locator("#scrutiny-link")
        expect(link).to_be_visible()
        expect(page.locator("#to-confirm")).to_be_visible()
        box = link.bounding_box()
        assert box["height"] >= 56 and box["width"] >= 200  # large, for a deputy of seventy
        assert not page.evaluate(OVERFLOW)
        page.screenshot(path=SHOTS / f"tablet-home-scrutineer-{size['width']}x{size['height']}.png")
        link.click()
        page.wait_for_url("**/tablet/scrutiny")
        expect(page.locator("#scrutiny-vote-6")).to_be_visible()
        page.context.close()

    desk = sign_in(browser, demo, "organiser")
    desk.goto(f"{demo}/desk/votes/2")
    desk.click("form[action$='/open'] button")  # no time limit
    desk.wait_for_load_state()
    expect(desk.locator("#desk-countdown")).to_have_count(0)
    for size in SIZES:
        page = _tablet(browser, demo, "LK001", size)
        clock = page.locator("#tablet-countdown")
        expect(clock).to_be_hidden()
        page.wait_for_timeout(600)  # countdown.js and the stream have run
        assert clock.locator("[data-clock]").inner_text() == ""
        assert "0:00" not in page.locator("body").text_content()
        page.context.close()
    hall = browser.new_page(viewport={"width": 1600, "height": 900})
    hall.goto(f"{demo}/hall/2")
    hall.wait_for_timeout(1500)
    expect(hall.locator("#h-countdown")).to_be_hidden()
    assert "0:00" not in hall.locator("body").text_content()
