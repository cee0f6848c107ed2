"""A worker killed mid-batch (SIGKILL) loses no message: once its lease has run out another
worker sends what it had claimed, with the same idempotency ids, so the gateway keeps each
message once and no message ever has a second id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select

from tests.stations.gateway_server import SECRET, Gateway
from tests.stations.test_notify import _messages, _new, _register
from votesys.extensions import db
from votesys.stations import worker
from votesys.stations.message_models import MessageState

VOTESYS = str(Path(sys.executable).with_name("votesys"))
COUNT = 8


def _worker_env(app, url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "VOTESYS_SMS_GATEWAY": "webhook",
        "VOTESYS_SMS_WEBHOOK_URL": url,
        "VOTESYS_SMS_WEBHOOK_SECRET": SECRET,
        "VOTESYS_SMS_LEASE_SECONDS": "2",
        "VOTESYS_SMS_TIMEOUT_SECONDS": "5",
    }


def test_a_worker_killed_mid_batch_loses_no_message_and_never_doubles_an_id(app, logged_in, county):
    for _ in range(COUNT):
        _register(logged_in, _new(logged_in, county, notify_consent=True))
    db.session.commit()
    ids_before = {m.id: m.idempotency_id for m in _messages()}
    assert len(ids_before) == COUNT
    db.session.remove()  # nothing held open while the worker writes

    with Gateway(delay=0.4) as server:
        env = _worker_env(app, server.url)
        first = subprocess.Popen(
            [VOTESYS, "worker", "--batch", str(COUNT), "--interval", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while sum(server.arrivals.values()) < 3 and time.monotonic() < deadline:
            assert first.poll() is None, first.stderr.read().decode()
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # mid-batch, maybe mid-request
        first.wait(10)
        first.stderr.close()
        arrived_before_kill = sum(server.arrivals.values())
        assert 3 <= arrived_before_kill < COUNT

        states = {m.state for m in _messages()}
        assert MessageState.SENDING in states  # claimed by the dead worker, not marked
        db.session.remove()
        time.sleep(2.2)  # the dead worker's lease runs out
        second = subprocess.run(
            [VOTESYS, "worker", "--once", "--batch", str(COUNT)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 0, second.stderr

    after = _messages()
    assert all(m.state == MessageState.SENT for m in after), [m.state for m in after]
    # No message lost, none with a second id: the ids are those they were queued with.
    assert {m.id: m.idempotency_id for m in after} == ids_before
    assert set(server.kept) == set(ids_before.values())
    assert set(server.arrivals) == set(ids_before.values())
    # What the dead worker had sent arrived again, with its one id, and was kept once.
    assert sum(server.arrivals.values()) >= COUNT
    assert len(server.kept) == COUNT
    db.session.remove()
    assert (
        db.session.scalar(select(db.func.count()).select_from(db.text("outbox_messages"))) == COUNT
    )


def test_two_workers_at_once_never_claim_the_same_message(app, logged_in, county):
    for _ in range(COUNT):
        _register(logged_in, _new(logged_in, county, notify_consent=True))
    db.session.commit()
    db.session.remove()
    claims: list[list[int]] = []
    start = threading.Barrier(2)

    def claim() -> None:
        with app.app_context():
            start.wait()
            claims.append(worker.claim(COUNT)[1])
            db.session.remove()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    first, second = claims
    assert not set(first) & set(second)
    assert len(first) + len(second) == COUNT
