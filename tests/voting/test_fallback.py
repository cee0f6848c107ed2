"""Paper when tablets fail, inside the same vote (改用纸质选票, issue 18 item 2), and the four
eyes on paper totals (item 1): the switch stops casting at once; the deputies counted at the
opening who had not voted on a tablet vote on paper; the tellers' paper part is added to the
electronic ballots at the close, checked against the uncast deputies; where the session has
scrutineers, paper totals count only once a scrutineer (another person) confirms them."""

from __future__ import annotations

import datetime

import pytest
from flask import g
from sqlalchemy import func, select

from tests import oracle
from tests.factories import build_scenario
from tests.voting.test_concurrency import _open, _run_threads
from votesys import scenario
from votesys.congress.models import CongressSession, Deputy
from votesys.errors import Forbidden
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.voting import casting, fallback
from votesys.voting.models import Ballot, RollEntry, Vote, VoteRecord
from votesys.voting.record import parse_record
from votesys.voting.record_rules import verify_record
from votesys.voting.scrutiny_models import Scrutineer, Scrutiny


def _opened(make_scenario, api, *, deputies=9, candidates=3, seats=2, **kw) -> tuple[dict, int]:
    ids = make_scenario(deputies=deputies, candidates=candidates, seats=seats, **kw)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    r = api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    assert r.status_code == 200, r.get_json()
    return ids, vid


def _cids(ids) -> list[str]:
    return [str(ids["candidates"][f"c{i}"]) for i in range(1, len(ids["candidates"]) + 1)]


def _cast(api, vid, code, choices) -> object:
    return api.post(f"/api/v1/votes/{vid}/ballots", {"choices": choices}, as_=code)


def _paper(ids, issued, returned, invalid, counts) -> dict:
    """counts: per candidate (for, against, abstain), in ballot order."""
    return {
        "issued": issued,
        "returned": returned,
        "invalid": invalid,
        "candidates": {
            cid: {"for": f, "against": a, "abstain": n}
            for cid, (f, a, n) in zip(_cids(ids), counts, strict=True)
        },
    }


def _switch(api, vid, reason="平板网络故障") -> object:
    return api.post(f"/api/v1/votes/{vid}/fallback", {"reason": reason}, as_="organiser")


def _scrutineers(ids, *codes) -> None:
    db.session.add(Scrutiny(session_id=ids["session"], required=len(codes)))
    for code in codes:
        db.session.add(Scrutineer(session_id=ids["session"], deputy_id=ids["deputies"][code]))
    db.session.commit()


def _record(vid) -> dict:
    return parse_record(db.session.get(VoteRecord, vid).body)


