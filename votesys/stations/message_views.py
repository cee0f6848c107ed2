"""The desk's page of messages to citizens (/desk/messages): what waits, what failed and why
(the gateway's last error), the latest sent; a failed one sent again. Staff see their
station's, organisers their jurisdictions'. Never a phone: the outbox holds none."""

from __future__ import annotations

from flask import abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from votesys import clock
from votesys.auth.views import roles_required
from votesys.congress import services as congress
from votesys.extensions import db
from votesys.models_base import utcnow
from votesys.stations import worker
from votesys.stations.blueprint import STAFF, back, bp
from votesys.stations.message_models import MessageState, OutboxMessage
from votesys.stations.models import Opinion

SHOWN = 100


def _scoped(query):
    query = query.join(Opinion, Opinion.id == OutboxMessage.opinion_id)
    if current_user.role == "station_staff":
        return query.where(Opinion.station_id == current_user.station_id)
    if current_user.jurisdiction_id is not None:
        return query.where(
            Opinion.jurisdiction_id.in_(congress.subtree_ids(current_user.jurisdiction_id))
        )
    return query


@bp.get("/messages")
@roles_required(*STAFF)
def messages():
    counts = dict(
        db.session.execute(
            _scoped(select(OutboxMessage.state, func.count())).group_by(OutboxMessage.state)
        ).all()
    )
    waiting = db.session.scalars(
        _scoped(select(OutboxMessage))
        .where(
            OutboxMessage.state.in_(
                (MessageState.FAILED, MessageState.PENDING, MessageState.SENDING)
            )
        )
        .order_by(OutboxMessage.state, OutboxMessage.id)
        .limit(SHOWN)
    ).all()
    sent = db.session.scalars(
        _scoped(select(OutboxMessage))
        .where(OutboxMessage.state == MessageState.SENT)
        .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "stations/desk_messages.html",
        counts=counts,
        waiting=waiting,
        sent=sent,
        now=utcnow(),
        states=MessageState,
        local=clock.local_time,
    )


@bp.post("/messages/<int:message_id>/retry")
@roles_required(*STAFF)
def retry_message(message_id: int):
    found = db.session.scalar(
        _scoped(select(OutboxMessage.id)).where(OutboxMessage.id == message_id)
    )
    if found is None:
        abort(404)
    if worker.retry(message_id):
        flash(_("The message will be sent again."), "ok")
    else:
        flash(_("Only a failed message can be sent again."), "error")
    return back(".messages")
