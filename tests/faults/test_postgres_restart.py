"""PostgreSQL restarted during a casting burst: requests in flight are answered 503 with a
clear message (JSON for the API, a page for the rest), no ballot is half-stored, and the
retries succeed once the database is back. The cluster is this test's own."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.faults.burst import Caster, cast_until_acknowledged, casters, run_all
from tests.faults.live import Answer, Broken, PrivateCluster, Server, call, seed_vote, wait_for
from tests.faults.test_server import close_and_check, stored

UNAVAILABLE_ZH = "服务暂时不可用，请稍后重试。"


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    pg = PrivateCluster()
    try:
        pg.start()
        yield pg
    finally:
        pg.remove()


def test_postgres_restart_mid_burst(cluster, servers, tmp_path):
    url = cluster.create_database("votesys_faults_restart")
    seeded = seed_vote(url, tmp_path / "instance", deputies=80, candidates=3, seats=2)
    server = Server(url, tmp_path, workers=2, threads=4)
    servers.append(server)
    server.start()
    _burst_across_restart(cluster, server, seeded, url)


def _burst_across_restart(cluster, server, seeded, url) -> None:
    everyone = casters(seeded)
    acknowledged = threading.Semaphore(0)
    pages: list[Answer] = []
    down = threading.Event()
    finished = threading.Event()
    problems: list[str] = []

    early = {c.code for c in everyone[:30]}

    def cast(caster: Caster) -> Caster:
        # A first wave is casting when the database stops; the rest come while it is down.
        if caster.code not in early:
            down.wait(120)
        done = cast_until_acknowledged(server.url, seeded.vote, caster, retry_statuses=(503,))
        acknowledged.release()
        return done

    def hall_screen() -> None:
        """The hall's screen keeps loading its page (HTML) through the outage."""
        while not finished.is_set():
            try:
                pages.append(call(server.url, "GET", f"/hall/{seeded.session}"))
            except Broken:
                pass
            finished.wait(0.1)

    def restart() -> None:
        for _ in range(15):
            acknowledged.acquire(timeout=120)
        cluster.stop()
        down.set()
        try:  # down until casts and the page have been refused, then back whatever happens
            wait_for(lambda: any(p.status == 503 for p in pages), 60, "a 503 page", step=0.2)
            wait_for(lambda: any(c.answers for c in everyone), 60, "a refused cast", step=0.2)
        except AssertionError as err:
            problems.append(str(err))
        finally:
            cluster.start()

    screen = threading.Thread(target=hall_screen)
    restarter = threading.Thread(target=restart)
    screen.start()
    restarter.start()
    try:
        outcomes = run_all(cast, everyone, threads=24)
    finally:
        restarter.join(180)
        finished.set()
        screen.join(30)
    assert down.is_set() and not problems, problems

    # Everyone ends with exactly one ballot, acknowledged; the refusals on the way were 503s.
    assert all(c.receipt for c in outcomes), [(c.code, c.statuses) for c in outcomes]
    refusals = [a for c in outcomes for a in c.answers]
    assert refusals, "no cast was refused while the database was down"
    assert {a.status for a in refusals} == {503}
    for answer in refusals:
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json == {"error": "unavailable", "message": UNAVAILABLE_ZH}
    unavailable_pages = [p for p in pages if p.status == 503]
    assert unavailable_pages and {p.status for p in pages} <= {200, 503}
    for page in unavailable_pages:
        assert page.headers["Content-Type"].startswith("text/html")
        assert UNAVAILABLE_ZH in page.text
    for answer in [*refusals, *pages]:
        assert "Traceback" not in answer.text and "psycopg" not in answer.text

    # No partial ballot: the roll and the ballots agree, and match the acknowledgements.
    in_db = stored(url, seeded.vote)
    assert sorted(in_db["receipts"]) == sorted(c.receipt for c in outcomes)
    assert in_db["ballots"] == len(outcomes)
    close_and_check(server, seeded, outcomes)
    assert "Traceback" not in server.log_text()
