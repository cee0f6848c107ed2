"""The production server under faults: a worker killed mid-burst, the whole server stopped
and started during an open vote, and the organiser closing while 200 casts are in flight."""

from __future__ import annotations

import os
import signal
import threading

from sqlalchemy import create_engine, text

from tests.faults.burst import (
    Caster,
    cast_once,
    cast_until_acknowledged,
    casters,
    expected_tally,
    run_all,
    stored_tally,
)
from tests.faults.live import Seeded, Server, call, seed_vote


def stored(url: str, vote_id: int) -> dict:
    """What the database holds for the vote: who voted (receipts) and how many ballots."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            receipts = conn.scalars(
                text("SELECT receipt FROM roll_entries WHERE vote_id = :v"), {"v": vote_id}
            ).all()
            ballots = conn.scalar(
                text("SELECT count(*) FROM ballots WHERE vote_id = :v"), {"v": vote_id}
            )
    finally:
        engine.dispose()
    return {"receipts": receipts, "ballots": ballots}


def close_and_check(server: Server, seeded: Seeded, acknowledged: list[Caster]) -> dict:
    """Close through the API: the tally is exactly the acknowledged ballots."""
    closed = call(server.url, "POST", f"/api/v1/votes/{seeded.vote}/close", token=seeded.organiser)
    assert closed.status == 200, closed.text
    result = closed.json
    assert result["ballots"] == len(acknowledged)
    assert stored_tally(result) == expected_tally(acknowledged, seeded.candidates)
    record = call(server.url, "GET", f"/api/v1/votes/{seeded.vote}/record", token=seeded.organiser)
    assert record.status == 200 and len(record.json["ballots"]) == len(acknowledged)
    return result


def test_worker_killed_mid_burst_loses_nothing_counts_nothing_twice(server_db, servers, tmp_path):
    seeded = seed_vote(server_db, tmp_path / "instance", deputies=120, candidates=3, seats=2)
    server = Server(server_db, tmp_path, workers=2, threads=4)
    servers.append(server)
    server.start()
    everyone = casters(seeded)
    acknowledged = threading.Semaphore(0)
    victims: list[int] = []

    def cast(caster: Caster) -> Caster:
        done = cast_until_acknowledged(server.url, seeded.vote, caster)
        acknowledged.release()
        return done

    def killer() -> None:
        for _ in range(25):  # a fifth of the burst acknowledged: the rest are in flight
            acknowledged.acquire(timeout=120)
        # Every worker at once: 24 tablets keep sending, so the requests the workers are
        # handling break (killing one worker of two could find it idle between requests).
        for victim in server.workers_pids():
            victims.append(victim)
            os.kill(victim, signal.SIGKILL)

    kill = threading.Thread(target=killer)
    kill.start()
    outcomes = run_all(cast, everyone, threads=24)
    kill.join(130)
    assert victims, "the worker was never killed"

    assert all(c.receipt and not c.answers for c in outcomes), [
        (c.code, c.statuses) for c in outcomes if c.answers or not c.receipt
    ]
    assert sum(c.broken for c in outcomes) >= 1, "no request was in flight when the worker died"
    in_db = stored(server_db, seeded.vote)
    assert sorted(in_db["receipts"]) == sorted(c.receipt for c in outcomes)
    assert in_db["ballots"] == len(outcomes) == 120
    # The broken ones asked again with the same key: the same receipt, never a second ballot.
    for caster in (c for c in outcomes if c.broken):
        again = cast_once(server.url, seeded.vote, caster)
        assert again.status == 201 and again.json["receipt"] == caster.receipt
    close_and_check(server, seeded, outcomes)
    assert not set(victims) & set(server.workers_pids())  # gunicorn replaced the killed workers


def test_server_stopped_and_started_during_an_open_vote(server_db, servers, tmp_path):
    seeded = seed_vote(server_db, tmp_path / "instance", deputies=30, candidates=3, seats=2)
    server = Server(server_db, tmp_path, workers=2, threads=4)
    servers.append(server)
    server.start()
    everyone = casters(seeded)
    first, rest = everyone[:12], everyone[12:]
    run_all(lambda c: cast_until_acknowledged(server.url, seeded.vote, c), first, threads=6)
    assert all(c.receipt for c in first)

    server.stop()
    assert server.process.returncode == 0, server.log_text()[-2000:]
    server.start()

    shown = call(server.url, "GET", f"/api/v1/votes/{seeded.vote}", token=seeded.organiser)
    assert shown.status == 200
    assert shown.json["state"] == "open"
    assert shown.json["ballots_cast"] == len(first)
    for caster in first:  # who voted is still recorded: a second ballot is refused…
        refused = cast_once(server.url, seeded.vote, caster, key="another-tablet")
        assert refused.status == 409 and refused.json["error"] == "already_voted"
        # …and the first one's retry still gets its receipt back
        again = cast_once(server.url, seeded.vote, caster)
        assert again.status == 201 and again.json["receipt"] == caster.receipt
    run_all(lambda c: cast_until_acknowledged(server.url, seeded.vote, c), rest, threads=6)
    assert all(c.receipt and not c.answers for c in rest)
    close_and_check(server, seeded, everyone)


def test_close_racing_200_casts_over_http(server_db, servers, tmp_path):
    seeded = seed_vote(server_db, tmp_path / "instance", deputies=200, candidates=3, seats=2)
    server = Server(server_db, tmp_path, workers=2, threads=4)
    servers.append(server)
    server.start()
    everyone = casters(seeded)
    answered = threading.Semaphore(0)
    closing: list = []
    # The first 40 cast at once; the other 160 are let go as the close is sent, so that the
    # close lands among them however fast or slow the machine (on a loaded machine every
    # cast could otherwise be answered before the close was sent: no race).
    first = {id(c) for c in everyone[:40]}
    go = threading.Event()

    def cast(caster: Caster) -> Caster:
        if id(caster) not in first:
            go.wait(130)
        done = cast_until_acknowledged(server.url, seeded.vote, caster)
        answered.release()
        return done

    def organiser() -> None:
        for _ in range(40):
            answered.acquire(timeout=120)
        go.set()
        closing.append(
            call(server.url, "POST", f"/api/v1/votes/{seeded.vote}/close", token=seeded.organiser)
        )

    close = threading.Thread(target=organiser)
    close.start()
    outcomes = run_all(cast, everyone, threads=100)
    close.join(130)
    assert closing and closing[0].status == 200, closing and closing[0].text

    counted = [c for c in outcomes if c.receipt]
    refused = [c for c in outcomes if not c.receipt]
    assert not any(c.broken for c in outcomes)
    assert all(c.statuses == [409] for c in refused), {tuple(c.statuses) for c in refused}
    assert {c.answers[0].json["error"] for c in refused} == {"vote_not_open"}
    assert counted and refused, "the close did not race the casts"
    result = closing[0].json
    assert result["ballots"] == len(counted)
    assert stored_tally(result) == expected_tally(counted, seeded.candidates)
    in_db = stored(server_db, seeded.vote)
    assert sorted(in_db["receipts"]) == sorted(c.receipt for c in counted)
    assert in_db["ballots"] == len(counted)
