"""In a real Chromium: what a tablet sends and receives for a ballot is as long whatever the
marks (TLS on the hall's Wi-Fi hides the content, not the length)."""

from __future__ import annotations

import pytest

from tests.factories import PIN, build_scenario
from votesys import scenario
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.extensions import db
from votesys.voting import services as voting
from votesys.voting.models import Ballot, Vote

# Two markings of a three-candidate ballot each, as different in length as can be.
MARKINGS = {
    "per_candidate": [("for", None, None), ("against", "abstain", "against")],
    "rating": [
        ("satisfied", None, None),
        ("basically_satisfied", "basically_satisfied", "unsatisfied"),
    ],
}


def _open_vote(app, style: str) -> int:
    with app.app_context():
        ids = scenario.load(build_scenario(deputies=3, candidates=3, seats=3, style=style))
        sess = db.session.get(CongressSession, ids["session"])
        for code in ids["deputies"]:
            congress.check_in(sess, code)
        voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
        db.session.commit()
        return ids["votes"]["main"]


@pytest.mark.parametrize("style", sorted(MARKINGS))
def test_the_ballot_requests_and_answers_are_as_long_whatever_the_marks(live_app, browser, style):
    vote = _open_vote(live_app, style)
    base = live_app.config["LIVE_URL"]
    tablet = browser.new_page(viewport={"width": 1024, "height": 768}, has_touch=True)
    tablet.goto(f"{base}/tablet/login")
    tablet.fill("#code", "D0001")
    tablet.fill("#pin", PIN)
    tablet.get_by_role("button", name="登录").click()
    tablet.get_by_role("link", name="开始投票").click()
    tablet.wait_for_selector("#ballot")
    assert tablet.url.endswith(f"/tablet/votes/{vote}")
    sent: dict[str, set[int]] = {"review": set(), "edit": set(), "cast": set()}
    received: set[int] = set()

    def post(click: str, ending: str) -> None:
        def wanted(request):
            return request.method == "POST" and request.url.endswith(ending)

        with tablet.expect_request(wanted) as caught:
            tablet.click(click)
        request = caught.value
        sent[ending.strip("/")].add(len(request.post_data_buffer))
        response = request.response()
        if response.status == 303:  # the cast's post/redirect/get: the redirect, its page
            received.add(int(response.all_headers()["content-length"]))
            tablet.wait_for_url(f"**{response.headers['location']}")
            response = request.redirected_to.response()
        received.add(len(response.body()))

    for n, marks in enumerate(MARKINGS[style]):
        items = tablet.locator(".ballot-item")
        for i, mark in enumerate(marks):
            if mark:
                items.nth(i).locator(f"input[value={mark}]").check()
        post("#to-review", "/review")
        tablet.wait_for_selector("#cast-form")
        if n < len(MARKINGS[style]) - 1:
            post("form[action$='/edit'] button", "/edit")
            tablet.wait_for_selector("#ballot")
    post("#cast", "/cast")
    tablet.wait_for_selector("#receipt")
    assert len(sent["review"]) == 1, sent  # two reviews of different marks, one length
    # the reviews, the ballot back, the cast's redirect and the receipt it leads to
    assert len(received) == 1, received
    with live_app.app_context():
        assert db.session.query(Ballot).count() == 1
    tablet.close()