def test_fallback_adds_the_paper_part_to_the_tablets_ballots(make_scenario, organiser, api):
    ids, vid = _opened(make_scenario, api)
    c1, c2, c3 = _cids(ids)
    for code in ("D0001", "D0002", "D0003", "D0004"):
        assert _cast(api, vid, code, {c1: "for", c2: "against"}).status_code == 201
    switched = _switch(api, vid, "  平板网络故障  ")
    assert switched.status_code == 200, switched.get_json()
    body = switched.get_json()
    assert body["paper_ballots_to_issue"] == 5
    assert [d["code"] for d in body["deputies"]] == ["D0005", "D0006", "D0007", "D0008", "D0009"]
    assert body["fallback"]["reason"] == "平板网络故障"
    # Casting has stopped: a tablet that had not cast is refused, and nothing is stored.
    refused = _cast(api, vid, "D0005", {c1: "for"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "fallen_back"
    # Closing before the paper totals are entered: refused, the vote stays open.
    early = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert early.status_code == 409 and early.get_json()["error"] == "paper_totals_missing"
    # 5 issued (= uncast), 5 returned, 1 invalid: 4 valid paper ballots.
    entered = api.post(
        f"/api/v1/votes/{vid}/paper",
        _paper(ids, 5, 5, 1, [(3, 1, 0), (1, 2, 1), (0, 0, 4)]),
        as_="organiser",
    )
    assert entered.status_code == 200, entered.get_json()
    assert entered.get_json()["status"] == "effective"
    closed = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert closed.status_code == 200, closed.get_json()
    result = api.get(f"/api/v1/votes/{vid}/result", as_="organiser").get_json()
    assert result["electronic_ballots"] == 4 and result["paper_ballots"] == 5
    assert result["ballots"] == 9 and result["valid_ballots"] == 8
    by_id = {str(c["id"]): c for c in result["candidates"]}
    assert (by_id[c1]["for"], by_id[c1]["against"], by_id[c1]["abstain"]) == (7, 1, 0)
    assert (by_id[c2]["for"], by_id[c2]["against"], by_id[c2]["abstain"]) == (1, 6, 1)
    assert (by_id[c3]["for"], by_id[c3]["abstain"]) == (0, 8)
    assert by_id[c1]["invalid"] == 1
    assert result["paper"] == {"issued": 5, "returned": 5, "invalid": 1}
    assert result["fallback"]["paper_candidates"][0] == {
        "id": int(c1),
        "for": 3,
        "against": 1,
        "abstain": 0,
    }
    # 7 of 9 current deputies: c1 passes; c2 with 1 does not.
    assert by_id[c1]["approved"] and not by_id[c2]["passed"]
    record = _record(vid)
    assert record["fallback"]["electronic_ballots"] == 4
    assert record["fallback"]["paper"]["returned"] == 5
    assert len(record["ballots"]) == len(record["trackers"]) == 4
    assert record["roll"]["ballots_cast"] == 9
    assert all(c.ok for c in verify_record(record)), verify_record(record)


def test_a_record_whose_paper_part_does_not_add_up_fails(make_scenario, organiser, api):
    ids, vid = _opened(make_scenario, api)
    c1, _c2, _c3 = _cids(ids)
    for code in ("D0001", "D0002"):
        _cast(api, vid, code, {c1: "for"})
    _switch(api, vid)
    api.post(
        f"/api/v1/votes/{vid}/paper",
        _paper(ids, 7, 7, 0, [(5, 1, 1), (0, 7, 0), (0, 0, 7)]),
        as_="organiser",
    )
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    record = _record(vid)
    assert all(c.ok for c in verify_record(record))
    for change in (
        lambda r: r["fallback"]["paper"]["tally"][0].update({"for": 6, "abstain": 0}),
        lambda r: r["fallback"].update({"electronic_ballots": 3}),
        lambda r: r["fallback"]["paper"].update({"issued": 8}),  # > 7 uncast: void, not stated
        lambda r: r["tally"][0].update({"for": 8}),
        lambda r: r["roll"].update({"ballots_cast": 8}),
        lambda r: r.update({"fallback": "x"}),
    ):
        changed = parse_record(db.session.get(VoteRecord, vid).body)
        change(changed)
        assert not all(c.ok for c in verify_record(changed)), change


@pytest.mark.parametrize(("issued", "void"), [(5, None), (6, "issued_exceeds_uncast")])
def test_paper_issued_above_the_uncast_deputies_voids_the_vote(
    make_scenario, organiser, api, issued, void
):
    """A deputy who voted on a tablet cannot be counted again on paper: 4 cast of 9
    present, so 5 paper ballots at most; a sixth voids the vote."""
    ids, vid = _opened(make_scenario, api)
    c1, _c2, _c3 = _cids(ids)
    for code in ("D0001", "D0002", "D0003", "D0004"):
        _cast(api, vid, code, {c1: "for"})
    _switch(api, vid)
    r = api.post(
        f"/api/v1/votes/{vid}/paper",
        _paper(ids, issued, 5, 0, [(5, 0, 0), (0, 5, 0), (0, 0, 5)]),
        as_="organiser",
    )
    assert r.status_code == 200, r.get_json()
    closed = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert closed.status_code == 200
    result = closed.get_json()
    assert result["void"] == void
    assert (result["electronic_ballots"], result["paper_ballots"]) == (4, 5)
    if void:
        assert all(c["approved"] is None for c in result["candidates"])
        assert result["threshold"] is None
    else:
        assert result["candidates"][0]["approved"]
    assert all(c.ok for c in verify_record(_record(vid)))


def test_returned_above_issued_voids(make_scenario, organiser, api):
    ids, vid = _opened(make_scenario, api)
    _switch(api, vid)
    api.post(
        f"/api/v1/votes/{vid}/paper",
        _paper(ids, 8, 9, 0, [(9, 0, 0), (0, 9, 0), (0, 0, 9)]),
        as_="organiser",
    )
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    assert result["void"] == "returned_exceeds_issued"
    assert (result["electronic_ballots"], result["paper_ballots"]) == (0, 9)
    assert all(c.ok for c in verify_record(_record(vid)))


@pytest.mark.parametrize(
    ("totals", "field"),
    [
        ((5, 5, 6, [(0, 0, 0)] * 3), "invalid"),  # invalid > returned
        ((5, 5, 0, [(5, 1, 0), (0, 5, 0), (0, 0, 5)]), "candidates["),  # > valid
        ((5, 5, 1, [(5, 0, 0), (0, 5, 0), (0, 0, 5)]), "candidates["),  # 5 ≠ 4 valid
        ((-1, 0, 0, [(0, 0, 0)] * 3), "issued"),
    ],
)
def test_entry_mistakes_are_refused_and_nothing_is_stored(
    make_scenario, organiser, api, totals, field
):
    ids, vid = _opened(make_scenario, api)
    _switch(api, vid)
    r = api.post(f"/api/v1/votes/{vid}/paper", _paper(ids, *totals), as_="organiser")
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["field"].startswith(field)
    status = api.get(f"/api/v1/votes/{vid}/paper", as_="organiser").get_json()
    assert status["status"] == "none" and status["entry"] is None


def test_the_switch_is_refused_where_it_does_not_apply(make_scenario, organiser, api):
    ids, vid = _opened(make_scenario, api)
    assert _switch(api, vid, "   ").status_code == 422  # a reason is required
    assert _switch(api, vid, "长" * 501).status_code == 422
    assert db.session.get(Vote, vid).fallback_at is None
    assert _switch(api, vid).status_code == 200
    again = _switch(api, vid)
    assert again.status_code == 409 and again.get_json()["error"] == "already_fallen_back"
    # Audited once, with the reason and the figures.
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "vote_fallback")
    ).all()
    assert len(entries) == 1 and "平板网络故障" in entries[0].details


