"""A jurisdiction's rules of the vote at the organiser's desk (1366×768): the rules edited, a
vote that breaks them refused with the rule quoted beside the candidates, an exception
recorded with its reason, and the exception printed on the vote's page and its announcement."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import build_scenario
from votesys import scenario
from votesys.auth.services import create_user
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.extensions import db
from votesys.voting import counting
from votesys.voting import services as voting
from votesys.voting.models import Vote

SHOTS = Path("/tmp/shots/J")
REASON = "六个项目均为区委交办的重点民生工程，经区人大常委会主任会议研究同意"


def _prepare(app) -> dict:
    with app.app_context():
        ids = scenario.load(build_scenario(deputies=6, candidates=6, seats=2, rules=None))
        create_user("organiser", "organiser-pass", "organiser")
        db.session.commit()
        return ids


def _count_and_publish(app, vote_id: int) -> None:
    """The tellers' totals of the paper vote, entered and published."""
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        sess = db.session.get(CongressSession, vote.session_id)
        for code in congress.search_deputies(sess, "D", limit=None):
            congress.check_in(sess, code.code)
        voting.open_vote(vote)
        counts = {
            cid: {"for": 6 - i % 3, "against": i % 3, "abstain": 0}
            for i, cid in enumerate(voting.candidate_ids(vote))
        }
        counting.enter_paper_totals(vote, issued=6, returned=6, invalid_ballots=0, counts=counts)
        voting.publish_vote(vote)
        db.session.commit()


def test_rules_edited_a_vote_refused_then_excepted_and_announced(live_app, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ids = _prepare(live_app)
    base = live_app.config["LIVE_URL"]
    desk = sign_in(browser, base, "organiser", "organiser-pass")
    # the rules, from the desk's front page
    desk.goto(f"{base}/desk/")
    desk.locator('a[href$="/desk/jurisdictions/430212/rules"]').click()
    expect(desk.locator("#min_extra_candidates")).to_have_value("1")
    desk.fill("#min_extra_candidates", "2")
    desk.select_option("#default_base", "present")
    desk.locator("form.grid-form button.primary").click()
    expect(desk.locator(".flash.ok")).to_be_visible()
    expect(desk.locator("#min_extra_candidates")).to_have_value("2")
    expect(desk.locator("#rules-in-force li")).to_have_count(3)
    expect(desk.locator("#rules-in-force li").first).to_contain_text("2")
    desk.screenshot(path=str(SHOTS / "rules-desk-1366.png"), full_page=True)

    # a vote of 6 candidates for 5 places: the rule quoted beside the candidates
    desk.goto(f"{base}/desk/sessions/{ids['session']}/votes/new")
    expect(desk.locator("#base")).to_have_value("present")  # the jurisdiction's default
    expect(desk.locator("#jurisdiction-rules li")).to_have_count(3)
    desk.fill("#title", "2027年民生实事项目票决")
    desk.fill("#seats", "5")
    desk.fill("#max_for", "5")
    desk.select_option("#mode", "paper")
    desk.locator("form.grid-form button.primary").click()
    error = desk.locator("#candidates-error1")
    expect(error).to_be_visible()
    expect(error).to_contain_text("6")
    expect(error).to_contain_text("5")
    expect(desk.locator(".error-summary")).to_be_visible()
    with live_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Vote)) == 1
    error.scroll_into_view_if_needed()
    desk.screenshot(path=str(SHOTS / "vote-refused-1366.png"))

    # the exception ticked without a reason: refused beside the reason
    desk.check("#exception")
    desk.locator("form.grid-form button.primary").click()
    expect(desk.locator("#exception_reason-error1")).to_be_visible()
    desk.screenshot(path=str(SHOTS / "vote-reason-refused-1366.png"), full_page=True)
    # with its reason: created, the exception on the vote's page
    desk.check("#exception")
    desk.fill("#exception_reason", REASON)
    desk.locator("form.grid-form button.primary").click()
    expect(desk.locator("#rule-exception")).to_contain_text(REASON)
    desk.screenshot(path=str(SHOTS / "vote-page-exception-1366.png"), full_page=True)
    vote_id = int(desk.url.rstrip("/").rsplit("/", 1)[1])
    with live_app.app_context():
        vote = db.session.get(Vote, vote_id)
        assert vote.base == "present" and vote.rule_exception.reason == REASON

    # published: the announcement prints it
    _count_and_publish(live_app, vote_id)
    desk.goto(f"{base}/votes/{vote_id}/announcement")
    expect(desk.locator("#rule-exception")).to_contain_text(REASON)
    desk.screenshot(path=str(SHOTS / "announcement-exception-1366.png"), full_page=True)
    desk.close()
