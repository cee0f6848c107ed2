"""Two votesys hosts behind one load balancer: two servers on different ports, one
PostgreSQL database, one Redis, the same SECRET_KEY and signing key file, each its own
instance folder. Whatever is done through one host holds on the other.

More cross-host checks go in as a few lines each: a test takes ``hosts`` (A and B, each
with ``get``/``post``/``page``/``form_post``) and ``client_address`` (the X-Forwarded-For
address its requests come from, so Redis counters are this test's alone)."""

from __future__ import annotations

import http.client
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests import required
from tests.factories import PIN
from tests.faults.live import Answer, Seeded, Server, call, seed_vote
from tests.required import REDIS_URL


@dataclass
class Host:
    """One server seen as a browser or an API client would: cookies are kept per host
    object, as the load balancer could send the next request to either host."""

    server: Server
    forwarded_for: str
    cookies: dict[str, str] = field(default_factory=dict)

    def _headers(self, extra: dict | None = None) -> dict[str, str]:
        headers = {"X-Forwarded-For": self.forwarded_for, **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, answer: Answer) -> Answer:
        for key, value in answer.headers.items():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return answer

    def get(self, path: str, token: str | None = None) -> Answer:
        return self._keep(call(self.server.url, "GET", path, token=token, headers=self._headers()))

    def post(self, path: str, body=None, token: str | None = None, **headers) -> Answer:
        return self._keep(
            call(self.server.url, "POST", path, body, token=token, headers=self._headers(headers))
        )

    def form_post(self, path: str, fields: dict[str, str], csrf_from: str) -> Answer:
        """Fill a form as a browser would: its CSRF token read from the page ``csrf_from``."""
        page = self.get(csrf_from).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urlencode({"csrf_token": token, **fields}).encode()
        host, port = self.server.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        answer = Answer(response.status, response.read(), dict(response.getheaders()))
        conn.close()
        return self._keep(answer)

    def share_cookies(self, other: Host) -> Host:
        """The same browser, its next request sent to the other host."""
        self.cookies = other.cookies
        return self


@pytest.fixture
def client_address() -> Iterator[str]:
    """A client address of this test alone; its Redis counters are deleted afterwards."""
    conn = required.redis()
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    yield address
    for key in conn.scan_iter(match=f"*{address}*"):
        conn.delete(key)
    conn.close()


@pytest.fixture(scope="module")
def two_servers(server_db, tmp_path_factory) -> Iterator[dict[str, Server]]:
    """Hosts A and B: separate instance folders; shared database, Redis, secrets, key file."""
    tmp = tmp_path_factory.mktemp("hosts")
    env = shared_environment(tmp)
    started: dict[str, Server] = {}
    try:
        for name in ("A", "B"):
            started[name] = Server(server_db, tmp / name, workers=1, threads=4, env=env).start()
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture
def seeded(server_db, tmp_path) -> Seeded:
    """A congress of this test's own (its jurisdiction, deputies and organiser)."""
    return seed_vote(
        server_db, tmp_path / "seed", deputies=6, absent=1, open_vote=False, more_votes=1
    )


@pytest.fixture
def hosts(two_servers, client_address) -> dict[str, Host]:
    """A and B as seen by this test's client (its own address and cookies)."""
    return {name: Host(server, client_address) for name, server in two_servers.items()}


def shared_environment(tmp: Path) -> dict[str, str]:
    """What every host of one installation is given alike: Redis, the signing key file on a
    shared folder, one proxy in front, the data key; a low opinion limit to test it."""
    shared = tmp / "shared"
    shared.mkdir()
    return {
        "REDIS_URL": REDIS_URL,
        "VOTESYS_SIGNING_KEY_FILE": str(shared / "signing-key.pem"),
        "VOTESYS_PROXIES": "1",
        "VOTESYS_OPINION_RATE_LIMIT": "3 per hour",
        "DATA_KEY": _data_key(),
    }


def _data_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def test_check_in_through_one_host_is_seen_by_the_other(hosts, seeded):
    a, b = hosts["A"], hosts["B"]
    absent = sorted(seeded.deputies)[-1]
    before = b.get(f"/api/v1/sessions/{seeded.session}/quorum", token=seeded.organiser).json
    checked = a.post(
        f"/api/v1/sessions/{seeded.session}/attendance",
        {"deputy_code": absent},
        token=seeded.organiser,
    )
    assert checked.status == 201
    after = b.get(f"/api/v1/sessions/{seeded.session}/quorum", token=seeded.organiser).json
    assert after["present"] == before["present"] + 1 == 6
    assert b.get(f"/hall/{seeded.session}/state.json").json["quorum"]["present"] == 6
    undone = call(
        b.server.url,
        "DELETE",
        f"/api/v1/sessions/{seeded.session}/attendance/{absent}",
        token=seeded.organiser,
    )
    assert undone.status == 200
    assert a.get(f"/hall/{seeded.session}/state.json").json["quorum"]["present"] == 5


