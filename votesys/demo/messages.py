"""Messages to citizens and their data's lifetime in the demo: a citizen who agreed to text
messages and got one (sent through the log gateway); an opinion whose citizen erased their
name and phone by tracking code; those archived over a year ago erased by the retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from votesys import clock
from votesys.extensions import db
from votesys.stations import lifetime, notify
from votesys.stations.message_models import MessageState
from votesys.stations.models import Opinion

AGREED = "自来水水压不足"  # 黄小平, in handling: agreed to messages, one sent
ERASED = "建设路路灯损坏"  # 王淑华, archived: erased her name and phone herself


def _opinion(title: str) -> Opinion:
    return db.session.scalar(select(Opinion).where(Opinion.title == title))


def seed() -> None:
    agreed = _opinion(AGREED)
    agreed.notify_consent = True
    message = notify.step_moved(agreed, agreed.status, "system")
    db.session.flush()
    # As the worker leaves it with the log gateway: sent, once.
    message.state = MessageState.SENT
    message.attempts = 1
    message.sent_at = message.created_at = agreed.steps[-1].at + timedelta(minutes=2)
    lifetime.erase_contact(
        _opinion(ERASED), reason=lifetime.AT_REQUEST, actor="citizen", on=clock.today()
    )
    lifetime.erase_expired(on=clock.today())
    db.session.flush()
