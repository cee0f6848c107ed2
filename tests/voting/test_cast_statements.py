"""A cast is the hot path of the hall: its SQL statements are counted, so that a change that
adds a round trip to every ballot is seen here (bench_vote measures what they cost)."""

from __future__ import annotations

from sqlalchemy import event

from tests.factories import PIN
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.extensions import db
from votesys.voting import casting, services
from votesys.voting.models import Vote


def _statements(app, call) -> tuple[list[str], object]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement.split(None, 1)[0].upper())

    db.session.remove()  # nothing of the set-up's in the identity map
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen, answer


def _open_vote_with_everyone_present(make_scenario, **kwargs) -> int:
    ids = make_scenario(**kwargs)
    sess = db.session.get(CongressSession, ids["session"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    vid = ids["votes"]["main"]
    services.open_vote(db.session.get(Vote, vid))
    db.session.commit()
    return vid


def test_a_cast_is_four_statements_on_postgresql_five_on_sqlite(app, api, make_scenario):
    vid = _open_vote_with_everyone_present(make_scenario, deputies=3, candidates=4, seats=2)
    api.login("D0001", PIN)
    api.login("D0002", PIN)
    # the first cast in a process also reads the vote's order of candidates, once
    first = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {}}, as_="D0002")
    assert first.status_code == 201
    seen, answer = _statements(
        app,
        lambda: api.post(
            f"/api/v1/votes/{vid}/ballots",
            {"choices": {}},
            as_="D0001",
            headers={"Idempotency-Key": "k-1"},
        ),
    )
    assert answer.status_code == 201, answer.get_json()
    # token with its owner; the vote with the casting check (its state, congress, the
    # deputy's check-in and count at opening; on PostgreSQL it locks the vote's state);
    # roll entry; ballot. SQLite reads the state once more after taking its write lock
    # with the roll entry (casting._cast).
    postgres = db.engine.dialect.name == "postgresql"
    assert seen.count("INSERT") == 2, seen
    assert seen.count("SELECT") == (2 if postgres else 3), seen
    assert len(seen) == (4 if postgres else 5), seen


def test_the_body_is_read_before_the_vote_is_locked(app, api, make_scenario, monkeypatch):
    """A slow client must not hold the vote's row (FOR SHARE until the commit, which a close
    waits for) while its body comes in: the body is off the connection first."""
    from flask import request

    vid = _open_vote_with_everyone_present(make_scenario, deputies=2, candidates=2, seats=1)
    api.login("D0001", PIN)
    seen = []
    locking = casting.vote_for_casting

    def watched(*args, **kwargs):
        seen.append(getattr(request, "_cached_data", None))
        return locking(*args, **kwargs)

    monkeypatch.setattr(casting, "vote_for_casting", watched)
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {}}, as_="D0001")
    assert r.status_code == 201
    assert seen == [b'{"choices": {}}']
