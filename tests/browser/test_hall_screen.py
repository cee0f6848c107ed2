"""The hall's big screen at 1920×1080: a result of 20 candidates fits one screen, numbers
are large enough to read from the back of the hall and sit under right-aligned headers,
and between the close and the publication the screen says the ballots are being counted."""

from __future__ import annotations

import random

from playwright.sync_api import expect

from tests.factories import build_scenario
from votesys import scenario
from votesys.congress import services as congress
from votesys.congress.models import CongressSession, Deputy
from votesys.extensions import db
from votesys.voting import casting, counting
from votesys.voting import services as voting
from votesys.voting.models import Vote


def _vote_of_twenty(app) -> tuple[int, int]:
    rng = random.Random(3)
    with app.app_context():
        ids = scenario.load(build_scenario(deputies=40, candidates=20, seats=10))
        sess = db.session.get(CongressSession, ids["session"])
        for code in ids["deputies"]:
            congress.check_in(sess, code)
        vote = voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
        cands = [str(ids["candidates"][f"c{n}"]) for n in range(1, 21)]
        for code in ids["deputies"]:
            deputy = db.session.scalar(db.select(Deputy).where(Deputy.code == code))
            marks = {c: "for" for c in rng.sample(cands, 10)}
            casting.cast_ballot(vote, deputy, marks)
        db.session.commit()
        return ids["session"], vote.id


def test_the_hall_fits_twenty_candidates_readably_and_says_when_it_counts(
    live_app, browser, tmp_path
):
    sid, vid = _vote_of_twenty(live_app)
    base = live_app.config["LIVE_URL"]
    hall = browser.new_page(viewport={"width": 1920, "height": 1080})
    hall.goto(f"{base}/hall/{sid}")
    expect(hall.locator("#h-vote")).to_be_visible()
    with live_app.app_context():
        counting.close_vote(db.session.get(Vote, vid))
        db.session.commit()
    expect(hall.locator("#h-awaiting")).to_be_visible(timeout=3000)
    expect(hall.locator(".hall-awaiting")).to_contain_text("正在计票")
    assert hall.locator("#h-result").is_hidden()  # no figure before publication
    with live_app.app_context():
        voting.publish_vote(db.session.get(Vote, vid))
        db.session.commit()
    expect(hall.locator("#h-rows tr")).to_have_count(20, timeout=3000)
    hall.screenshot(path=str(tmp_path / "hall-20.png"))
    # each count with its share of the base beside it (issue 18 item 6)
    first = hall.locator("#h-rows tr").first.locator("td.num").nth(1)
    assert first.locator(".pct").inner_text().endswith("%")
    assert hall.evaluate("document.documentElement.scrollHeight") <= 1080
    sizes = hall.eval_on_selector_all(
        "#h-rows td.num", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 32
    # every header sits as its column's first cell does
    aligned = hall.evaluate(
        """() => [...document.querySelectorAll('.hall-table thead th')].map((th, i) => {
             const td = document.querySelector('#h-rows tr td:nth-child(' + (i + 1) + ')');
             return [getComputedStyle(th).textAlign, getComputedStyle(td).textAlign];
           })"""
    )
    assert all(th == td for th, td in aligned), aligned