def test_vote_opened_through_one_host_reaches_hall_and_tablets_on_the_other(hosts, seeded):
    a, b = hosts["A"], hosts["B"]
    deputy = sorted(seeded.deputies)[0]
    login = a.form_post("/tablet/login", {"code": deputy, "pin": PIN}, csrf_from="/tablet/login")
    assert login.status == 302
    tablet_on_b = Host(b.server, b.forwarded_for).share_cookies(a)
    assert tablet_on_b.get("/tablet/state.json").json["vote"] is None
    assert b.get(f"/hall/{seeded.session}/state.json").json["vote"] is None

    opened = a.post(f"/api/v1/votes/{seeded.vote}/open", token=seeded.organiser)
    assert opened.status == 200
    assert tablet_on_b.get("/tablet/state.json").json == {
        "mandate_current": True,
        "vote": seeded.vote,
        "voted": False,
        "refusal": None,
    }
    assert b.get(f"/hall/{seeded.session}/state.json").json["vote"]["id"] == seeded.vote


def test_deputy_who_cast_through_one_host_is_refused_by_the_other(hosts, seeded):
    a, b = hosts["A"], hosts["B"]
    assert a.post(f"/api/v1/votes/{seeded.vote}/open", token=seeded.organiser).status == 200
    deputy = sorted(seeded.deputies)[0]
    ballot = {"choices": {str(seeded.candidates[0]): "for"}}
    path = f"/api/v1/votes/{seeded.vote}/ballots"
    cast = a.post(path, ballot, token=seeded.tokens[deputy], **{"Idempotency-Key": "tablet-1"})
    assert cast.status == 201
    refused = b.post(path, ballot, token=seeded.tokens[deputy], **{"Idempotency-Key": "tablet-2"})
    assert refused.status == 409 and refused.json["error"] == "already_voted"
    # The same tablet retrying through the other host gets its first answer back.
    retried = b.post(path, ballot, token=seeded.tokens[deputy], **{"Idempotency-Key": "tablet-1"})
    assert retried.status == 201 and retried.json == cast.json
    assert b.get(f"/hall/{seeded.session}/state.json").json["vote"]["ballots_cast"] == 1


def test_both_hosts_sign_with_the_one_shared_key(hosts, seeded):
    a, b = hosts["A"], hosts["B"]
    org = seeded.organiser
    first, second = seeded.votes["main"], seeded.votes["v2"]
    assert a.post(f"/api/v1/votes/{first}/open", token=org).status == 200
    assert b.post(f"/api/v1/votes/{first}/close", token=org).status == 200
    assert b.post(f"/api/v1/votes/{second}/open", token=org).status == 200
    assert a.post(f"/api/v1/votes/{second}/close", token=org).status == 200
    signers = {
        a.get(f"/api/v1/votes/{vote}/record", token=org).json["signing_key"]
        for vote in (first, second)
    }
    assert len(signers) == 1
    for host in (a, b):
        keys = host.get("/api/v1/keys").json["keys"]
        assert [(k["fingerprint"], k["valid_until"]) for k in keys] == [(signers.pop(), None)]
        signers = {keys[0]["fingerprint"]}
    for name in ("A", "B"):  # neither host made a key of its own
        assert not (hosts[name].server.workdir / "instance" / "signing-key.pem").exists()


def test_public_rate_limit_counts_across_both_hosts(hosts):
    """Redis holds the counters: three opinion submissions an hour from one address, however
    the load balancer spreads them."""
    a, b = hosts["A"], hosts["B"]
    empty = {"title": "", "content": ""}
    statuses = [
        host.form_post("/opinions/new", empty, csrf_from="/opinions/new").status
        for host in (a, b, a)
    ]
    assert statuses == [422, 422, 422]  # refused for being empty, but counted
    assert b.form_post("/opinions/new", empty, csrf_from="/opinions/new").status == 429
    assert a.form_post("/opinions/new", empty, csrf_from="/opinions/new").status == 429


def test_a_cached_public_answer_is_retired_on_both_hosts(hosts, seeded):
    """The public cache lives in Redis, keyed by the database's public-data generation: a
    vote published through A shows at once on B, though B had the list cached."""
    a, b = hosts["A"], hosts["B"]
    org, vote = seeded.organiser, seeded.vote
    path = "/api/v1/public/votes"
    before = b.get(path)
    assert before.status == 200 and vote not in [v["id"] for v in before.json["votes"]]
    etag = before.headers["ETag"]
    cached = call(b.server.url, "GET", path, headers={"If-None-Match": etag})
    assert cached.status == 304
    for action in ("open", "close", "publish"):
        assert a.post(f"/api/v1/votes/{vote}/{action}", token=org).status == 200, action
    for host in (b, a):
        after = call(host.server.url, "GET", path, headers={"If-None-Match": etag})
        assert after.status == 200 and vote in [v["id"] for v in after.json["votes"]]
