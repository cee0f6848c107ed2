"""Where the worker hands a message: ``log`` (the default: the message logged, the phone
masked) or ``webhook`` (an HTTP POST of JSON to an SMS provider, HMAC-SHA256-signed).

The webhook's body: ``{"id", "idempotency_id", "to", "text"}`` (``id`` and
``idempotency_id`` are the same, the ``Idempotency-Key`` header too); the header
``X-Votesys-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact body bytes under
``VOTESYS_SMS_WEBHOOK_SECRET``. Any 2xx answer is taken as accepted; anything else (a
redirect too: it is not followed), or no answer within the timeout, is a failure to retry.
A provider keeps one message per id, so a message sent again (a worker stopped before
marking it sent) reaches the citizen once."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from votesys.stations import rules
from votesys.stations.message_rules import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signature

log = logging.getLogger("votesys.messages")
GATEWAYS = ("log", "webhook")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is not an acceptance: followed, the POST would become a GET without the body
    (to wherever the answer points) whose 200 marks as sent a message never received."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx then raises HTTPError: a failure, retried


_OPENER = urllib.request.build_opener(_NoRedirect)


class GatewayError(Exception):
    """The gateway did not take the message; the text says why, never the phone."""


@dataclass(frozen=True)
class Outgoing:
    idempotency_id: str
    phone: str
    text: str


class Gateway(Protocol):
    def send(self, message: Outgoing) -> None: ...


class LogGateway:
    def send(self, message: Outgoing) -> None:
        log.info(
            "message %s to %s: %s",
            message.idempotency_id,
            rules.mask_phone(message.phone),
            message.text,
        )


class WebhookGateway:
    def __init__(self, url: str, secret: str, timeout: float) -> None:
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, message: Outgoing) -> None:
        body = json.dumps(
            {
                "id": message.idempotency_id,
                "idempotency_id": message.idempotency_id,
                "to": message.phone,
                "text": message.text,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 (the operator's configured http(s) URL)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                SIGNATURE_HEADER: signature(body, self.secret),
                IDEMPOTENCY_HEADER: message.idempotency_id,
            },
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                answer.read(4096)
        except urllib.error.HTTPError as err:
            raise GatewayError(f"HTTP {err.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise GatewayError(f"{type(err).__name__}: {reason}"[:300]) from None


def from_config(config) -> Gateway:
    """The gateway the settings name; a webhook without its URL or secret is refused
    (ValueError) rather than send unsigned or nowhere."""
    kind = config.get("SMS_GATEWAY", "log")
    if kind == "log":
        return LogGateway()
    if kind == "webhook":
        url, secret = config.get("SMS_WEBHOOK_URL"), config.get("SMS_WEBHOOK_SECRET")
        if not url or not url.startswith(("http://", "https://")):
            raise ValueError("VOTESYS_SMS_WEBHOOK_URL must be an http(s) URL")
        if not secret:
            raise ValueError("VOTESYS_SMS_WEBHOOK_SECRET must be set for the webhook gateway")
        return WebhookGateway(url, secret, float(config.get("SMS_TIMEOUT_SECONDS", 10)))
    raise ValueError(f"VOTESYS_SMS_GATEWAY must be one of {', '.join(GATEWAYS)}, not {kind!r}")
