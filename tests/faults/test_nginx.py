"""nginx in front, as docs/operations.md sets it up: the shipped docs/nginx/votesys.conf
(only its "# site:" lines changed) before two `votesys serve` hosts sharing PostgreSQL and
Redis. Through nginx: a waiting tablet's event stream gets an opening within 2 s; each
client's own address reaches the rate limiter (and a forged X-Forwarded-For does not); a
body over the size limit gets votesys's own answer; 2,100 half-sent requests leave the site
answering; a tablet's answers are neither compressed nor sized in the log; a host killed
mid-run is skipped.

The kill comes last: the hosts are shared by the module's tests."""

from __future__ import annotations

import json
import os
import queue
import resource
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest

from tests import required
from tests.factories import PIN
from tests.faults.live import Seeded, Server, call, seed_vote
from tests.faults.proxy import NGINX, SHIPPED, Nginx, Visitor, site_config
from tests.faults.test_two_hosts import shared_environment


@pytest.fixture(scope="module", autouse=True)
def _nginx_installed() -> None:
    """Skipped without nginx, failed in CI (scripts/test installs Debian's nginx-light)."""
    if not os.path.exists(NGINX):
        required.missing(f"nginx is not installed at {NGINX} (apt-get install nginx-light)")


@pytest.fixture(scope="module")
def site(server_db, tmp_path_factory) -> Iterator[dict]:
    """Two hosts and nginx in front of them."""
    tmp = tmp_path_factory.mktemp("nginx")
    env = {**shared_environment(tmp), "VOTESYS_HTTPS": "1"}
    hosts: list[Server] = []
    proxy = None
    try:
        for name in ("A", "B"):
            hosts.append(Server(server_db, tmp / name, workers=1, threads=8, env=env).start())
        proxy = Nginx(tmp / "nginx", [f"127.0.0.1:{h.port}" for h in hosts]).start()
        yield {"hosts": hosts, "proxy": proxy}
    finally:
        if proxy is not None:
            proxy.stop()
        for host in hosts:
            host.stop()


@pytest.fixture
def seeded(server_db, tmp_path) -> Seeded:
    return seed_vote(server_db, tmp_path / "seed", deputies=4, open_vote=False)


