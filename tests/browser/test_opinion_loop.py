"""A citizen on a phone gives an opinion, staff move it through the seven steps on the desk,
and the citizen sees each step on the tracking page."""

from __future__ import annotations

import pytest

from tests.factories import build_scenario
from votesys import scenario
from votesys.auth.services import create_user
from votesys.extensions import db

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def station_site(live_app):
    with live_app.app_context():
        data = build_scenario(deputies=3)
        data["stations"] = [
            {
                "key": "north",
                "name": "北街代表联络站",
                "kind": "station",
                "deputies": ["D0001", "D0002"],
                "reception_days": [10, 20, 30],
            }
        ]
        ids = scenario.load(data)
        create_user("staff", "staff-pass", "station_staff", station_id=ids["stations"]["north"])
        db.session.commit()
    return live_app.config["LIVE_URL"]


def test_citizen_submits_staff_handle_citizen_follows(browser, station_site, tmp_path):
    citizen = browser.new_context(**PHONE)
    page = citizen.new_page()
    page.goto(f"{station_site}/opinions/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.select_option("#station", label="测试区430212 · 北街代表联络站")
    page.select_option("#category", "roads")
    page.fill("#title", "北街路灯坏了")
    page.fill("#content", "北街12号到20号的路灯坏了三个月，晚上老人出门不安全。")
    page.fill("#citizen_phone", "139 1234 5678")
    page.click("button.primary")
    code = page.inner_text("#tracking-code").strip()
    assert len(code) == 15
    page.screenshot(path=str(tmp_path / "receipt.png"))
    track_url = page.url.split("?")[0]
    assert "received" not in page.inner_text("#status")  # a label, not a key

    staff = browser.new_context(viewport={"width": 1366, "height": 768})
    desk = staff.new_page()
    desk.goto(f"{station_site}/login")
    desk.fill("#login", "staff")
    desk.fill("#password", "staff-pass")
    desk.click("button.primary")
    desk.goto(f"{station_site}/desk/opinions")
    desk.click("text=北街路灯坏了")
    assert "13912345678" in desk.inner_text("#citizen")
    opinion_url = desk.url

    seen = []

    def citizen_sees() -> None:
        page.goto(track_url)
        seen.append(page.locator("#steps li:not(.todo)").count())

    def move(to: str, **fields: str) -> None:
        desk.goto(opinion_url)
        desk.select_option("#to", to)
        for name, value in fields.items():
            if name == "route":
                desk.select_option("#route", value)
            else:
                desk.fill(f"#{name}", value)
        desk.click("form[action$='/move'] button.primary")
        assert desk.locator(".flash.ok").count() == 1, desk.inner_text("main")

    citizen_sees()
    move("registered")
    citizen_sees()
    move("handling", route="township_ordinary", unit="城关镇人民政府办公室")
    citizen_sees()
    move("supervised", note="已电话督办")
    citizen_sees()
    move("replied", note="路灯已于11月18日全部修复。")
    citizen_sees()
    assert "路灯已于11月18日全部修复" in page.inner_text("#reply")
    page.select_option("#feedback", "satisfied")
    page.click("form[action$='/feedback'] button.primary")
    assert page.locator(".flash.ok").count() == 1
    seen.append(page.locator("#steps li:not(.todo)").count())
    move("archived", note="办结归档")
    citizen_sees()
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    page.screenshot(path=str(tmp_path / "tracked.png"), full_page=True)
    assert "13912345678" not in page.content()
    citizen.close()
    staff.close()