@pytest.mark.parametrize("kind", ["paper", "practice", "closed", "draft"])
def test_the_switch_on_a_paper_practice_closed_or_draft_vote_is_refused(
    make_scenario, organiser, api, kind
):

    data = build_scenario(
        deputies=6, candidates=2, seats=1, mode="paper" if kind == "paper" else "electronic"
    )
    if kind == "practice":
        data["votes"][0]["practice"] = True
    ids = scenario.load(data)
    db.session.commit()
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    if kind != "draft":
        api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    if kind == "closed":
        api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    r = _switch(api, vid)
    expected = {"paper": "paper_vote", "practice": "practice_vote"}.get(kind, "wrong_state")
    assert r.status_code == 409 and r.get_json()["error"] == expected
    assert db.session.get(Vote, vid).fallback_at is None


def test_four_eyes_on_a_paper_part(make_scenario, organiser, api):
    ids, vid = _opened(make_scenario, api)
    _scrutineers(ids, "D0008")
    c1, _c2, _c3 = _cids(ids)
    for code in ("D0001", "D0002", "D0003"):
        _cast(api, vid, code, {c1: "for"})
    _switch(api, vid)
    first = _paper(ids, 6, 6, 0, [(6, 0, 0), (0, 6, 0), (0, 0, 6)])
    r = api.post(f"/api/v1/votes/{vid}/paper", first, as_="organiser")
    assert r.status_code == 202 and r.get_json()["status"] == "pending"
    # Pending: the vote cannot be counted with them.
    early = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert early.status_code == 409 and early.get_json()["error"] == "paper_not_confirmed"
    # A deputy who is not a scrutineer of the session cannot confirm (nor read them).
    stranger = api.post(f"/api/v1/votes/{vid}/paper/confirm", {"entry": 1}, as_="D0007")
    assert stranger.status_code == 403 and stranger.get_json()["error"] == "not_a_scrutineer"
    assert api.get(f"/api/v1/votes/{vid}/paper", as_="D0007").status_code == 403
    # A correction replaces the pending entry; a confirmation of the old figures is refused.
    second = _paper(ids, 6, 6, 1, [(5, 0, 0), (0, 5, 0), (0, 0, 5)])
    r = api.post(f"/api/v1/votes/{vid}/paper", second, as_="organiser")
    assert r.status_code == 202 and r.get_json()["entry"]["revision"] == 2
    stale = api.post(f"/api/v1/votes/{vid}/paper/confirm", {"entry": 1}, as_="D0008")
    assert stale.status_code == 409 and stale.get_json()["error"] == "paper_changed"
    shown = api.get(f"/api/v1/votes/{vid}/paper", as_="D0008").get_json()
    assert shown["status"] == "pending" and shown["entry"]["invalid"] == 1
    ok = api.post(f"/api/v1/votes/{vid}/paper/confirm", {"entry": 2}, as_="D0008")
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["status"] == "effective"
    assert ok.get_json()["entry"]["confirmed_by"]["code"] == "D0008"
    again = api.post(f"/api/v1/votes/{vid}/paper/confirm", {"entry": 2}, as_="D0008")
    assert again.status_code == 409 and again.get_json()["error"] == "nothing_to_confirm"
    closed = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert closed.status_code == 200
    result = closed.get_json()
    assert (result["electronic_ballots"], result["paper_ballots"]) == (3, 6)
    assert result["candidates"][0]["for"] == 8
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object == f"vote:{vid}").order_by(AuditEntry.seq)
    ).all()
    assert actions[-5:] == [
        "vote_fallback",
        "paper_totals_entered",
        "paper_totals_corrected",
        "paper_totals_confirmed",
        "vote_closed",
    ]