def visitor(site, source: str | None = None) -> Visitor:
    """A visitor of this test alone: an address no other test used (its rate-limit counters
    are its own)."""
    source = (
        source
        or f"127.{secrets.randbelow(250) + 1}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    )
    return Visitor(site["proxy"], source)


def test_shipped_file_has_the_lines_an_operator_changes(tmp_path):
    config = site_config(
        SHIPPED.read_text(), ["127.0.0.1:1", "127.0.0.1:2"], 1, 2, tmp_path / "c.pem"
    )
    assert "10.0.0.11" not in config and "/etc/ssl" not in config
    assert "proxy_buffering off;" in config and "error_page 413 = @too_large;" in config


def test_event_stream_gets_an_opening_through_nginx_within_two_seconds(site, seeded):
    deputy = visitor(site)
    code = sorted(seeded.deputies)[0]
    login = deputy.form_post("/tablet/login", {"code": code, "pin": PIN}, csrf_from="/tablet/login")
    assert login.status == 302, login.text
    events: queue.Queue = queue.Queue()
    conn = deputy.connection(timeout=30)
    conn.request("GET", "/tablet/events", headers=deputy.headers({"Accept": "text/event-stream"}))
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")

    def read() -> None:
        try:
            while line := response.readline():
                if line.startswith(b"data: "):
                    events.put((time.monotonic(), json.loads(line[6:])))
        except (OSError, ValueError, AttributeError):
            pass  # the test closed the connection under the reader

    threading.Thread(target=read, daemon=True).start()
    try:
        _, first = events.get(timeout=10)
        assert first["vote"] is None
        organiser = visitor(site)
        opened_at = time.monotonic()
        opened = organiser.post_json(f"/api/v1/votes/{seeded.vote}/open", {}, seeded.organiser)
        assert opened.status == 200, opened.text
        arrived, event = events.get(timeout=5)
        assert event["vote"] == seeded.vote and event["can_cast"] is True
        assert arrived - opened_at < 2.0, f"the opening took {arrived - opened_at:.2f} s"
    finally:
        conn.close()


def test_each_client_address_reaches_the_rate_limiter(site):
    """Three opinions an hour per client: the fourth from one address is refused, while
    another address is not; a client that forges X-Forwarded-For is still itself."""
    first, second = visitor(site), visitor(site)
    empty = {"title": "", "content": ""}
    for _ in range(3):
        assert first.form_post("/opinions/new", empty, csrf_from="/opinions/new").status == 422
    refused = first.form_post(
        "/opinions/new", empty, csrf_from="/opinions/new", **{"X-Forwarded-For": second.source}
    )
    assert refused.status == 429
    assert second.form_post("/opinions/new", empty, csrf_from="/opinions/new").status == 422


def test_a_body_over_the_limit_gets_votesys_own_answer(site):
    """Over the 8 MiB limit (nginx stops it and hands the request on without its body), and
    over votesys's own JSON limit (refused before it is read): the same 413, JSON on the
    API, a page in Chinese on the site. Refusals before a body is read leave the hosts in
    service: no 502, none counted as failed."""
    client = visitor(site)
    for size, times in ((10 * 1024 * 1024, 2), (8 * 1024 * 1024 + 1, 2), (2 * 1024 * 1024, 12)):
        for _ in range(times):
            api = client.request(
                "POST", "/api/v1/auth/token", b"{" + b" " * size + b"}",
                **{"Content-Type": "application/json"},
            )  # fmt: skip
            assert api.status == 413, (size, api.text[:300])
            assert api.json["error"] == "too_large"
            if size <= 8 * 1024 * 1024:
                continue  # a form's own limits are checked as it is parsed, after the CSRF token
            page = client.request(
                "POST", "/opinions/new", b"x=" + b"x" * size,
                **{"Content-Type": "application/x-www-form-urlencoded"},
            )  # fmt: skip
            assert page.status == 413, (size, page.text[:300])
            assert "请求内容过大" in page.text and "<html" in page.text.lower()
            assert "nginx" not in page.text
    assert [client.get("/api/v1/health").status for _ in range(10)] == [200] * 10
    log = site["proxy"].error_log()
    assert "from upstream" not in log and "to upstream" not in log, log  # no host failed


def test_thousands_of_half_sent_requests_leave_the_site_answering(site):
    """One client opens 2,100 connections and never finishes a request on any (half the
    headers on some, half the body on others): before, gunicorn's threads were held (with 2
    workers × 1000 threads, /api/v1/health timed out). nginx reads requests whole before
    passing them on, so none reaches votesys, whose few threads here stay free."""
    wanted = 2100
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted + 500:
        if hard != resource.RLIM_INFINITY and hard < wanted + 500:
            pytest.skip(f"the file-descriptor limit ({hard}) is too low for {wanted} sockets")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted + 500, hard))
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    crowd = visitor(site).source
    head = "POST /api/v1/opinions HTTP/1.1\r\nHost: votesys.test\r\n"
    halves = (
        (head + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").encode(),
        (head + "Content-Type: application/json\r\nContent-Len").encode(),
    )
    held: list[ssl.SSLSocket] = []
    try:
        started = time.monotonic()
        for n in range(wanted):
            raw = socket.create_connection(
                ("127.0.0.1", site["proxy"].https_port), timeout=10, source_address=(crowd, 0)
            )
            held.append(context.wrap_socket(raw))
            held[-1].sendall(halves[n % 2])
        opened = time.monotonic() - started
        # within nginx's client_header_timeout (15 s): every one of them is still held
        assert opened < 12, f"opening {wanted} connections took {opened:.1f} s"
        for _ in range(3):
            asked = time.monotonic()
            health = visitor(site).get("/api/v1/health")
            took = time.monotonic() - asked
            assert health.status == 200 and took < 2.0, (health.status, f"{took:.2f} s")
        for host in site["hosts"]:  # nothing reached the hosts: their threads are free
            assert call(host.url, "GET", "/api/v1/health", timeout=2).status == 200
    finally:
        for sock in held:
            sock.close()
    assert "worker_connections are not enough" not in site["proxy"].error_log()


def test_a_tablet_answer_passes_uncompressed_and_unsized(site, server_db, tmp_path):
    """Padded to one size per vote (voting.tablet), a review page would tell its marks
    again if compressed (Debian's nginx.conf has gzip on, as the test's has); nor does the
    access log keep the size of a /tablet/ answer."""
    seeded = seed_vote(server_db, tmp_path / "seed", deputies=2, candidates=3, seats=2)
    deputy = visitor(site)
    login = deputy.form_post(
        "/tablet/login", {"code": sorted(seeded.deputies)[0], "pin": PIN}, csrf_from="/tablet/login"
    )
    assert login.status == 302, login.text
    ballot = f"/tablet/votes/{seeded.vote}"
    c1, c2, c3 = seeded.candidates
    sizes = set()
    for marks in ({f"c{c1}": "for"}, {f"c{c1}": "against", f"c{c2}": "abstain", f"c{c3}": "for"}):
        review = deputy.form_post(
            f"{ballot}/review", marks, csrf_from=ballot, **{"Accept-Encoding": "gzip"}
        )
        assert review.status == 200, review.text[:300]
        assert "Content-Encoding" not in review.headers and "<html" in review.text.lower()
        sizes.add(len(review.body))
    assert len(sizes) == 1, sizes
    public = deputy.get("/", **{"Accept-Encoding": "gzip"})
    assert public.headers.get("Content-Encoding") == "gzip"  # gzip is on elsewhere
    log = (site["proxy"].workdir / "access.log").read_text()
    lines = [line for line in log.splitlines() if f"POST {ballot}/review" in line]
    assert len(lines) == 2 and all(" 200 - " in line for line in lines), lines


def test_a_host_killed_mid_run_is_skipped(site, seeded):
    client = visitor(site)
    before = [client.get("/api/v1/health").status for _ in range(4)]
    assert before == [200] * 4
    killed = site["hosts"][1]
    for pid in killed.workers_pids():
        os.kill(pid, 9)
    killed.process.kill()
    killed.process.wait(10)
    statuses = [client.get("/api/v1/health").status for _ in range(20)]
    logins = [
        client.post_json(
            "/api/v1/auth/token", {"login": sorted(seeded.deputies)[0], "password": PIN}
        ).status
        for _ in range(4)
    ]
    assert statuses == [200] * 20
    assert logins == [201] * 4
