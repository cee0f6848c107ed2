"""The lifetime of a citizen's personal data (个人信息保护法): their name and phone erased a
set time after the opinion is archived (``PERSONAL_DATA_DAYS``, 365 by default) by a command
a timer runs, or at once at their request by tracking code; what votesys holds about them,
for them to download. Each erasure is an entry of the audit chain, naming the opinion and
why, never the data erased."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select

from votesys import clock, personal
from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.stations import notify, present, publicity, rules
from votesys.stations.message_models import OutboxMessage
from votesys.stations.message_rules import erase_due_on
from votesys.stations.models import Opinion, OpinionDeputy, Step
from votesys.stations.publicity_models import OpinionPhoto

AT_REQUEST = "citizen_request"
RETENTION = "retention"


def retention_days() -> int:
    return int(current_app.config["PERSONAL_DATA_DAYS"])


def has_contact(opinion: Opinion) -> bool:
    return opinion.citizen_name_enc is not None or opinion.citizen_phone_enc is not None


def contact_state(opinion: Opinion) -> dict[str, Any]:
    """What the tracking page says of the citizen's data, without reading it."""
    return {
        "held": has_contact(opinion),
        "consent": opinion.notify_consent,
        "erased_on": opinion.contact_erased_on,
        "days": retention_days(),
        "photos": len(publicity.photo_ids([opinion.id])[opinion.id]),
        "public": opinion.public,
    }


def erase_contact(opinion: Opinion, *, reason: str, actor: str, on: date | None = None) -> bool:
    """Erase the name and phone, withdraw consent, cancel what is not sent; one audit entry.
    Already erased (or never given): nothing changes and False is returned."""
    cancelled = notify.cancel_pending(opinion.id)
    if not has_contact(opinion) and not opinion.notify_consent:
        return False
    opinion.citizen_name_enc = None
    opinion.citizen_phone_enc = None
    opinion.notify_consent = False
    opinion.contact_erased_on = on or clock.today()
    audit(
        "opinion_contact_erased",
        f"opinion:{opinion.id}",
        actor=actor,
        reason=reason,
        messages_cancelled=cancelled,
    )
    db.session.flush()
    return True


def erase_expired(on: date | None = None, days: int | None = None) -> list[int]:
    """Every archived opinion whose retention ran out by ``on``: its contact details erased.
    Returns the opinions' ids."""
    on = on or clock.today()
    days = retention_days() if days is None else days
    # Archived on or before this day: due (see message_rules.erase_due_on).
    last_closed = date.fromordinal(on.toordinal() - days)
    rows = db.session.scalars(
        select(Opinion)
        .where(
            Opinion.status == Step.ARCHIVED,
            Opinion.closed_on <= last_closed,
            or_(
                Opinion.citizen_name_enc.is_not(None),
                Opinion.citizen_phone_enc.is_not(None),
                Opinion.notify_consent.is_(True),
            ),
        )
        .order_by(Opinion.id)
    ).all()
    for opinion in rows:
        erase_contact(opinion, reason=RETENTION, actor="system", on=on)
    return [o.id for o in rows]


def erase_photos(opinion: Opinion, *, actor: str) -> int:
    """Delete the opinion's photos at once (they may show faces): staff and the public see
    them no more. One audit entry, naming the opinion and how many, never the images.
    None left (or never sent): nothing changes and 0 is returned."""
    photos = db.session.scalars(
        select(OpinionPhoto).where(OpinionPhoto.opinion_id == opinion.id)
    ).all()
    if not photos:
        return 0
    for photo in photos:
        db.session.delete(photo)
    db.session.flush()
    audit("opinion_photos_erased", f"opinion:{opinion.id}", actor=actor, photos=len(photos))
    return len(photos)


def withdraw_publication(opinion: Opinion, *, actor: str) -> bool:
    """The citizen takes their published opinion off the public site (its page, photos and
    support with it); audited. Not published: nothing changes and False is returned."""
    if not opinion.public:
        return False
    opinion.public = False
    db.session.flush()
    audit("opinion_unpublished", f"opinion:{opinion.id}", actor=actor)
    return True


def _photos(opinion: Opinion) -> list[dict[str, Any]]:
    """The photos held, described: type, pixels, size and day, not the images."""
    rows = db.session.execute(
        select(
            OpinionPhoto.id,
            OpinionPhoto.mime,
            OpinionPhoto.width,
            OpinionPhoto.height,
            func.length(OpinionPhoto.data),
        )
        .where(OpinionPhoto.opinion_id == opinion.id)
        .order_by(OpinionPhoto.id)
    ).all()
    return [
        {
            "id": i,
            "mime": mime,
            "width": w,
            "height": h,
            "bytes": size,
            "received_on": opinion.received_on.isoformat(),
        }
        for i, mime, w, h, size in rows
    ]


def _publication(opinion: Opinion) -> dict[str, Any]:
    return {
        "public": opinion.public,
        "hidden": opinion.hidden_at is not None,
        "hidden_on": clock.iso_day(present.local_date(opinion.hidden_at))
        if opinion.hidden_at
        else None,
        "hidden_reason": opinion.hidden_reason or None,
        "supports": publicity.support_counts([opinion.id]).get(opinion.id, 0),
    }


def citizen_data(opinion: Opinion) -> dict[str, Any]:
    """What votesys holds about the citizen of this opinion, decrypted for this answer only."""
    name = personal.decrypt(opinion.citizen_name_enc)
    phone = personal.decrypt(opinion.citizen_phone_enc)
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.opinion_id == opinion.id)
        .order_by(OutboxMessage.id)
    ).all()
    closed = opinion.closed_on if opinion.status == Step.ARCHIVED else None
    return {
        "tracking_code": rules.format_tracking_code(opinion.tracking_code),
        "contact": {"name": name or None, "phone": phone or None} if has_contact(opinion) else None,
        "contact_erased_on": clock.iso_day(opinion.contact_erased_on),
        "notify_consent": opinion.notify_consent,
        "retention": {
            "days": retention_days(),
            "erase_on": clock.iso_day(erase_due_on(closed, retention_days())) if closed else None,
        },
        "opinion": {
            **present.tracking_dict(opinion),
            "content": opinion.content,
            "place": opinion.place or None,
            "source": opinion.source,
            "addressed_to": db.session.scalars(
                select(Deputy.name)
                .join(OpinionDeputy, OpinionDeputy.deputy_id == Deputy.id)
                .where(OpinionDeputy.opinion_id == opinion.id, OpinionDeputy.role == "addressed")
            ).all(),
        },
        "photos": _photos(opinion),
        "publication": _publication(opinion),
        "messages": [
            {
                "step": m.step,
                "text": m.body,
                "state": m.state,
                "created_at": m.created_at.isoformat(timespec="seconds") + "Z",
                "sent_at": m.sent_at.isoformat(timespec="seconds") + "Z" if m.sent_at else None,
            }
            for m in messages
        ],
    }
