"""A deputy votes on a 1024×768 tablet in a real Chromium; the hall screen counts it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import PIN, build_scenario, unsealed_marks
from votesys import scenario
from votesys.auth.services import create_user
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.extensions import db
from votesys.voting import counting
from votesys.voting import services as voting
from votesys.voting.models import Ballot, Vote


def _prepare(app, absent: tuple[str, ...] = ()) -> dict:
    with app.app_context():
        ids = scenario.load(build_scenario(deputies=6, candidates=4, seats=2))
        create_user("organiser", "organiser-pass", "organiser")
        sess = db.session.get(CongressSession, ids["session"])
        for code in ids["deputies"]:
            if code not in absent:
                congress.check_in(sess, code)
        db.session.commit()
        return ids


def _waiting_tablet(browser, base: str, code: str, lang: str = "zh"):
    """A 1024×768 touch tablet, the deputy signed in with the PIN, on the waiting screen."""
    tablet = browser.new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
    tablet.goto(f"{base}/tablet/login?lang={lang}")
    tablet.fill("#code", code)
    tablet.fill("#pin", PIN)
    tablet.get_by_role("button", name="登录" if lang == "zh" else "Log in").click()
    tablet.wait_for_selector("text=请稍候" if lang == "zh" else "text=Please wait")
    return tablet


def test_deputy_casts_on_tablet_and_hall_counts_it(live_app, browser):
    ids = _prepare(live_app)
    base = live_app.config["LIVE_URL"]
    hall = browser.new_page(viewport={"width": 1280, "height": 720})
    hall.goto(f"{base}/hall/{ids['session']}")
    hall.wait_for_selector("#h-idle:not([hidden])")

    tablet = _waiting_tablet(browser, base, "D0001")

    # The organiser opens the vote; the waiting tablet and the hall see it without a reload.
    tablet.evaluate("window.sameDocument = true")
    with live_app.app_context():
        voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
        db.session.commit()
    tablet.get_by_role("link", name="开始投票").wait_for(timeout=5000)
    assert tablet.evaluate("window.sameDocument") is True
    hall.wait_for_selector("#h-vote:not([hidden])", timeout=3000)
    assert hall.inner_text("#h-cast") == "0"

    tablet.get_by_role("link", name="开始投票").click()
    items = tablet.locator(".ballot-item")
    assert items.count() == 4
    # touch targets and type are large enough for an elderly deputy
    box = items.nth(0).locator(".choice-for span").bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48
    size = items.nth(0).locator("legend").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 18

    items.nth(0).locator(".choice-for").click()
    items.nth(1).locator(".choice-for").click()
    assert tablet.inner_text("#for-count") == "2"
    # a third "for" is refused on the spot
    items.nth(2).locator(".choice-for").click()
    assert tablet.is_visible("#limit-msg")
    assert tablet.inner_text("#for-count") == "2"
    assert not items.nth(2).locator("input[value=for]").is_checked()
    items.nth(2).locator(".choice-against").click()
    assert not tablet.is_visible("#limit-msg")

    tablet.get_by_role("button", name="核对选票").click()
    tablet.wait_for_selector("text=有 1 项未标记")
    tablet.get_by_role("button", name="确认投票").click()
    tablet.wait_for_selector("text=投票成功")
    receipt = tablet.inner_text("#receipt")
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", receipt)

    # the hall screen counts the ballot by itself within two seconds
    expect(hall.locator("#h-cast")).to_have_text("1", timeout=2500)
    with live_app.app_context():
        assert unsealed_marks(db.session.query(Ballot).one().vote_id) == ["FFAN"]

    # on a shared tablet, Back must not bring this deputy's marks into view again: it shows
    # the vote cast (the review's post is not asked for again: post/redirect/get)
    tablet.go_back()
    tablet.wait_for_selector("text=您已在本次票决中投过票")
    assert "候选项目1" not in tablet.inner_text("body")
    # a fresh ballot is refused: a deputy votes once
    tablet.goto(f"{base}/tablet/votes/{ids['votes']['main']}")
    tablet.wait_for_selector("text=您已在本次票决中投过票")
    with live_app.app_context():
        assert db.session.query(Ballot).count() == 1
    hall.close()
    tablet.close()


def test_waiting_tablet_follows_open_and_close_in_english_without_reload(live_app, browser):
    ids = _prepare(live_app)
    base = live_app.config["LIVE_URL"]
    tablet = _waiting_tablet(browser, base, "D0002", lang="en")
    tablet.evaluate("window.sameDocument = true")
    vid = ids["votes"]["main"]
    with live_app.app_context():
        voting.open_vote(db.session.get(Vote, vid))
        db.session.commit()
        title = db.session.get(Vote, vid).title
    link = tablet.get_by_role("link", name="Start voting")
    link.wait_for(timeout=5000)
    assert link.get_attribute("href").endswith(f"/tablet/votes/{vid}")
    assert tablet.inner_text("#tablet-state h1") == title
    with live_app.app_context():
        counting.close_vote(db.session.get(Vote, vid))
        db.session.commit()
    tablet.wait_for_selector("text=Please wait", timeout=5000)
    assert tablet.evaluate("window.sameDocument") is True
    tablet.close()


def test_a_deputy_not_checked_in_is_told_why_when_the_vote_opens(live_app, browser):
    """Not a button that leads to a refusal: the page reloads and says what to do."""
    ids = _prepare(live_app, absent=("D0006",))
    tablet = _waiting_tablet(browser, live_app.config["LIVE_URL"], "D0006")
    with live_app.app_context():
        voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
        db.session.commit()
    tablet.wait_for_selector("text=您尚未签到本次会议", timeout=5000)
    assert tablet.get_by_role("link", name="开始投票").count() == 0
    tablet.close()


def test_waiting_tablet_comes_back_after_an_error_answer(live_app, browser):
    """A browser gives up on a stream answered with an error (a 503 while the database
    restarts, a proxy's 502): the page reconnects by itself, later."""
    ids = _prepare(live_app)
    base = live_app.config["LIVE_URL"]
    tablet = browser.new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
    attempts = []

    def first_fails(route):
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.fulfill(status=503, content_type="text/html", body="<h1>503</h1>")
        else:
            route.continue_()

    tablet.route("**/tablet/events", first_fails)
    tablet.goto(f"{base}/tablet/login")
    tablet.fill("#code", "D0003")
    tablet.fill("#pin", PIN)
    tablet.get_by_role("button", name="登录").click()
    tablet.wait_for_selector("text=请稍候")
    tablet.evaluate("window.sameDocument = true")
    with live_app.app_context():
        voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
        db.session.commit()
    tablet.get_by_role("link", name="开始投票").wait_for(timeout=15000)
    assert len(attempts) >= 2
    assert tablet.evaluate("window.sameDocument") is True
    tablet.close()


def test_desk_quorum_follows_checkins_made_elsewhere(live_app, browser):
    ids = _prepare(live_app)
    base = live_app.config["LIVE_URL"]
    with live_app.app_context():
        sess = db.session.get(CongressSession, ids["session"])
        for code in ("D0001", "D0002", "D0003"):
            congress.undo_check_in(sess, code)
        db.session.commit()
    desk = sign_in(
        browser, base, "organiser", "organiser-pass", viewport={"width": 1280, "height": 800}
    )
    desk.goto(f"{base}/desk/sessions/{ids['session']}")
    expect(desk.locator("[data-q=present]")).to_have_text("3")
    expect(desk.locator(".quorum-word")).to_have_text("未达到法定人数")
    # a second desk checks a deputy in: this page follows without a reload
    with live_app.app_context():
        congress.check_in(db.session.get(CongressSession, ids["session"]), "D0001")
        db.session.commit()
    expect(desk.locator("[data-q=present]")).to_have_text("4", timeout=3000)
    expect(desk.locator(".quorum-word")).to_have_text("已达到法定人数")
    # opening now succeeds from the vote page
    desk.goto(f"{base}/desk/votes/{ids['votes']['main']}")
    desk.get_by_role("button", name="开始投票").click()
    desk.wait_for_selector("text=投票已开始")
    desk.close()