def test_the_enterer_cannot_confirm(make_scenario, organiser, api, app):
    """Four eyes: whoever entered the totals is not the second pair. Entered in the name of
    a scrutineer (the service, as a teller who is also a scrutineer would), refused."""

    ids, vid = _opened(make_scenario, api)
    _scrutineers(ids, "D0008", "D0009")
    _switch(api, vid)
    vote = db.session.get(Vote, vid)
    deputy = db.session.get(Deputy, ids["deputies"]["D0008"])
    counts = {int(c): {"for": 0, "against": 9, "abstain": 0} for c in _cids(ids)}
    with app.test_request_context():
        g.principal = deputy
        assert (
            fallback.enter_paper(vote, issued=9, returned=9, invalid_ballots=0, counts=counts)
            == "pending"
        )
        with pytest.raises(Forbidden) as refused:
            fallback.confirm_paper(vote, deputy, 1)
        assert refused.value.code == "own_entry"
        other = db.session.get(Deputy, ids["deputies"]["D0009"])
        g.principal = other
        assert fallback.confirm_paper(vote, other, 1) == "effective"


def test_four_eyes_on_a_paper_vote(make_scenario, organiser, api):
    """A paper vote of a session with scrutineers closes when a scrutineer confirms."""
    ids, vid = _opened(make_scenario, api, deputies=8, candidates=2, seats=1, mode="paper")
    _scrutineers(ids, "D0001")
    body = _paper(ids, 8, 8, 1, [(5, 1, 1), (2, 3, 2)])
    r = api.post(f"/api/v1/votes/{vid}/paper", body, as_="organiser")
    assert r.status_code == 202, r.get_json()
    assert db.session.get(Vote, vid).state == "open"
    early = api.post(f"/api/v1/votes/{vid}/publish", as_="organiser")
    assert early.status_code == 409
    ok = api.post(f"/api/v1/votes/{vid}/paper/confirm", {"entry": 1}, as_="D0001")
    assert ok.status_code == 200, ok.get_json()
    db.session.expire_all()
    assert db.session.get(Vote, vid).state == "closed"
    result = api.get(f"/api/v1/votes/{vid}/result", as_="organiser").get_json()
    assert (result["electronic_ballots"], result["paper_ballots"]) == (0, 8)
    assert result["fallback"] is None


