"""Issue 19, items 4 and 7 in a browser: a citizen on a phone (390×844) agrees to text
messages, the station moves the opinion and the desk (1366×768) shows the messages — one
failed with the gateway's error, one sent; the citizen downloads what is held about them
and erases their name and phone after a confirm step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.checks import layout_problems
from tests.browser.conftest import DESK, sign_in
from tests.factories import build_scenario
from votesys import scenario
from votesys.auth.services import create_user
from votesys.extensions import db
from votesys.stations import gateways, worker
from votesys.stations.message_models import MessageState, OutboxMessage

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = Path("/tmp/shots/N")


class Down:
    def send(self, message) -> None:
        raise gateways.GatewayError("HTTP 503")


@pytest.fixture
def site(live_app):
    live_app.config["OPINION_RATE_LIMIT"] = "1000 per hour"
    with live_app.app_context():
        data = build_scenario(deputies=3)
        data["stations"] = [
            {"key": "north", "name": "北街代表联络站", "kind": "station", "deputies": ["D0001"]}
        ]
        ids = scenario.load(data)
        create_user("staff", "staff-pass", "station_staff", station_id=ids["stations"]["north"])
        db.session.commit()
    return live_app


def _send(app, gateway, **config) -> worker.Outcome:
    app.config.update(config)
    with app.app_context():
        outcome = worker.run_once(gateway)
        db.session.remove()
    return outcome


def test_messages_and_the_citizens_own_data_end_to_end(browser, site, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = site.config["LIVE_URL"]
    citizen = browser.new_context(**PHONE, accept_downloads=True)
    page = citizen.new_page()
    page.goto(f"{base}/opinions/new")
    page.select_option("#station", index=1)
    page.select_option("#category", "roads")
    page.fill("#title", "北街路灯坏了")
    page.fill("#content", "北街12号到20号的路灯坏了三个月，晚上老人出门不安全。")
    page.fill("#citizen_name", "李秀英")
    page.fill("#citizen_phone", "139 1234 5678")
    assert not page.is_checked("#notify_consent")  # off unless ticked
    page.check("#notify_consent")
    page.locator("#notify_consent").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "phone-opinion-consent.png"))
    assert layout_problems(page) == []
    page.click("button.primary")
    track_url = page.url.split("?")[0]
    assert page.locator("#my-data").count() == 1

    desk = sign_in(browser, base, "staff", "staff-pass", **DESK)
    desk.goto(f"{base}/desk/opinions")
    desk.click("text=北街路灯坏了")
    opinion_url = desk.url

    def move(to: str, **fields: str) -> None:
        desk.goto(opinion_url)
        desk.select_option("#to", to)
        for name, value in fields.items():
            (desk.select_option if name == "route" else desk.fill)(f"#{name}", value)
        desk.click("form[action$='/move'] button.primary")
        assert desk.locator(".flash.ok").count() == 1, desk.inner_text("main")

    move("registered")
    # The gateway is down: after the last attempt the desk shows why.
    assert _send(site, Down(), SMS_MAX_ATTEMPTS=1).failed == 1
    move("handling", route="township_ordinary", unit="城关镇人民政府办公室")
    assert _send(site, gateways.LogGateway()).sent == 1

    desk.goto(f"{base}/desk/opinions")
    desk.click("#messages-link")
    waiting = desk.inner_text("#waiting-messages")
    assert "HTTP 503" in waiting and "北街路灯坏了" in waiting
    assert "北街路灯坏了" in desk.inner_text("#sent-messages")
    assert "13912345678" not in desk.content()
    desk.screenshot(path=str(SHOTS / "desk-messages.png"), full_page=True)
    assert layout_problems(desk) == []
    desk.click("#waiting-messages button")  # send the failed one again
    assert desk.locator(".flash.ok").count() == 1
    assert _send(site, gateways.LogGateway()).sent == 1

    # The citizen downloads what is held about them.
    page.goto(track_url)
    page.locator("#my-data").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "phone-track-my-data.png"))
    assert layout_problems(page) == []
    with page.expect_download() as download:
        page.click("#download-data")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["contact"] == {"name": "李秀英", "phone": "13912345678"}
    assert data["notify_consent"] is True
    assert [m["state"] for m in data["messages"]] == ["sent", "sent"]

    # …and erases their name and phone, after a confirm step.
    page.click("#erase-contact")
    page.screenshot(path=str(SHOTS / "phone-erase-confirm.png"))
    assert layout_problems(page) == []
    page.click("#erase-now")  # not ticked: nothing erased
    assert page.locator(".flash.error").count() == 1
    page.check("#confirm")
    page.click("#erase-now")
    assert page.locator(".flash.ok").count() == 1
    assert page.locator("#contact-erased").count() == 1
    assert page.locator("#erase-contact").count() == 0
    page.locator("#my-data").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "phone-erased.png"))
    answer = page.request.get(f"{base}/api/v1/opinions/track/{track_url.rsplit('/', 1)[1]}/data")
    assert answer.json()["contact"] is None

    # Later steps send nothing; the desk no longer sees the phone.
    move("supervised")
    with site.app_context():
        states = [m.state for m in db.session.scalars(db.select(OutboxMessage))]
    assert MessageState.PENDING not in states
    desk.goto(opinion_url)
    assert "13912345678" not in desk.content()
    citizen.close()
    desk.context.close()
