"""Messages to citizens (issue 19, item 4): consent, the outbox, the worker and its gateways,
retries with backoff, a lease that runs out, failures on the desk."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.stations.conftest import NAME, PHONE, submit
from tests.stations.gateway_server import SECRET, Gateway
from votesys.extensions import db
from votesys.models_base import utcnow
from votesys.stations import gateways, worker
from votesys.stations.message_models import MessageState, OutboxMessage
from votesys.stations.message_rules import backoff_seconds, signature, signature_ok
from votesys.stations.models import Opinion


def _new(api, county, **fields) -> Opinion:
    response = submit(api, county["stations"]["north"], **fields)
    assert response.status_code == 201, response.get_json()
    return db.session.scalar(select(Opinion).order_by(Opinion.id.desc()))


def _register(api, opinion: Opinion):
    response = api.post(f"/api/v1/opinions/{opinion.id}/steps", {"to": "registered"}, as_="staff_n")
    assert response.status_code == 201, response.get_json()


def _messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _webhook(app, url: str, **config) -> gateways.Gateway:
    app.config.update(
        SMS_GATEWAY="webhook", SMS_WEBHOOK_URL=url, SMS_WEBHOOK_SECRET=SECRET, **config
    )
    return gateways.from_config(app.config)


def test_a_step_queues_a_message_to_a_citizen_who_agreed(logged_in, county):
    opinion = _new(logged_in, county, notify_consent=True)
    assert opinion.notify_consent is True
    assert _messages() == []  # registering it at 接待 is the citizen's own act
    _register(logged_in, opinion)
    [message] = _messages()
    assert message.state == MessageState.PENDING and message.step == "registered"
    code = opinion.tracking_code
    assert f"/track/{code[:4]}-{code[4:9]}-{code[9:]}" in message.body
    assert "登记" in message.body or "registered" in message.body.lower()
    # The outbox holds the opinion and the text, never the phone or the name.
    row = db.session.execute(select(OutboxMessage.__table__)).one()
    assert not any(PHONE in str(v) or NAME in str(v) for v in row)


def test_consent_off_or_no_phone_no_message(logged_in, county):
    off = _new(logged_in, county)  # consent left out: off
    no_phone = _new(logged_in, county, citizen_phone="", notify_consent=True)
    assert off.notify_consent is False
    assert no_phone.notify_consent is False  # nothing to send to: not kept as agreed
    _register(logged_in, off)
    _register(logged_in, no_phone)
    assert _messages() == []


@pytest.mark.parametrize("value", ["yes", 1, "true", [], {}])
def test_consent_must_be_true_or_false(logged_in, county, value):
    before = db.session.scalar(select(func.count(Opinion.id)))
    response = submit(logged_in, county["stations"]["north"], notify_consent=value)
    assert response.status_code == 422
    assert response.get_json()["field"] == "notify_consent"
    assert db.session.scalar(select(func.count(Opinion.id))) == before


def test_the_citizens_own_feedback_sends_them_nothing(logged_in, county):
    api = logged_in
    opinion = _new(api, county, notify_consent=True)
    for body in (
        {"to": "registered"},
        {"to": "handling", "route": "township_ordinary", "unit": "城关镇政府办"},
        {"to": "supervised"},
        {"to": "replied", "note": "已修复"},
    ):
        assert (
            api.post(f"/api/v1/opinions/{opinion.id}/steps", body, as_="staff_n").status_code == 201
        )
    code = opinion.tracking_code
    assert (
        api.post(f"/api/v1/opinions/track/{code}/feedback", {"feedback": "unsatisfied"}).status_code
        == 200
    )
    assert [m.step for m in _messages()] == ["registered", "handling", "supervised", "replied"]


def test_log_gateway_logs_the_phone_masked(app, logged_in, county, caplog):
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    with caplog.at_level(logging.INFO, logger="votesys.messages"):
        outcome = worker.run_once(gateways.from_config(app.config))
    assert outcome.sent == 1
    [message] = _messages()
    assert message.state == MessageState.SENT and message.sent_at is not None
    assert "139****5678" in caplog.text and PHONE not in caplog.text
    assert message.idempotency_id in caplog.text


def test_webhook_posts_signed_json_with_the_idempotency_id(app, logged_in, county):
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    with Gateway() as server:
        outcome = worker.run_once(_webhook(app, server.url))
    assert outcome.sent == 1 and server.bad_signatures == 0
    [message] = _messages()
    kept = server.kept[message.idempotency_id]
    assert kept["to"] == PHONE  # decrypted by the worker, for the gateway only
    assert kept["text"] == message.body


def test_a_wrong_secret_is_refused_by_the_gateway_and_retried(app, logged_in, county):
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    with Gateway() as server:
        gateway = _webhook(app, server.url)
        gateway.secret = "not-the-secret"
        outcome = worker.run_once(gateway)
    assert outcome.retried == 1 and server.bad_signatures == 1 and not server.kept
    assert _messages()[0].last_error == "HTTP 401"


def test_signature_is_over_the_exact_bytes():
    body = b'{"id":"x"}'
    assert signature_ok(body, "k", signature(body, "k"))
    assert not signature_ok(body + b" ", "k", signature(body, "k"))
    assert not signature_ok(body, "k2", signature(body, "k"))
    assert not signature_ok(body, "k", "")


@pytest.mark.parametrize("mode", ["500", "timeout"])
def test_a_failing_gateway_is_retried_with_backoff_until_it_recovers(app, logged_in, county, mode):
    app.config.update(SMS_BACKOFF_SECONDS=30, SMS_BACKOFF_CAP_SECONDS=100, SMS_TIMEOUT_SECONDS=0.5)
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    now = utcnow()
    with Gateway(fail=3, mode=mode) as server:
        gateway = _webhook(app, server.url, SMS_TIMEOUT_SECONDS=0.5)
        waits = []
        for _ in range(3):
            outcome = worker.run_once(gateway, now=now)
            assert outcome.retried == 1
            [message] = _messages()
            assert message.state == MessageState.PENDING
            assert message.last_error
            waits.append((message.next_attempt_at - now).total_seconds())
            # Not due before its time.
            assert (
                worker.run_once(gateway, now=now + timedelta(seconds=waits[-1] - 1)).claimed == []
            )
            now += timedelta(seconds=waits[-1])
        assert waits == [30, 60, 100]  # doubled each time, up to the cap
        assert worker.run_once(gateway, now=now).sent == 1
    [message] = _messages()
    assert message.state == MessageState.SENT and message.attempts == 4
    # Four arrivals, all with the message's one id; the gateway kept it once.
    assert dict(server.arrivals) == {message.idempotency_id: 4}
    assert list(server.kept) == [message.idempotency_id]


def test_after_the_last_attempt_the_message_fails_and_the_desk_shows_why(
    fresh_user_per_request, app, client, logged_in, county
):
    app.config.update(SMS_MAX_ATTEMPTS=2, SMS_BACKOFF_SECONDS=1)
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    now = utcnow()
    with Gateway(fail=10) as server:
        gateway = _webhook(app, server.url)
        assert worker.run_once(gateway, now=now).retried == 1
        assert worker.run_once(gateway, now=now + timedelta(seconds=5)).failed == 1
        assert worker.run_once(gateway, now=now + timedelta(days=1)).claimed == []
    [message] = _messages()
    assert message.state == MessageState.FAILED and message.last_error == "HTTP 500"
    client.post("/login", data={"login": "staff_n", "password": "staff-pass-n"})
    page = client.get("/desk/messages").get_data(as_text=True)
    assert "HTTP 500" in page and opinion.title in page and PHONE not in page
    # Another station's staff do not see it, nor may they send it again.
    other = client.application.test_client()
    other.post("/login", data={"login": "staff_s", "password": "staff-pass-s"})
    assert "HTTP 500" not in other.get("/desk/messages").get_data(as_text=True)
    assert other.post(f"/desk/messages/{message.id}/retry").status_code == 404
    assert client.post(f"/desk/messages/{message.id}/retry").status_code == 302
    [message] = _messages()
    assert message.state == MessageState.PENDING and message.attempts == 0


def test_a_message_whose_lease_ran_out_is_claimed_again_with_the_same_id(app, logged_in, county):
    app.config["SMS_LEASE_SECONDS"] = 60
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    now = utcnow()
    token, ids = worker.claim(10, now)  # a worker that is then killed: never marks it
    assert len(ids) == 1
    assert worker.claim(10, now + timedelta(seconds=59))[1] == []  # still leased
    token2, again = worker.claim(10, now + timedelta(seconds=61))
    assert again == ids and token2 != token
    [message] = _messages()
    assert message.state == MessageState.SENDING and message.attempts == 2
    # The first worker's late mark no longer applies: the claim is the second one's.
    worker._mark(ids[0], token, state=MessageState.SENT)
    assert _messages()[0].state == MessageState.SENDING


def test_a_message_to_a_citizen_since_erased_is_cancelled_not_sent(app, logged_in, county):
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    opinion.citizen_phone_enc = None  # as if erased between queuing and sending
    db.session.commit()
    with Gateway() as server:
        outcome = worker.run_once(_webhook(app, server.url))
    assert outcome.cancelled == 1 and not server.arrivals
    assert _messages()[0].state == MessageState.CANCELLED


@given(
    attempts=st.integers(min_value=1, max_value=10_000),
    base=st.floats(min_value=0.01, max_value=1e4),
    cap=st.floats(min_value=0.01, max_value=1e6),
)
def test_backoff_doubles_never_past_the_cap(attempts, base, cap):
    wait = backoff_seconds(attempts, base, cap)
    assert 0 < wait <= cap
    assert (
        wait == min(cap, base)
        if attempts == 1
        else wait >= backoff_seconds(attempts - 1, base, cap)
    )
    assert backoff_seconds(attempts + 1, base, cap) in (cap, wait * 2) or wait == cap


def test_backoff_schedule():
    assert [backoff_seconds(n, 30, 3600) for n in range(0, 10)] == [
        0,
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def test_gateway_settings_are_checked(app):
    for config in (
        {"SMS_GATEWAY": "pigeon"},
        {"SMS_GATEWAY": "webhook", "SMS_WEBHOOK_URL": None, "SMS_WEBHOOK_SECRET": "s"},
        {"SMS_GATEWAY": "webhook", "SMS_WEBHOOK_URL": "ftp://x", "SMS_WEBHOOK_SECRET": "s"},
        {"SMS_GATEWAY": "webhook", "SMS_WEBHOOK_URL": "http://x", "SMS_WEBHOOK_SECRET": None},
    ):
        with pytest.raises(ValueError):
            gateways.from_config(config)


def test_worker_command_once(app, runner, logged_in, county):
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert _messages()[0].state == MessageState.SENT
    app.config["SMS_GATEWAY"] = "pigeon"
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code != 0 and "VOTESYS_SMS_GATEWAY" in result.output


def test_webhook_body_is_json_with_id_to_text(app, logged_in, county):
    opinion = _new(logged_in, county, notify_consent=True)
    _register(logged_in, opinion)
    with Gateway() as server:
        worker.run_once(_webhook(app, server.url))
    [kept] = server.kept.values()
    assert set(kept) == {"id", "idempotency_id", "to", "text"}
    assert json.dumps(kept, ensure_ascii=False)
