"""A deputy of seventy on a 1024×768 touch tablet (issue 17, items 9-11): a mark is taken back
by touching it again, the marks survive a reload until they are cast (and never reach the
next deputy on the same tablet), and Back after casting shows the vote recorded, not the
browser's "Confirm Form Resubmission"."""

from __future__ import annotations

import re

from tests.factories import PIN, build_scenario, unsealed_marks
from votesys import scenario
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.extensions import db
from votesys.voting import services as voting
from votesys.voting.models import Ballot, Vote

STORE = "votesys.ballot."


def _open_vote(app, style: str = "per_candidate", candidates: int = 4, max_for: int = 2) -> int:
    with app.app_context():
        ids = scenario.load(
            build_scenario(
                deputies=3, candidates=candidates, seats=max_for, max_for=max_for, style=style
            )
        )
        sess = db.session.get(CongressSession, ids["session"])
        for code in ids["deputies"]:
            congress.check_in(sess, code)
        voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
        db.session.commit()
        return ids["votes"]["main"]


def _tablet(browser):
    return browser.new_page(viewport={"width": 1024, "height": 768}, has_touch=True)


def _sign_in(tablet, base: str, code: str, vote: int, lang: str = "zh") -> None:
    """The deputy signs in with the PIN and opens the ballot from the waiting screen."""
    tablet.goto(f"{base}/tablet/login?lang={lang}")
    tablet.fill("#code", code)
    tablet.fill("#pin", PIN)
    tablet.get_by_role("button", name="登录" if lang == "zh" else "Log in").click()
    tablet.get_by_role("link", name="开始投票" if lang == "zh" else "Start voting").click()
    tablet.wait_for_selector("#ballot")
    assert tablet.url.endswith(f"/tablet/votes/{vote}")


def _checked(tablet) -> list[str]:
    """Each candidate's mark as the page shows it ("" for none)."""
    return tablet.eval_on_selector_all(
        ".ballot-item",
        """items => items.map(item => {
             const on = item.querySelector("input:checked");
             return on ? on.value : "";
           })""",
    )


def _kept(tablet) -> dict:
    return tablet.evaluate(
        """prefix => Object.fromEntries(Object.keys(sessionStorage)
             .filter(k => k.startsWith(prefix)).map(k => [k, sessionStorage.getItem(k)]))""",
        STORE,
    )


def test_a_second_touch_takes_a_mark_back_and_the_limit_says_how(live_app, browser, tmp_path):
    vote = _open_vote(live_app)
    tablet = _tablet(browser)
    _sign_in(tablet, live_app.config["LIVE_URL"], "D0001", vote, lang="en")
    items = tablet.locator(".ballot-item")
    items.nth(0).locator(".choice-for").tap()
    assert _checked(tablet) == ["for", "", "", ""]
    assert tablet.inner_text("#for-count") == "1"
    items.nth(0).locator(".choice-for").tap()  # the same "For" again: no mark
    assert _checked(tablet) == ["", "", "", ""]
    assert tablet.inner_text("#for-count") == "0"
    # "Clear mark" does it too: shown only beside a project marked
    assert not items.nth(0).locator(".choice-clear").is_visible()
    items.nth(0).locator(".choice-against").tap()
    items.nth(0).locator(".choice-clear").tap()
    assert _checked(tablet) == ["", "", "", ""]
    assert not items.nth(0).locator(".choice-clear").is_visible()

    # the limit: a third "For" is refused, and the message says how to take one back
    items.nth(0).locator(".choice-for").tap()
    items.nth(1).locator(".choice-for").tap()
    items.nth(2).locator(".choice-for").tap()
    assert _checked(tablet) == ["for", "for", "", ""]
    message = tablet.inner_text("#limit-msg")
    assert tablet.is_visible("#limit-msg") and "touch its “For” again" in message
    tablet.screenshot(path=str(tmp_path / "ballot-limit-en.png"))
    items.nth(1).locator(".choice-for").tap()  # as the message says
    assert not tablet.is_visible("#limit-msg")
    assert tablet.inner_text("#for-count") == "1"
    items.nth(2).locator(".choice-for").tap()
    assert _checked(tablet) == ["for", "", "for", ""]
    assert tablet.inner_text("#for-count") == "2"

    # against and abstain are taken back the same way, or with "Clear mark"
    items.nth(3).locator(".choice-against").tap()
    items.nth(3).locator(".choice-against").tap()
    assert _checked(tablet) == ["for", "", "for", ""]
    items.nth(3).locator(".choice-abstain").tap()
    items.nth(3).locator(".choice-clear").tap()
    assert _checked(tablet) == ["for", "", "for", ""]
    assert not items.nth(3).locator(".choice-clear").is_visible()
    items.nth(1).locator(".choice-against").tap()
    tablet.screenshot(path=str(tmp_path / "ballot-marked-en.png"))

    # what is sent is what the page shows
    tablet.get_by_role("button", name="Review my ballot").click()
    tablet.wait_for_selector("#cast-form")
    marks = [m.strip() for m in tablet.locator(".review-list .mark").all_inner_texts()]
    assert marks == ["For", "Against", "For", "Abstain (unmarked)"]
    tablet.close()


