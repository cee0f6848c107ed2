"""Simultaneous submissions: one deputy on many tablets at once, and a close racing casts."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.factories import PIN
from votesys.congress import services as congress
from votesys.congress.models import CongressSession, Deputy
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.voting import casting, counting, services
from votesys.voting.models import Ballot, RollEntry, Vote


def _open(ids):
    sess = db.session.get(CongressSession, ids["session"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    services.open_vote(db.session.get(Vote, ids["votes"]["main"]))
    db.session.commit()


def _run_threads(app, n, work):
    barrier = threading.Barrier(n)
    outcomes: list = []
    lock = threading.Lock()

    def target(i):
        with app.app_context():
            barrier.wait()
            try:
                result = work(i)
                db.session.commit()
                outcome = ("ok", result)
            except DomainError as err:
                db.session.rollback()
                outcome = ("refused", err.code)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_one_deputy_many_tablets_exactly_one_ballot(app, make_scenario):
    ids = make_scenario(deputies=3, candidates=3, seats=2)
    _open(ids)
    vote_id, deputy_id = ids["votes"]["main"], ids["deputies"]["D0001"]
    cid = str(ids["candidates"]["c1"])

    def cast(i):
        vote, deputy = db.session.get(Vote, vote_id), db.session.get(Deputy, deputy_id)
        return casting.cast_ballot(vote, deputy, {cid: "for"}).receipt

    outcomes = _run_threads(app, 16, cast)
    ok = [o for o in outcomes if o[0] == "ok"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(ok) == 1, outcomes
    assert len(refused) == 15 and {code for _, code in refused} == {"already_voted"}
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 1


def test_close_racing_casts_counts_exactly_the_accepted(app, make_scenario):
    ids = make_scenario(deputies=24, candidates=2, seats=1)
    _open(ids)
    vote_id = ids["votes"]["main"]
    cid = str(ids["candidates"]["c1"])
    deputies = list(ids["deputies"].values())

    def work(i):
        vote = db.session.get(Vote, vote_id)
        if i == len(deputies):
            return counting.close_vote(vote).id
        deputy = db.session.get(Deputy, deputies[i])
        return casting.cast_ballot(vote, deputy, {cid: "for"}).receipt

    outcomes = _run_threads(app, len(deputies) + 1, work)
    accepted = [o for o in outcomes if o[0] == "ok" and isinstance(o[1], str)]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert all(code == "vote_not_open" for _, code in refused)
    db.session.expire_all()
    vote = db.session.get(Vote, vote_id)
    assert vote.state == "closed"
    assert vote.ballots_cast == len(accepted)
    assert vote.entries[0].votes_for == len(accepted)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == len(accepted)


def test_http_double_submit_same_instant(app, make_scenario):
    """Two tablets of one deputy post at once over HTTP: one 201, one 409 (or the replay)."""
    ids = make_scenario(deputies=3, candidates=2, seats=1)
    _open(ids)
    token = (
        app.test_client()
        .post("/api/v1/auth/token", json={"login": "D0001", "password": PIN})
        .get_json()["token"]
    )
    db.session.commit()
    url = f"/api/v1/votes/{ids['votes']['main']}/ballots"
    body = {"choices": {str(ids["candidates"]["c1"]): "for"}}
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def post():
        client = app.test_client()
        barrier.wait()
        statuses.append(
            client.post(url, json=body, headers={"Authorization": f"Bearer {token}"}).status_code
        )

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [201] + [409] * 7
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_check_ins_racing_the_opening_are_counted_or_refused_never_both(app, make_scenario):
    """Desks keep checking deputies in while the organiser opens the vote: whoever the count
    included may vote, whoever it missed is told they arrived late; never a voter beyond
    the count (which would break ballots ≤ present)."""
    ids = make_scenario(deputies=30, candidates=2, seats=1)
    sess_id, vote_id = ids["session"], ids["votes"]["main"]
    codes = sorted(ids["deputies"])
    with app.app_context():
        sess = db.session.get(CongressSession, sess_id)
        for code in codes[:20]:
            congress.check_in(sess, code)
        db.session.commit()
    late = codes[20:]

    def work(i):
        if i == len(late):
            return services.open_vote(db.session.get(Vote, vote_id)).present_at_open
        return congress.check_in(db.session.get(CongressSession, sess_id), late[i]).code

    outcomes = _run_threads(app, len(late) + 1, work)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    db.session.expire_all()
    vote = db.session.get(Vote, vote_id)
    cid = str(ids["candidates"]["c1"])
    accepted = 0
    for code in codes:
        deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
        try:
            casting.cast_ballot(vote, deputy, {cid: "for"})
            db.session.commit()
            accepted += 1
        except DomainError as err:
            db.session.rollback()
            assert err.code == "checked_in_after_opening"
    assert accepted == vote.present_at_open >= 20
