"""Collection campaigns (征集) in a browser: a citizen's phone finds the open call with its
days left and negative list, and follows an opinion's path by tracking code; the organiser's
desk screens the call's opinions and records feasibility."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.browser.conftest import sign_in
from votesys.extensions import db
from votesys.stations.models import Opinion

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = Path("/tmp/shots/C")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _code(app, title: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Opinion.tracking_code).where(Opinion.title == title))


def test_a_citizen_finds_the_open_call_and_follows_an_opinion(browser, demo_app, demo):
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{demo}/campaigns")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    call = page.locator(".campaign").first
    assert "10" in call.locator(".days-left").inner_text()  # 2026-11-30, seen on 2026-11-20
    assert "楼堂馆所建设" in call.inner_text() and "不属于民生实事范围" in call.inner_text()
    _shot(page, "phone-campaigns")
    call.locator("a.button.primary").click()
    assert "/opinions/new" in page.url

    page.goto(f"{demo}/track/{_code(demo_app, '建议新建渌口镇政府综合办公楼')}")
    story = page.locator("#campaign-story")
    assert "楼堂馆所建设" in story.inner_text() and "不属于民生实事范围" in story.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "phone-track-set-aside")

    page.goto(f"{demo}/track/{_code(demo_app, '农村自来水水压不足，夏天经常停水')}")
    assert page.locator("#campaign-approved").count() == 1
    _shot(page, "phone-track-approved")
    page.click("#campaign-story a")
    assert page.inner_text("#f-approved").strip() == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "phone-adoption-2026")


def test_the_desk_screens_and_records_feasibility(browser, demo_app, demo):
    page = sign_in(browser, demo, "organiser")
    page.goto(f"{demo}/desk/campaigns")
    _shot(page, "desk-campaigns")
    page.click("#campaigns a >> nth=0")  # the newest: 2027, open
    row = page.locator("tr", has_text="村级老年食堂建设")
    pending = int(page.inner_text("#f-pending"))
    row.locator(".screen-form input[value=accepted]").check()
    row.locator(".screen-form button").click()
    row = page.locator("tr", has_text="村级老年食堂建设")
    assert int(page.inner_text("#f-pending")) == pending - 1
    form = row.locator(".feasibility-form")
    form.locator("[name=unit]").fill("区民政局")
    form.locator("[name=cost_wan]").fill("380")
    form.locator("[name=verdict]").select_option("not_feasible")
    form.locator("button").click()  # no reason: refused, said on the page
    assert page.locator(".flash, [role=alert], .error").count() >= 1
    row = page.locator("tr", has_text="村级老年食堂建设")
    assert row.locator(".verdict").count() == 0
    form = row.locator(".feasibility-form")
    form.locator("[name=unit]").fill("区民政局")
    form.locator("[name=cost_wan]").fill("380")
    form.locator("[name=verdict]").select_option("conditional")
    form.locator("[name=reason]").fill("先在10个中心村试点，由村集体提供场地")
    form.locator("button").click()
    row = page.locator("tr", has_text="村级老年食堂建设")
    assert row.locator(".verdict").count() == 1
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "desk-campaign-feasibility.png"))

    row = page.locator("tr", has_text="南洲村渡口候船亭漏雨")
    row.locator(".screen-form input[value=set_aside]").check()
    row.locator(".screen-form [name=reason]").fill("属于日常维修事项，已转南洲镇人民政府办理")
    row.locator(".screen-form button").click()
    row = page.locator("tr", has_text="南洲村渡口候船亭漏雨")
    assert "属于日常维修事项" in row.inner_text()
    _shot(page, "desk-campaign")