def test_a_second_touch_takes_back_a_rating(live_app, browser, tmp_path):
    vote = _open_vote(live_app, style="rating", candidates=3, max_for=3)
    tablet = _tablet(browser)
    _sign_in(tablet, live_app.config["LIVE_URL"], "D0001", vote)
    items = tablet.locator(".ballot-item")
    items.nth(0).locator(".choice-basically_satisfied").tap()
    items.nth(1).locator(".choice-unsatisfied").tap()
    assert _checked(tablet) == ["basically_satisfied", "unsatisfied", ""]
    tablet.screenshot(path=str(tmp_path / "ballot-rating-zh.png"))
    items.nth(1).locator(".choice-unsatisfied").tap()
    assert _checked(tablet) == ["basically_satisfied", "", ""]
    items.nth(0).locator(".choice-clear").tap()
    assert _checked(tablet) == ["", "", ""]
    tablet.close()


def test_a_second_touch_takes_back_a_support(live_app, browser, tmp_path):
    """Approval: a checkbox, taken back by nature; the count and the limit follow it."""
    vote = _open_vote(live_app, style="approval", candidates=3, max_for=1)
    tablet = _tablet(browser)
    _sign_in(tablet, live_app.config["LIVE_URL"], "D0001", vote, lang="en")
    items = tablet.locator(".ballot-item")
    assert items.nth(0).locator(".choice-clear").count() == 0  # nothing to add
    items.nth(0).locator(".choice-for").tap()
    items.nth(1).locator(".choice-for").tap()
    assert _checked(tablet) == ["for", "", ""] and tablet.is_visible("#limit-msg")
    assert "touch its “Support” again" in tablet.inner_text("#limit-msg")
    tablet.screenshot(path=str(tmp_path / "ballot-approval-limit-en.png"))
    items.nth(0).locator(".choice-for").tap()
    assert _checked(tablet) == ["", "", ""] and tablet.inner_text("#for-count") == "0"
    items.nth(1).locator(".choice-for").tap()
    assert _checked(tablet) == ["", "for", ""] and tablet.inner_text("#for-count") == "1"
    tablet.screenshot(path=str(tmp_path / "ballot-approval-en.png"))
    tablet.close()


