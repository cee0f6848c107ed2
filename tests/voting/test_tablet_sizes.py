"""Sizes that do not tell a ballot's marks. TLS on the hall's Wi-Fi hides what a tablet sends
and receives, not how much: the review page echoed the marks (2149 / 2185 / 2158 bytes
meant 满意 / 基本满意 / 不满意 on a one-project rating) and the forms' bodies were as long
as their marks. Every answer about a ballot now has one size per vote, and every form that
carries marks one length, whatever the marks."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from tests.factories import PIN
from tests.pages import login
from votesys.extensions import db
from votesys.voting import tablet
from votesys.voting.models import Vote

STYLES = {
    "per_candidate": ("for", "against", "abstain"),
    "rating": ("satisfied", "basically_satisfied", "unsatisfied"),
    "approval": ("for",),
}


class _Forms(HTMLParser):
    """Each form of a page: its action and the fields a browser would send as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
        elif tag == "input" and self.forms and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self.forms[-1][1].append((a["name"], a.get("value") or ""))


def forms(html: str) -> dict[str, str]:
    """The body each form of the page would send, by the last part of its action."""
    parser = _Forms()
    parser.feed(html)
    return {action.rsplit("/", 1)[-1]: urlencode(fields) for action, fields in parser.forms}


def every_marking(candidates: list[int], style: str):
    """Every ballot a deputy can fill in: each candidate unmarked or given one mark."""
    for marks in itertools.product(("", *STYLES[style]), repeat=len(candidates)):
        yield {f"c{cid}": mark for cid, mark in zip(candidates, marks, strict=True) if mark}


@pytest.fixture
def vote_of(make_scenario, organiser, client, fresh_user_per_request):
    """A vote of this style and size, open, with every deputy checked in."""

    def make(style: str, candidates: int, deputies: int, max_for: int) -> dict:
        ids = make_scenario(
            deputies=deputies, candidates=candidates, seats=max_for, max_for=max_for, style=style
        )
        login(client, "organiser", "organiser-pass")
        for code in ids["deputies"]:
            client.post(f"/desk/sessions/{ids['session']}/checkin", data={"code": code})
        assert client.post(f"/desk/votes/{ids['votes']['main']}/open").status_code == 302
        client.post("/logout")
        return {
            "id": ids["votes"]["main"],
            "candidates": [ids["candidates"][f"c{n}"] for n in range(1, candidates + 1)],
            "deputies": sorted(ids["deputies"]),
        }

    return make


CASES = [
    ("rating", 1, 1),
    ("rating", 3, 3),
    ("per_candidate", 1, 1),
    ("per_candidate", 3, 2),  # at most 2 "for": three is refused, and that page too
    ("approval", 3, 2),
]


@pytest.mark.parametrize(("style", "candidates", "max_for"), CASES)
def test_the_review_and_its_forms_have_one_size_whatever_the_marks(
    client, vote_of, style, candidates, max_for
):
    vote = vote_of(style, candidates, 1, max_for)
    url = f"/tablet/votes/{vote['id']}"
    login(client, vote["deputies"][0], PIN, tablet=True)
    answers, bodies = set(), set()
    statuses = set()
    for marks in every_marking(vote["candidates"], style):
        review = client.post(f"{url}/review", data=marks)
        statuses.add(review.status_code)
        answers.add(len(review.data))
        page = review.get_data(as_text=True)
        sent = forms(page)
        if review.status_code == 200:  # the review: "Change" and "Cast" carry the marks
            bodies.add(("edit", len(sent["edit"])))
            bodies.add(("cast", len(sent["cast"])))
            back = client.post(f"{url}/edit", data=dict(re.findall(
                r'name="(c\d+)" value="([^"]*)"', page.split('id="cast-form"')[0]
            )))  # fmt: skip
            answers.add(len(back.data))
            bodies.add(("review", len(forms(back.get_data(as_text=True))["review"])))
    if style == "per_candidate" and candidates == 3:
        assert statuses == {200, 422}  # the refusal of a third "for" is among them
    assert len(answers) == 1, answers
    assert answers == {len(client.get(url).data)}  # the ballot itself is as long
    assert len({size for kind, size in bodies if kind == "edit"}) == 1, bodies
    assert len({size for kind, size in bodies if kind == "cast"}) == 1, bodies
    assert len({size for kind, size in bodies if kind == "review"}) == 1, bodies


@pytest.mark.parametrize(("style", "candidates", "max_for"), [CASES[0], CASES[1], CASES[3]])
def test_the_cast_answer_has_the_review_size_whatever_the_marks(
    client, vote_of, style, candidates, max_for
):
    markings = list(every_marking([0] * candidates, style))
    vote = vote_of(style, candidates, len(markings), max_for)
    url = f"/tablet/votes/{vote['id']}"
    sizes, statuses = set(), set()
    for code, marks in zip(vote["deputies"], every_marking(vote["candidates"], style), strict=True):
        login(client, code, PIN, tablet=True)
        review = client.post(f"{url}/review", data=marks)
        key = re.search(r'name="idempotency_key" value="([^"]+)"', review.get_data(as_text=True))
        before = client.get(f"{url}/done")  # not voted yet: a redirect to the ballot
        done = client.post(f"{url}/cast", data={**marks, "idempotency_key": key and key.group(1)})
        again = client.post(f"{url}/cast", data={**marks, "idempotency_key": "another"})
        receipt = client.get(f"{url}/done")  # the page the cast leads to, with the receipt
        recorded = client.get(f"{url}/done")  # Back to it: recorded, without the receipt
        if done.status_code == 303:  # cast (three "for" of two are refused: not voted)
            assert 'id="receipt"' in receipt.get_data(as_text=True)
            assert 'id="receipt"' not in recorded.get_data(as_text=True)
        answers = (review, before, done, again, receipt, recorded)
        statuses |= {done.status_code, again.status_code, before.status_code}
        sizes |= {len(answer.data) for answer in answers}
        client.post("/logout")
    assert {303, 409} <= statuses
    assert len(sizes) == 1, sizes


def test_answer_size_holds_a_long_ballot_in_english(client, vote_of):
    """The largest pages: the longest titles and units (200 characters, with characters that
    are escaped) and English words; none is over its size (which would pad it to the next
    unit, and tell something by its size again)."""
    vote = vote_of("rating", 15, 1, 15)
    v = db.session.get(Vote, vote["id"])
    for e in v.entries:
        e.candidate.title = ("“Safe drinking water” & <clean> '路' " * 10)[:200]
        e.candidate.responsible_unit = ("Bureau of Housing & Urban-Rural Development " * 5)[:200]
    v.title = ("满意度测评 & “rating” " * 20)[:200]
    db.session.commit()
    login(client, vote["deputies"][0], PIN, tablet=True)
    client.get("/?lang=en")
    url = f"/tablet/votes/{vote['id']}"
    every = {c: "basically_satisfied" for c in (f"c{cid}" for cid in vote["candidates"])}
    pages = [
        client.get(url),
        client.post(f"{url}/review", data=every),
        client.post(f"{url}/review", data={}),
        client.post(f"{url}/edit", data=every),
        client.post(f"{url}/review", data={**every, f"c{vote['candidates'][0]}": "x" * 40}),
    ]
    assert "Basically satisfied" in pages[1].get_data(as_text=True)
    size = tablet.answer_size(db.session.get(Vote, vote["id"]))
    assert {len(p.data) for p in pages} == {size}
