"""Paper when tablets fail, inside the same vote (issue 18 item 2), with the four eyes on the
paper totals (item 1), end to end at the users' sizes: a vote opens, some tablets cast, the
desk (1366×768) switches it to paper and sees whom to give paper ballots, enters the tellers'
totals; a scrutineer confirms them on a tablet (1280×800); the desk closes the vote and the
result and the announcement show both parts; the hall says the vote went to paper."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_tablet_and_hall import _prepare
from tests.factories import PIN
from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.voting import casting, counting, fallback
from votesys.voting import services as voting
from votesys.voting.models import Vote
from votesys.voting.scrutiny_models import Scrutineer, Scrutiny

SHOTS = Path("/tmp/shots/F")


def _cast(app, vote_id: int, code: str, choices: dict) -> None:
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        deputy = db.session.scalar(db.select(Deputy).where(Deputy.code == code))
        casting.cast_ballot(vote, deputy, choices)
        db.session.commit()


def test_fallback_to_paper_with_a_scrutineers_confirmation(live_app, browser, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ids = _prepare(live_app)
    vid = ids["votes"]["main"]
    base = live_app.config["LIVE_URL"]
    c = [ids["candidates"][f"c{i}"] for i in range(1, 5)]
    with live_app.app_context():
        db.session.add(Scrutiny(session_id=ids["session"], required=1))
        db.session.add(Scrutineer(session_id=ids["session"], deputy_id=ids["deputies"]["D0006"]))
        voting.open_vote(db.session.get(Vote, vid))
        db.session.commit()
    for code in ("D0001", "D0002", "D0003"):
        _cast(live_app, vid, code, {str(c[0]): "for", str(c[1]): "for"})

    hall = browser.new_page(viewport={"width": 1280, "height": 720})
    hall.goto(f"{base}/hall/{ids['session']}")
    expect(hall.locator("#h-paper")).to_be_hidden()

    desk = sign_in(browser, base, "organiser", "organiser-pass")  # 1366×768
    desk.goto(f"{base}/desk/votes/{vid}")
    desk.locator("#fallback-switch summary").click()
    desk.fill("#fallback-reason", "会场无线网络中断，平板无法投票")
    desk.screenshot(path=str(SHOTS / "desk-1-switch.png"), full_page=True)
    desk.once("dialog", lambda d: d.accept())
    desk.locator("#fallback-switch button").click()
    expect(desk.locator("#paper-to-issue strong")).to_have_text("3")
    expect(desk.locator("#paper-names li")).to_have_count(3)
    for code in ("D0004", "D0005", "D0006"):
        expect(desk.locator("#paper-names")).to_contain_text(code)
    expect(desk.locator("#not-voted")).to_be_hidden()
    desk.screenshot(path=str(SHOTS / "desk-2-switched.png"), full_page=True)
    # The hall says so; a tablet can no longer cast.
    expect(hall.locator("#h-paper")).to_be_visible(timeout=4000)
    hall.screenshot(path=str(SHOTS / "hall-paper.png"))
    with live_app.app_context():
        vote = db.session.get(Vote, vid)
        deputy = db.session.scalar(db.select(Deputy).where(Deputy.code == "D0004"))
        try:
            casting.cast_ballot(vote, deputy, {})
        except Exception as refused:  # noqa: BLE001 - the refusal's code is what matters
            assert getattr(refused, "code", None) == "fallen_back"
        else:
            raise AssertionError("a ballot was taken after the switch")
        db.session.rollback()

    # The tellers' totals of the 3 paper ballots: 3 issued and returned, none invalid.
    form = desk.locator("#paper-part-form")
    form.locator("#issued").fill("3")
    form.locator("#returned").fill("3")
    form.locator("#invalid").fill("0")
    marks = {c[0]: (2, 1, 0), c[1]: (1, 1, 1), c[2]: (3, 0, 0), c[3]: (0, 2, 1)}
    for cid, (f, a, n) in marks.items():
        form.locator(f"[name=c{cid}_for]").fill(str(f))
        form.locator(f"[name=c{cid}_against]").fill(str(a))
        form.locator(f"[name=c{cid}_abstain]").fill(str(n))
    form.locator("button").click()
    expect(desk.locator("#paper-status")).to_have_attribute("data-status", "pending")
    desk.screenshot(path=str(SHOTS / "desk-3-pending.png"), full_page=True)
    # Closing now is refused: the totals await a scrutineer.
    desk.once("dialog", lambda d: d.accept())
    desk.get_by_role("button", name="结束投票并计票").click()
    desk.wait_for_load_state()
    expect(desk.locator(".flash.error")).to_be_visible()
    with live_app.app_context():
        assert db.session.get(Vote, vid).state == "open"

    # The scrutineer, on a tablet.
    tablet = browser.new_page(viewport={"width": 1280, "height": 800}, has_touch=True)
    tablet.goto(f"{base}/tablet/login")
    tablet.fill("#code", "D0006")
    tablet.fill("#pin", PIN)
    tablet.get_by_role("button", name="登录").click()
    tablet.wait_for_load_state()
    tablet.goto(f"{base}/tablet/votes/{vid}/paper")
    expect(tablet.locator("#paper-confirm")).to_have_attribute("data-status", "pending")
    tablet.screenshot(path=str(SHOTS / "tablet-1-confirm.png"), full_page=True)
    tablet.once("dialog", lambda d: d.accept())
    tablet.locator("#paper-confirm-button").click()
    expect(tablet.locator("#paper-confirm")).to_have_attribute("data-status", "effective")
    tablet.screenshot(path=str(SHOTS / "tablet-2-confirmed.png"), full_page=True)
    tablet.set_viewport_size({"width": 800, "height": 1280})  # a tablet held upright
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 800
    tablet.screenshot(path=str(SHOTS / "tablet-3-portrait.png"), full_page=True)

    desk.goto(f"{base}/desk/votes/{vid}")
    expect(desk.locator("#paper-status")).to_have_attribute("data-status", "effective")
    desk.once("dialog", lambda d: d.accept())
    desk.get_by_role("button", name="结束投票并计票").click()
    expect(desk.locator("#result-parts")).to_be_visible()
    # c1: 3 on tablets + 2 on paper.
    row = desk.locator("#result-parts tbody tr").first
    expect(row.locator("td")).to_have_text(["候选项目1", "3", "2", "5"])
    desk.screenshot(path=str(SHOTS / "desk-4-result.png"), full_page=True)
    desk.goto(f"{base}/votes/{vid}/announcement")
    expect(desk.locator("#result-parts")).to_be_visible()
    expect(desk.locator("#result-parts")).to_contain_text("会场无线网络中断")
    desk.screenshot(path=str(SHOTS / "announcement.png"), full_page=True)
    with live_app.app_context():
        vote = db.session.get(Vote, vid)
        assert vote.state == "closed" and vote.ballots_cast == 6 and vote.paper_returned == 3
    for page in (desk, tablet, hall):
        page.close()


def test_the_hall_shows_both_parts_of_a_published_result(live_app, browser):
    """A session without scrutineers: the paper totals count at once; once published, the
    hall's result says how many ballots were cast on tablets and how many on paper."""
    ids = _prepare(live_app)
    vid = ids["votes"]["main"]
    base = live_app.config["LIVE_URL"]
    c = [ids["candidates"][f"c{i}"] for i in range(1, 5)]
    with live_app.app_context():
        voting.open_vote(db.session.get(Vote, vid))
        db.session.commit()
    for code in ("D0001", "D0002"):
        _cast(live_app, vid, code, {str(c[0]): "for"})
    with live_app.app_context():
        vote = db.session.get(Vote, vid)
        fallback.switch_to_paper(vote, "平板故障")
        counts = {cid: {"for": 0, "against": 0, "abstain": 4} for cid in c}
        counts[c[0]] = {"for": 4, "against": 0, "abstain": 0}
        fallback.enter_paper(vote, issued=4, returned=4, invalid_ballots=0, counts=counts)
        counting.close_vote(vote)
        voting.publish_vote(vote)
        db.session.commit()
    hall = browser.new_page(viewport={"width": 1280, "height": 720})
    hall.goto(f"{base}/hall/{ids['session']}")
    expect(hall.locator("#h-parts")).to_be_visible(timeout=4000)
    expect(hall.locator("#h-parts")).to_contain_text("2")
    expect(hall.locator("#h-parts")).to_contain_text("4")
    hall.screenshot(path=str(SHOTS / "hall-result-parts.png"))
    hall.close()
