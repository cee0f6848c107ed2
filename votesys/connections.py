"""A request's body is read off the connection before the answer goes, whatever the answer.

A refusal can come before the body is read (413 for a body over a JSON or form limit, 401,
403, 429). A server that closes a connection with bytes of the body still unread makes the
kernel reset it, and the proxy in front, still sending or about to read the answer, gets an
error instead: nginx answers 502 and counts the host as failed. So what is left of a body
within MAX_CONTENT_LENGTH is read and dropped; a body declared larger is not (it was refused
by its Content-Length, and nginx in front never sends one: docs/nginx/votesys.conf)."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CHUNK = 64 * 1024


def register(app: Flask) -> None:
    app.after_request(drain_unread_body)


def drain_unread_body(response: Response) -> Response:
    length = request.content_length
    if length and length <= current_app.config["MAX_CONTENT_LENGTH"]:
        stream = request.stream  # bounded by the Content-Length; empty once read
        while stream.read(CHUNK):
            pass
    return response