def test_a_paper_vote_without_scrutineers_closes_at_once(make_scenario, organiser, api):
    ids, vid = _opened(make_scenario, api, deputies=8, candidates=2, seats=1, mode="paper")
    r = api.post(
        f"/api/v1/votes/{vid}/paper", _paper(ids, 8, 8, 1, [(5, 1, 1), (2, 3, 2)]), as_="organiser"
    )
    assert r.status_code == 200 and r.get_json()["state"] == "closed"
    assert r.get_json()["paper_ballots"] == 8 and r.get_json()["electronic_ballots"] == 0


def test_an_electronic_vote_has_no_paper_ballots(make_scenario, organiser, api):
    ids, vid = _opened(make_scenario, api, deputies=6, candidates=2, seats=1)
    c1 = _cids(ids)[0]
    for code in ("D0001", "D0002", "D0003"):
        _cast(api, vid, code, {c1: "for"})
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    assert (result["electronic_ballots"], result["paper_ballots"]) == (3, 0)
    assert result["fallback"] is None and result["paper"] is None
    assert "fallback" not in _record(vid)
    refused = api.post(
        f"/api/v1/votes/{vid}/paper", _paper(ids, 1, 1, 0, [(1, 0, 0)] * 2), as_="organiser"
    )
    assert refused.status_code == 409


CASES = [
    # (electronic ballots, paper ballots (None: invalid), seats, base)
    (
        [{"c1": "for", "c2": "against"}, {"c1": "for"}, {"c2": "for", "c3": "for"}],
        [{"c1": "for"}, {"c1": "for", "c2": "for", "c3": "for"}, {"c3": "against"}, {}],
        2,
        "all_deputies",
    ),
    (
        [{"c1": "for"}] * 5,
        [{"c2": "for", "c1": "against"}, {"c2": "for"}, {"c3": "for"}],
        1,
        "valid_ballots",
    ),
    (
        [],
        [{"c1": "for", "c2": "for"}, {"c1": "for"}, {"c2": "for"}, {"c3": "abstain"}],
        2,
        "present",
    ),
]


@pytest.mark.parametrize(("electronic", "paper", "seats", "base"), CASES)
def test_the_result_adds_both_parts_as_the_oracle_counts(
    make_scenario, organiser, api, electronic, paper, seats, base
):
    ids, vid = _opened(make_scenario, api, deputies=10, candidates=3, seats=seats, base=base)
    keys = ["c1", "c2", "c3"]
    cid = {k: str(ids["candidates"][k]) for k in keys}
    codes = sorted(ids["deputies"])
    for code, ballot in zip(codes, electronic, strict=False):
        r = _cast(api, vid, code, {cid[k]: v for k, v in ballot.items()})
        assert r.status_code == 201, r.get_json()
    _switch(api, vid)
    valid_paper = [b for b in paper if oracle.paper_ballot_valid(b, max_for=seats)]
    marks = oracle.count(valid_paper, keys)
    body = _paper(
        ids,
        len(paper),
        len(paper),
        len(paper) - len(valid_paper),
        [(marks[k].votes_for, marks[k].against, marks[k].abstain) for k in keys],
    )
    assert api.post(f"/api/v1/votes/{vid}/paper", body, as_="organiser").status_code == 200
    result = api.post(f"/api/v1/votes/{vid}/close", as_="organiser").get_json()
    counted = electronic + valid_paper
    expected = oracle.count(counted, keys)
    size = oracle.base_size(base, current=10, present_at_opening=10, valid=len(counted))
    outcomes = oracle.decide({k: expected[k].votes_for for k in keys}, seats=seats, size=size)
    rows = {str(c["id"]): c for c in result["candidates"]}
    for k in keys:
        row = rows[cid[k]]
        assert (row["for"], row["against"], row["abstain"]) == (
            expected[k].votes_for,
            expected[k].against,
            expected[k].abstain,
        )
        o = outcomes[k]
        assert (row["passed"], row["rank"], row["approved"], row["tied"]) == (
            o.passed,
            o.rank,
            o.approved,
            o.tied,
        )
    assert result["threshold"] == oracle.threshold(size)
    assert result["electronic_ballots"] == len(electronic)
    assert result["paper_ballots"] == len(paper)
    assert all(c.ok for c in verify_record(_record(vid)))
    assert db.session.scalar(select(func.count()).select_from(VoteRecord)) == 1


