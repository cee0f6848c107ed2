"""Messages to citizens when their opinion moves a step: queued in the outbox, in the same
transaction as the step, for the worker (``stations.worker``) to send.

Only to a citizen who left a phone and agreed; never for a move the citizen made themselves
(their own feedback). The outbox holds the opinion's id and the text, not the phone."""

from __future__ import annotations

import uuid

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update

from votesys.extensions import db
from votesys.public_cache import public_url_for
from votesys.stations import rules
from votesys.stations.labels import STEP_LABELS
from votesys.stations.message_models import MessageState, OutboxMessage
from votesys.stations.models import Opinion

#: How much of the opinion's subject a message quotes (a short message stays short).
TITLE_CHARS = 20


def wants_messages(opinion: Opinion) -> bool:
    return bool(
        opinion.notify_consent and opinion.citizen_phone_enc and opinion.contact_erased_on is None
    )


def track_link(code: str) -> str:
    """The tracking page's absolute address (on the public URL when one is set); a command
    run without a request and without a public URL gives the path alone."""
    if has_request_context():
        return public_url_for("public_stations.track", code=code)
    return (current_app.config.get("PUBLIC_URL") or "") + f"/track/{code}"


def message_text(opinion: Opinion, step: str) -> str:
    """The message in the citizen's language (简体中文): the step reached and the link."""
    title = (
        opinion.title if len(opinion.title) <= TITLE_CHARS else opinion.title[:TITLE_CHARS] + "…"
    )
    with force_locale("zh"):
        return _(
            "Your opinion “%(title)s” has reached the step “%(step)s”. Follow it: %(link)s",
            title=title,
            step=str(STEP_LABELS[step]),
            link=track_link(rules.format_tracking_code(opinion.tracking_code)),
        )


def step_moved(opinion: Opinion, step: str, actor: str) -> OutboxMessage | None:
    """Queue the message of a move (called where a step is recorded), or nothing."""
    if actor == "citizen" or not wants_messages(opinion):
        return None
    message = OutboxMessage(
        opinion_id=opinion.id,
        idempotency_id=str(uuid.uuid4()),
        step=step,
        body=message_text(opinion, step),
        state=MessageState.PENDING,
        attempts=0,
        last_error="",
    )
    db.session.add(message)
    return message


def cancel_pending(opinion_id: int) -> int:
    """Cancel what is not sent yet to this opinion's citizen (their contact details erased):
    waiting, failed, or claimed by a worker (whose mark then no longer applies)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.opinion_id == opinion_id,
            OutboxMessage.state.in_(
                (MessageState.PENDING, MessageState.SENDING, MessageState.FAILED)
            ),
        )
        .values(state=MessageState.CANCELLED, claim=None, lease_until=None)
    )
    return result.rowcount or 0
