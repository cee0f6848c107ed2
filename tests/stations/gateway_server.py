"""A local SMS gateway for the tests: an http.server in a thread that checks each request's
HMAC signature, keeps one message per idempotency id (as a provider does), and can fail
(HTTP 500, or too slow: a timeout) a number of times before it recovers."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from votesys.stations.message_rules import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signature_ok

SECRET = "test-gateway-secret"


class Gateway:
    def __init__(self, *, fail: int = 0, mode: str = "500", delay: float = 0.0) -> None:
        self.fail, self.mode, self.delay = fail, mode, delay
        self.arrivals: Counter[str] = Counter()  # every request, by idempotency id
        self.kept: dict[str, dict] = {}  # one message per id
        self.bad_signatures = 0
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not signature_ok(body, SECRET, self.headers.get(SIGNATURE_HEADER, "")):
                    with gateway.lock:
                        gateway.bad_signatures += 1
                    self._answer(401)
                    return
                data = json.loads(body)
                assert data["idempotency_id"] == self.headers[IDEMPOTENCY_HEADER] == data["id"]
                with gateway.lock:
                    gateway.arrivals[data["id"]] += 1
                    failing = gateway.fail > 0
                    if failing:
                        gateway.fail -= 1
                if failing and gateway.mode == "timeout":
                    time.sleep(1.5)
                    self._answer(200)  # too late: the worker gave up waiting
                    return
                if failing:
                    self._answer(500)
                    return
                if gateway.delay:
                    time.sleep(gateway.delay)
                with gateway.lock:
                    gateway.kept.setdefault(data["id"], data)  # the idempotency check
                self._answer(200)

            def _answer(self, status: int) -> None:
                payload = b'{"ok": true}' if status == 200 else b'{"error": "x"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