def test_a_switch_racing_casts_counts_each_ballot_once_or_refuses_it(app, make_scenario):
    """Casts racing the switch: each is counted on its tablet or refused (fallen_back),
    never both, never lost; the paper ballots to issue are exactly the rest."""
    ids = make_scenario(deputies=24, candidates=2, seats=1)
    _open(ids)
    vote_id = ids["votes"]["main"]
    cid = str(ids["candidates"]["c1"])
    deputies = list(ids["deputies"].values())

    def work(i):
        vote = db.session.get(Vote, vote_id)
        if i == len(deputies):
            return fallback.switch_to_paper(vote, "网络中断").id
        deputy = db.session.get(Deputy, deputies[i])
        return casting.cast_ballot(vote, deputy, {cid: "for"}).receipt

    outcomes = _run_threads(app, len(deputies) + 1, work)
    accepted = [o for o in outcomes if o[0] == "ok" and isinstance(o[1], str)]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(accepted) + len(refused) == len(deputies)
    assert all(code == "fallen_back" for _, code in refused)
    db.session.expire_all()
    vote = db.session.get(Vote, vote_id)
    assert vote.fallback_at is not None and vote.state == "open"
    roll = db.session.scalar(select(func.count()).where(RollEntry.vote_id == vote_id))
    stored = db.session.scalar(select(func.count()).where(Ballot.vote_id == vote_id))
    assert roll == stored == len(accepted)
    assert fallback.uncast(vote) == len(deputies) - len(accepted) == len(casting.not_voted(vote))


def test_a_scrutineer_of_another_session_cannot_confirm(make_scenario, organiser, api):
    """The confirmer must be a scrutineer of the vote's own session: one appointed for
    another session of the same congress is refused, and the totals stay pending."""
    ids, vid = _opened(make_scenario, api)
    _scrutineers(ids, "D0008")
    this = db.session.get(CongressSession, ids["session"])
    other = CongressSession(
        congress_id=this.congress_id, name="第二次会议", date=datetime.date(2027, 6, 1)
    )
    db.session.add(other)
    db.session.flush()
    db.session.add(Scrutiny(session_id=other.id, required=1))
    db.session.add(Scrutineer(session_id=other.id, deputy_id=ids["deputies"]["D0007"]))
    db.session.commit()
    _switch(api, vid)
    body = _paper(ids, 9, 9, 0, [(9, 0, 0), (0, 9, 0), (0, 0, 9)])
    assert api.post(f"/api/v1/votes/{vid}/paper", body, as_="organiser").status_code == 202
    refused = api.post(f"/api/v1/votes/{vid}/paper/confirm", {"entry": 1}, as_="D0007")
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_a_scrutineer"
    status = api.get(f"/api/v1/votes/{vid}/paper", as_="organiser").get_json()
    assert status["status"] == "pending" and status["entry"]["confirmed_by"] is None
    # Bad input: no revision named, or not a whole number.
    for body in ({}, {"entry": "x"}, {"entry": 0}):
        bad = api.post(f"/api/v1/votes/{vid}/paper/confirm", body, as_="D0008")
        assert bad.status_code == 422 and bad.get_json()["field"] == "entry"
