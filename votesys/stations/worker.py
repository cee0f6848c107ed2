"""The outbox worker: claims a batch of due messages, sends each through the gateway, marks
it sent, or schedules its retry (exponential backoff, a cap, a last attempt).

At least once: a message is claimed for a lease (``SMS_LEASE_SECONDS``); a worker killed
before marking it leaves it claimed, and once the lease has run out any worker claims it
again and sends it with the same idempotency id, which the gateway keeps once. Claims never
overlap: on PostgreSQL the batch is read ``FOR UPDATE SKIP LOCKED`` and each row is claimed
by an UPDATE that re-checks it is still due; on SQLite (one writer at a time) by that same
conditional UPDATE. Each message's outcome is committed at once, so a kill loses at most
the mark of the message being sent. The phone is decrypted here, at sending time only."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from votesys import personal
from votesys.extensions import db
from votesys.models_base import utcnow
from votesys.stations import notify
from votesys.stations.gateways import Gateway, GatewayError, Outgoing
from votesys.stations.message_models import MessageState, OutboxMessage
from votesys.stations.message_rules import backoff_seconds


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    claimed: list[int] = field(default_factory=list)


def _due(now: datetime):
    return or_(
        and_(OutboxMessage.state == MessageState.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.state == MessageState.SENDING, OutboxMessage.lease_until < now),
    )


def claim(batch: int, now: datetime | None = None) -> tuple[str, list[int]]:
    """Claim up to ``batch`` due messages (oldest first) for this worker; committed."""
    now = now or utcnow()
    lease = timedelta(seconds=float(current_app.config["SMS_LEASE_SECONDS"]))
    token = secrets.token_hex(16)
    claiming = dict(
        state=MessageState.SENDING,
        lease_until=now + lease,
        claim=token,
        attempts=OutboxMessage.attempts + 1,
    )
    due = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(batch)
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows another worker is claiming are skipped, not waited for.
        ids = db.session.scalars(due.with_for_update(skip_locked=True)).all()
        if ids:
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(ids), _due(now)).values(**claiming)
            )
    else:
        # One statement, a write from its start: SQLite takes its write lock (waiting its
        # busy timeout for another writer), and the rows it claims are due at that moment.
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(due), _due(now)).values(**claiming)
        )
    claimed = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.claim == token).order_by(OutboxMessage.id)
    ).all()
    db.session.commit()
    return token, list(claimed)


def _mark(message_id: int, token: str, **values) -> None:
    """The outcome, only while the claim is still this worker's (not taken over after its
    lease ran out, nor cancelled); committed at once."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claim == token,
            OutboxMessage.state == MessageState.SENDING,
        )
        .values(claim=None, lease_until=None, **values)
    )
    db.session.commit()


def run_once(gateway: Gateway, batch: int = 20, now: datetime | None = None) -> Outcome:
    """One batch: claimed, sent, each marked. Returns what happened."""
    config = current_app.config
    token, ids = claim(batch, now)
    outcome = Outcome(claimed=ids)
    for message_id in ids:
        message = db.session.get(OutboxMessage, message_id)
        opinion = message.opinion
        if not notify.wants_messages(opinion):
            _mark(message_id, token, state=MessageState.CANCELLED)
            outcome.cancelled += 1
            continue
        outgoing = Outgoing(
            message.idempotency_id, personal.decrypt(opinion.citizen_phone_enc), message.body
        )
        attempts = message.attempts
        db.session.commit()  # no transaction held open while the gateway answers
        try:
            gateway.send(outgoing)
        except GatewayError as err:
            error = str(err)[:500]
            if attempts >= int(config["SMS_MAX_ATTEMPTS"]):
                _mark(message_id, token, state=MessageState.FAILED, last_error=error)
                outcome.failed += 1
            else:
                delay = backoff_seconds(
                    attempts,
                    float(config["SMS_BACKOFF_SECONDS"]),
                    float(config["SMS_BACKOFF_CAP_SECONDS"]),
                )
                _mark(
                    message_id,
                    token,
                    state=MessageState.PENDING,
                    last_error=error,
                    next_attempt_at=(now or utcnow()) + timedelta(seconds=delay),
                )
                outcome.retried += 1
        else:
            _mark(message_id, token, state=MessageState.SENT, sent_at=utcnow(), last_error="")
            outcome.sent += 1
        del outgoing  # the phone in clear lives no longer than its sending
    return outcome


def run(gateway: Gateway, *, batch: int, interval: float, once: bool, echo=print) -> None:
    """Batches until stopped (Ctrl-C, SIGTERM); with ``once`` (a timer's run), batches
    until one is not full: what is due now is sent, and the command ends."""
    while True:
        outcome = run_once(gateway, batch)
        if outcome.claimed:
            echo(
                f"sent {outcome.sent}, to retry {outcome.retried}, failed {outcome.failed}, "
                f"cancelled {outcome.cancelled}"
            )
        db.session.remove()
        if once and len(outcome.claimed) < batch:
            return
        if not outcome.claimed:
            time.sleep(interval)


def retry(message_id: int) -> bool:
    """An organiser sends a failed message again: back to pending, due now, attempts anew."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == MessageState.FAILED)
        .values(state=MessageState.PENDING, attempts=0, next_attempt_at=utcnow())
    )
    return bool(result.rowcount)