def test_marks_survive_a_reload_until_they_are_cast(live_app, browser):
    vote = _open_vote(live_app)
    tablet = _tablet(browser)
    _sign_in(tablet, live_app.config["LIVE_URL"], "D0001", vote)
    items = tablet.locator(".ballot-item")
    items.nth(0).locator(".choice-for").tap()
    items.nth(2).locator(".choice-against").tap()
    pad = tablet.input_value("input[name=pad]")
    tablet.reload()
    tablet.wait_for_selector("#ballot")
    assert _checked(tablet) == ["for", "", "against", ""]
    assert tablet.inner_text("#for-count") == "1"
    assert tablet.input_value("input[name=pad]") == pad  # the body keeps its length
    kept = _kept(tablet)
    assert list(kept) == [f"{STORE}{vote}"] and "D0001" not in kept[f"{STORE}{vote}"]

    # the review, reloaded, is the ballot again with its marks (not a form posted again)
    tablet.get_by_role("button", name="核对选票").click()
    tablet.wait_for_selector("#cast-form")
    tablet.reload()
    tablet.wait_for_selector("#ballot")
    assert _checked(tablet) == ["for", "", "against", ""]

    tablet.get_by_role("button", name="核对选票").click()
    tablet.get_by_role("button", name="确认投票").click()
    tablet.wait_for_selector("#receipt")
    assert _kept(tablet) == {}  # cast: the tablet keeps nothing of them
    with live_app.app_context():
        assert unsealed_marks(vote) == ["FNAN"]
    tablet.close()


def test_marks_kept_on_a_shared_tablet_never_reach_the_next_deputy(live_app, browser):
    vote = _open_vote(live_app)
    base = live_app.config["LIVE_URL"]
    tablet = _tablet(browser)
    _sign_in(tablet, base, "D0001", vote)
    tablet.locator(".ballot-item").nth(1).locator(".choice-for").tap()
    assert list(_kept(tablet)) == [f"{STORE}{vote}"]
    tablet.get_by_role("button", name="退出登录").click()  # logging out forgets them
    tablet.wait_for_selector("#pin")
    assert _kept(tablet) == {}

    # The session ends without a logout (the cookie gone, the server restarted…), and the
    # next deputy signs in on the same tab: the marks kept are not theirs, never shown.
    _sign_in(tablet, base, "D0002", vote)
    tablet.locator(".ballot-item").nth(3).locator(".choice-against").tap()
    tablet.context.clear_cookies()
    _sign_in(tablet, base, "D0003", vote)
    assert _checked(tablet) == ["", "", "", ""]
    assert tablet.inner_text("#for-count") == "0"
    assert all('"against"' not in item for item in _kept(tablet).values())
    tablet.close()


def test_back_after_casting_shows_the_vote_recorded(live_app, browser, tmp_path):
    vote = _open_vote(live_app)
    base = live_app.config["LIVE_URL"]
    tablet = _tablet(browser)
    _sign_in(tablet, base, "D0001", vote)
    tablet.locator(".ballot-item").nth(0).locator(".choice-for").tap()
    tablet.get_by_role("button", name="核对选票").click()
    tablet.wait_for_selector("#cast-form")
    tablet.screenshot(path=str(tmp_path / "review.png"))
    tablet.get_by_role("button", name="确认投票").click()
    tablet.wait_for_selector("#receipt")
    receipt = tablet.inner_text("#receipt")
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", receipt)
    tablet.screenshot(path=str(tmp_path / "done.png"))

    # Back: the vote recorded (never "Confirm Form Resubmission", never the marks)
    tablet.go_back()  # the old page: net::ERR_CACHE_MISS, the form's post asked for again
    tablet.wait_for_selector("text=您已在本次票决中投过票")
    assert "候选项目1" not in tablet.inner_text("body")
    tablet.screenshot(path=str(tmp_path / "back.png"))
    # Forward or a reload of the receipt's page, a GET (post/redirect/get): the vote
    # recorded, the receipt shown once only
    tablet.go_forward()
    assert tablet.url.endswith(f"/tablet/votes/{vote}/done")
    tablet.wait_for_selector("text=您的投票已记录")
    assert receipt not in tablet.inner_text("body")
    tablet.reload()
    tablet.wait_for_selector("text=您的投票已记录")
    tablet.screenshot(path=str(tmp_path / "done-again.png"))
    with live_app.app_context():
        assert db.session.query(Ballot).count() == 1
    tablet.close()
