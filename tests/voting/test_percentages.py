"""Percentages of the vote's base beside every count (issue 18 item 6): the rule at its
edges, by property, and the result's shares computed once, the same in the API, the pages
and the CSV."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import PIN
from tests.pages import login
from votesys.voting import rules


@pytest.mark.parametrize(
    ("count", "of", "shown"),
    [
        (0, 179, "0.0"),
        (179, 179, "100.0"),
        (140, 179, "78.2"),  # 78.212…
        (1, 8, "12.5"),  # an exact half of a tenth: 12.5
        (1, 16, "6.3"),  # 6.25 rounds half up, not to even
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (5, 0, None),  # no base: nothing to share
        (None, 10, None),
    ],
)
def test_percent_edges(count, of, shown):
    assert rules.percent(count, of) == shown


@given(st.integers(1, 10_000).flatmap(lambda of: st.tuples(st.integers(0, of), st.just(of))))
def test_percent_is_the_exact_share_rounded_half_up_to_a_tenth(pair):
    count, of = pair
    shown = Decimal(rules.percent(count, of))
    exact = Decimal(count) * 100 / Decimal(of)
    assert abs(shown - exact) <= Decimal("0.05")
    assert shown == shown.quantize(Decimal("0.1"))
    assert Decimal(0) <= shown <= Decimal(100)


@pytest.mark.parametrize(
    ("base", "size"),
    [("all_deputies", 179), ("present", 168), ("valid_ballots", 160), ("none", 160)],
)
def test_the_base_size_is_the_number_the_base_names(base, size):
    assert rules.base_size(base, total=179, present=168, valid=160) == size


def test_the_result_gives_each_count_its_share_of_the_base_in_api_page_and_csv(
    make_scenario, organiser, api, client
):
    ids = make_scenario(deputies=8, candidates=2, seats=1, base="present")
    api.login("organiser", "organiser-pass")
    codes = sorted(ids["deputies"])
    for code in codes[:6]:  # six of eight present: the base is 6
        api.login(code, PIN)
        api.post(
            f"/api/v1/sessions/{ids['session']}/attendance", {"deputy_code": code}, as_="organiser"
        )
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    c1 = str(ids["candidates"]["c1"])
    for i, code in enumerate(codes[:5]):  # 4 for c1, one against; c2 left out (abstain)
        mark = "for" if i < 4 else "against"
        assert (
            api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: mark}}, as_=code).status_code
            == 201
        )
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    assert result["base_size"] == 6
    first, second = result["candidates"]
    assert first["percent"] == {"for": "66.7", "against": "16.7", "abstain": "0.0"}
    assert second["percent"] == {"for": "0.0", "against": "0.0", "abstain": "83.3"}
    login(client, "organiser", "organiser-pass")
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert "66.7%" in page and "83.3%" in page
    csv = client.get(f"/votes/{vid}/result.csv").get_data(as_text=True).lstrip("\ufeff")
    header, row1, row2 = csv.splitlines()[:3]
    assert "赞成（%）" in header
    assert "66.7" in row1.split(",") and "83.3" in row2.split(",")


def test_a_void_or_uncounted_vote_has_no_shares(make_scenario, organiser, api):
    ids = make_scenario(deputies=4, candidates=2, seats=1, mode="paper")
    api.login("organiser", "organiser-pass")
    for code in sorted(ids["deputies"]):
        api.post(
            f"/api/v1/sessions/{ids['session']}/attendance", {"deputy_code": code}, as_="organiser"
        )
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    c1, c2 = str(ids["candidates"]["c1"]), str(ids["candidates"]["c2"])
    void = api.post(
        f"/api/v1/votes/{vid}/paper",
        {
            "issued": 5,  # more than the four present: void
            "returned": 4,
            "invalid": 0,
            "candidates": {
                c1: {"for": 3, "against": 1, "abstain": 0},
                c2: {"for": 1, "against": 2, "abstain": 1},
            },
        },
        as_="organiser",
    ).get_json()
    assert void["void"] and void["base_size"] is None
    assert all(set(c["percent"].values()) == {None} for c in void["candidates"])
