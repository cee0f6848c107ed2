"""Builders of test data: scenario dicts and a small JSON API client."""

from __future__ import annotations

from typing import Any

PIN = "246810"
# The test jurisdictions' law asks no 差额, so that a test may put any number of candidates
# to a vote; tests/voting/test_jurisdiction_rules.py passes rules=None (the defaults) or its own.
NO_MINIMUM = {"min_extra_candidates": 0}


def build_scenario(
    *,
    deputies: int = 9,
    candidates: int = 5,
    seats: int = 3,
    max_for: int | None = None,
    style: str = "per_candidate",
    base: str = "all_deputies",
    mode: str = "electronic",
    terminated: int = 0,
    code_prefix: str = "D",
    jurisdiction: str = "430212",
    parent: str | None = None,
    rules: dict[str, Any] | None = NO_MINIMUM,
) -> dict[str, Any]:
    """A scenario with ``deputies`` deputies (the last ``terminated`` of them terminated)."""
    return {
        "jurisdiction": {
            "code": jurisdiction,
            "name": f"测试区{jurisdiction}",
            "level": "county" if parent is None else "township",
            **({"parent": parent} if parent else {}),
            **({"rules": rules} if rules is not None else {}),
        },
        "congress": {"name": "测试区第一届人民代表大会", "term": 1},
        "deputies": [
            {
                "code": f"{code_prefix}{i:04d}",
                "name": f"代表{i}",
                "pin": PIN,
                "delegation": "一团",
                "status": "terminated" if i > deputies - terminated else "active",
            }
            for i in range(1, deputies + 1)
        ],
        "session": {"name": "第一次会议", "date": "2027-01-12"},
        "candidates": [
            {
                "key": f"c{i}",
                "title": f"候选项目{i}",
                "responsible_unit": "区民政局",
                "budget_wan": "100.00",
            }
            for i in range(1, candidates + 1)
        ],
        "votes": [
            {
                "key": "main",
                "title": "民生实事项目票决",
                "candidates": [f"c{i}" for i in range(1, candidates + 1)],
                "seats": seats,
                "max_for": max_for if max_for is not None else seats,
                "style": style,
                "base": base,
                "mode": mode,
            }
        ],
    }


def paper_totals(c1: str, c2: str, *, c1_for: int = 5) -> dict[str, Any]:
    """The tellers' totals of a two-candidate paper vote: 8 issued and returned, 1 invalid.
    With c1_for=5 the counts add up to the 7 valid ballots; any other value does not."""
    return {
        "issued": 8,
        "returned": 8,
        "invalid": 1,
        "candidates": {
            c1: {"for": c1_for, "against": 1, "abstain": 1},
            c2: {"for": 2, "against": 3, "abstain": 2},
        },
    }


class ApiClient:
    def __init__(self, client) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def login(self, login: str, secret: str) -> str:
        response = self.client.post("/api/v1/auth/token", json={"login": login, "password": secret})
        assert response.status_code == 201, response.get_json()
        self.tokens[login] = response.get_json()["token"]
        return self.tokens[login]

    def _headers(self, as_: str | None, extra: dict | None) -> dict:
        headers = dict(extra or {})
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        return headers

    def get(self, url: str, as_: str | None = None, **kw):
        return self.client.get(url, headers=self._headers(as_, kw.pop("headers", None)), **kw)

    def post(self, url: str, json: Any = None, as_: str | None = None, **kw):
        return self.client.post(
            url, json=json, headers=self._headers(as_, kw.pop("headers", None)), **kw
        )

    def seat_everyone(self, ids: dict, organiser: str = "organiser") -> None:
        """Every deputy of a scenario logs in (gets a token) and is checked in."""
        for code in ids["deputies"]:
            self.login(code, PIN)
            response = self.post(
                f"/api/v1/sessions/{ids['session']}/attendance",
                {"deputy_code": code},
                as_=organiser,
            )
            assert response.status_code == 201, response.get_json()

    def delete(self, url: str, as_: str | None = None, **kw):
        return self.client.delete(url, headers=self._headers(as_, kw.pop("headers", None)), **kw)


def unsealed_marks(vote_id: int) -> list[str]:
    """An open vote's stored ballots, opened with its ballot box's key (as the close
    would): the database itself holds them sealed."""
    from votesys.extensions import db
    from votesys.voting import ballot_box
    from votesys.voting.models import Ballot, Vote

    vote = db.session.get(Vote, vote_id)
    stored = list(db.session.scalars(db.select(Ballot.marks).where(Ballot.vote_id == vote_id)))
    assert vote.box_key is None or all(m.startswith(ballot_box.PREFIX) for m in stored)
    return ballot_box.unseal_all(vote, stored)
