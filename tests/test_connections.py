"""A request's body is read off the connection before the answer goes (votesys.connections):
a refusal that comes before the body is read still reads what is left of it, so that the
connection ends cleanly behind a proxy; a body declared over the limit is not read."""

from __future__ import annotations

import io


def _post(client, path: str, body: bytes, declared: int | None = None):
    stream = io.BytesIO(body)
    length = len(body) if declared is None else declared
    answer = client.post(
        path,
        input_stream=stream,
        content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(length)},
    )
    return answer, stream


def test_a_body_refused_before_it_is_read_is_read_off_the_connection(client):
    body = b"{" + b" " * (1024 * 1024) + b"}"  # over the JSON limit, within MAX_CONTENT_LENGTH
    answer, stream = _post(client, "/api/v1/opinions", body)
    assert answer.status_code == 413 and answer.get_json()["error"] == "too_large"
    assert stream.tell() == len(body)


def test_a_body_refused_by_a_decorator_is_read_too(client):
    body = b'{"x": "' + b"y" * 200_000 + b'"}'
    answer, stream = _post(client, "/api/v1/votes/1/open", body)
    assert answer.status_code == 401
    assert stream.tell() == len(body)


def test_a_body_declared_over_the_limit_is_not_read(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    answer, stream = _post(client, "/api/v1/opinions", b"{}", declared=limit + 1)
    assert answer.status_code == 413
    assert stream.tell() == 0
