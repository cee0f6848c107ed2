"""The organiser's vote page during a vote, at a desktop's size: its count of ballots
follows the casts live, as the hall screen does, and so does the list of who has not voted
yet; it says when every present deputy has voted, and publishing asks first."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_tablet_and_hall import _prepare
from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.voting import casting
from votesys.voting import services as voting
from votesys.voting.models import Vote


def _cast(app, vote_id: int, code: str) -> None:
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        deputy = db.session.scalar(db.select(Deputy).where(Deputy.code == code))
        casting.cast_ballot(vote, deputy, {})
        db.session.commit()


def test_the_vote_page_counts_live_and_says_when_all_have_voted(live_app, browser, tmp_path):
    ids = _prepare(live_app)
    vid = ids["votes"]["main"]
    base = live_app.config["LIVE_URL"]
    with live_app.app_context():
        voting.open_vote(db.session.get(Vote, vid))
        db.session.commit()
    desk = sign_in(browser, base, "organiser", "organiser-pass")  # at a desktop's size
    desk.goto(f"{base}/desk/votes/{vid}")
    expect(desk.locator("#cast-count [data-cast]")).to_have_text("0")
    expect(desk.locator("#not-voted [data-count]")).to_have_text("6")
    desk.evaluate("window.sameDocument = true")
    codes = sorted(ids["deputies"])
    for code in codes[:5]:
        _cast(live_app, vid, code)
    expect(desk.locator("#cast-count [data-cast]")).to_have_text("5", timeout=4000)
    expect(desk.locator("#cast-all")).to_be_hidden()
    # who has not voted follows too: the one left, by name and code (issue 18 item 4)
    expect(desk.locator("#not-voted [data-count]")).to_have_text("1", timeout=4000)
    expect(desk.locator("#not-voted [data-list] li")).to_have_count(1)
    expect(desk.locator("#not-voted [data-list] li")).to_contain_text(codes[5])
    _cast(live_app, vid, codes[5])
    expect(desk.locator("#cast-all")).to_be_visible(timeout=4000)
    expect(desk.locator("#not-voted [data-list] li")).to_have_count(0, timeout=4000)
    assert desk.evaluate("window.sameDocument") is True  # no reload
    desk.screenshot(path=str(tmp_path / "desk-vote-all-cast.png"))
    # closing at this desk; then publishing asks first, and a "no" publishes nothing
    desk.once("dialog", lambda d: d.accept())
    desk.get_by_role("button", name="结束投票并计票").click()
    desk.wait_for_selector("text=公布表决结果")
    desk.once("dialog", lambda d: d.dismiss())
    desk.get_by_role("button", name="公布表决结果").click()
    desk.wait_for_timeout(500)
    with live_app.app_context():
        assert db.session.get(Vote, vid).state == "closed"
    desk.close()
