"""Guesses that arrive all at once: at most 5 PIN checks per deputy between unlocks, login
limits that hold under a parallel burst, a lock that ends the tokens a burst won, PIN logins
kept to the hall's networks, and an organiser that guesses from elsewhere cannot lock out.

The password check is made slow here (50 ms, as a real Argon2 hash is) so that every
request of a burst is inside it at the same time: the window the defects lived in."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from tests.auth.test_login_security import audits, deputy
from tests.factories import PIN
from votesys.auth import services as auth_services
from votesys.extensions import db


class SlowCheck:
    """check_secret, 50 ms slower, counting the checks made against real hashes."""

    def __init__(self, monkeypatch) -> None:
        self.real = auth_services.check_secret
        self.checks = 0
        self.lock = threading.Lock()
        monkeypatch.setattr(auth_services, "check_secret", self)

    def __call__(self, stored, secret) -> bool:
        if stored is not None:
            with self.lock:
                self.checks += 1
        time.sleep(0.05)
        return self.real(stored, secret)


def burst(app, requests: list[tuple[str, dict, str]]) -> list:
    """Send every (path, json, address) at once, each from its own client."""
    start = threading.Barrier(len(requests))

    def send(item):
        path, body, address = item
        client = app.test_client()
        start.wait()
        return client.post(path, json=body, environ_base={"REMOTE_ADDR": address})

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


@pytest.fixture
def roomy_limits(app):
    """The per-address limits out of the way, to look at the PIN lock alone."""
    app.config["LOGIN_RATE_LIMIT_CLIENT"] = "1000 per minute"
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "1000 per minute"


def test_a_parallel_burst_checks_at_most_five_pins_and_keeps_no_token(
    app, two_counties, monkeypatch, roomy_limits
):
    slow = SlowCheck(monkeypatch)
    guesses = [f"{n:06d}" for n in range(100000, 100049)] + [PIN]  # the right PIN last
    answers = burst(
        app,
        [("/api/v1/auth/token", {"login": "D0001", "password": g}, "10.0.0.1") for g in guesses],
    )
    statuses = [r.status_code for r in answers]
    assert slow.checks <= 5, statuses
    assert statuses.count(401) + statuses.count(201) <= 5
    assert all(s in (201, 401, 423) for s in statuses), statuses
    locked = deputy("D0001").pin_locked
    # Whatever the burst won, the lock leaves no working token behind it.
    vote = f"/api/v1/votes/{two_counties[0]['votes']['main']}"
    for r in answers:
        if r.status_code == 201 and locked:
            token = r.get_json()["token"]
            me = app.test_client().get(vote, headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 401
    assert len(audits("pin_locked")) == (1 if locked else 0)


def test_the_lock_revokes_tokens_and_sessions_already_issued(
    app, client, two_counties, monkeypatch, roomy_limits
):
    token = client.post("/api/v1/auth/token", json={"login": "D0001", "password": PIN})
    token = token.get_json()["token"]
    tablet = app.test_client()
    assert tablet.post("/tablet/login", data={"code": "D0001", "pin": PIN}).status_code == 302
    vote = f"/api/v1/votes/{two_counties[0]['votes']['main']}"
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(vote, headers=bearer).status_code == 200
    assert tablet.get("/tablet/").status_code == 200
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"login": "D0001", "password": "999999"})
    assert deputy("D0001").pin_locked
    assert client.get(vote, headers=bearer).status_code == 401
    assert tablet.get("/tablet/").status_code == 302  # the tablet's session ended


def test_organiser_limits_hold_under_a_parallel_burst(app, two_counties, monkeypatch):
    slow = SlowCheck(monkeypatch)
    answers = burst(
        app,
        [
            ("/api/v1/auth/token", {"login": "org-here", "password": f"guess-{n}"}, "10.0.0.66")
            for n in range(60)
        ],
    )
    statuses = [r.status_code for r in answers]
    assert slow.checks <= 10, statuses  # 10 in 15 minutes per account and address
    assert statuses.count(429) >= 50
    limited = next(r for r in answers if r.status_code == 429)
    assert limited.get_json()["error"] == "login_rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_guesses_from_elsewhere_do_not_lock_an_organiser_out(app, two_counties):
    attacker = app.test_client()
    for n in range(12):
        attacker.post(
            "/login",
            data={"login": "org-here", "password": f"guess-{n}"},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
    assert (
        attacker.post(
            "/login",
            data={"login": "org-here", "password": "org-here-pass"},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        ).status_code
        == 429
    )
    desk = app.test_client().post(
        "/login",
        data={"login": "org-here", "password": "org-here-pass"},
        environ_base={"REMOTE_ADDR": "10.20.0.5"},
    )
    assert desk.status_code == 302


def test_pin_logins_only_from_the_halls_networks(app, client, two_counties, monkeypatch):
    app.config["DEPUTY_NETWORKS"] = "10.8.0.0/16, 192.168.10.0/24"
    slow = SlowCheck(monkeypatch)
    outside = client.post(
        "/api/v1/auth/token",
        json={"login": "D0001", "password": "999999"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert outside.status_code == 403 and outside.get_json()["error"] == "outside_hall"
    page = client.post(
        "/tablet/login",
        data={"code": "D0001", "pin": PIN},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert page.status_code == 403 and "会场" in page.get_data(as_text=True)
    assert slow.checks == 0 and deputy("D0001").failed_pins == 0
    inside = client.post(
        "/api/v1/auth/token",
        json={"login": "D0001", "password": PIN},
        environ_base={"REMOTE_ADDR": "10.8.3.4"},
    )
    assert inside.status_code == 201
    # organisers log in from anywhere
    desk = client.post(
        "/api/v1/auth/token",
        json={"login": "org-here", "password": "org-here-pass"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert desk.status_code == 201


def test_a_bad_network_setting_is_refused_at_once():
    with pytest.raises(ValueError):
        auth_services.hall_networks("10.8.0.0/16, the hall")


def test_the_desk_unlocks_a_whole_hall_at_once(app, client, two_counties, roomy_limits):
    from votesys.congress.models import Deputy

    for code in ("D0001", "D0002", "D0003"):
        for _ in range(5):
            client.post("/api/v1/auth/token", json={"login": code, "password": "999999"})
    assert all(deputy(c).pin_locked for c in ("D0001", "D0002", "D0003"))
    here = deputy("D0001").congress_id
    client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    page = client.get(f"/desk/congresses/{here}").get_data(as_text=True)
    assert "3 个 PIN 码已锁定" in page
    assert client.post(f"/desk/congresses/{here}/unlock").status_code == 302
    db.session.expire_all()
    still = db.session.scalars(select(Deputy.code).where(Deputy.locked_at.is_not(None))).all()
    assert still == []
    assert [json.loads(e.details)["deputies"] for e in audits("pins_unlocked")] == [
        ["D0001", "D0002", "D0003"]
    ]
