"""The webhook gateway never follows a redirect: a 3xx is a failure to retry. Followed, the
POST would become a GET without the body to wherever the answer points, and its 200 would
mark as sent a message the provider never received."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from votesys.stations import gateways


class _Redirecting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.hits.append("POST " + self.path)
        self.send_response(302)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.hits.append("GET " + self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def test_a_redirect_is_a_failure_not_a_delivery():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sms"
        gateway = gateways.WebhookGateway(url, "secret", 5)
        with pytest.raises(gateways.GatewayError, match="HTTP 302"):
            gateway.send(gateways.Outgoing("id-1", "13912345678", "text"))
        assert _Redirecting.hits == ["POST /sms"]  # the redirect was not followed
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
