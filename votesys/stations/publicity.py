"""Opinions the citizen chose to publish, their photos, and the public's support (附议).

A published opinion shows its subject, text, field, place, station, step, photos and support
count: never the citizen's name or phone, and runs of digits in its text that look like a
phone number are masked. Staff may hide a published opinion (audited); a hidden or unpublished
opinion has no public page, photo or support. Support is one per browser: a random id kept in
a cookie, stored as a keyed hash, and rate-limited per address by the endpoint. It is an
indication of interest, not a vote."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from votesys import fields
from votesys.categories import CATEGORY_LABELS
from votesys.congress.models import Deputy, Jurisdiction
from votesys.errors import BadRequest, Conflict, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit, current_actor
from votesys.models_base import MAX_ID, utcnow
from votesys.photos import process_photo
from votesys.stations.labels import STEP_LABELS
from votesys.stations.models import Opinion, OpinionDeputy, Station, StationDeputy
from votesys.stations.publicity_models import OpinionPhoto, OpinionSupport

MAX_PHOTOS = 3
BROWSER_COOKIE = "votesys_browser"
PAGE = 30
_BROWSER_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
# A phone number typed into the text (11-digit mobile, landline with area code): masked.
_PHONE_LIKE = re.compile(r"(?<!\d)(?:\d[\s-]?){7,}\d(?!\d)")


def flag(value: Any, field: str) -> bool:
    """A yes/no choice of the citizen: true or false (off when left out)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid(field, _l("true or false"))
    return value


def check_photos(photos: Iterable[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """Up to three photos, each checked and re-encoded (no EXIF), before anything is stored."""
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise invalid("photos", _l("at most %(n)s photos", n=MAX_PHOTOS))
    return [process_photo(name, data, i) for i, (name, data) in enumerate(photos)]


def keep_photos(opinion: Opinion, images: list[dict[str, Any]]) -> None:
    for image in images:
        db.session.add(OpinionPhoto(opinion_id=opinion.id, **image))


def addressed_deputy(value: Any, station: Station | None) -> Deputy | None:
    """The deputy an opinion is addressed to (代表码): one stationed at its station."""
    if value in (None, ""):
        return None
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not text.isdigit() or int(text) > MAX_ID:
        raise invalid("deputy", _l("a deputy's number"))
    if station is None:
        raise invalid("station", _l("choose the station (or jurisdiction) to send it to"))
    deputy = db.session.get(Deputy, int(text))
    stationed = deputy is not None and db.session.get(StationDeputy, (station.id, deputy.id))
    if not stationed:
        raise invalid("deputy", _l("this deputy does not receive opinions at this station"))
    return deputy


def addressed_on_form(values: Any) -> dict[str, Any] | None:
    """The deputy and station a poster's code names (``?station=&deputy=``), when the deputy
    is stationed there: the form is locked to them. Anything else: the ordinary form."""
    station_id, deputy_id = str(values.get("station", "")), str(values.get("deputy", ""))
    if not (station_id.isdigit() and deputy_id.isdigit()):
        return None
    if int(station_id) > MAX_ID or int(deputy_id) > MAX_ID:
        return None
    link = db.session.get(StationDeputy, (int(station_id), int(deputy_id)))
    if link is None:
        return None
    return {"deputy": link.deputy, "station": db.session.get(Station, link.station_id)}


def uploads(files: Any) -> list[tuple[str, bytes]]:
    """The photos of a form or a multipart request (parts with no file chosen left out)."""
    return [(f.filename or "photo", f.read()) for f in files or () if getattr(f, "filename", "")]


def multipart_opinion(form: Any, files: Any) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """A new opinion as multipart/form-data: its JSON object in an ``opinion`` part and up to
    three files in ``photos`` parts."""
    try:
        data = json.loads(form.get("opinion") or "{}", object_pairs_hook=_no_repeats)
    except (ValueError, RecursionError):
        raise BadRequest("bad_json") from None
    if not isinstance(data, dict):
        raise BadRequest("bad_json")
    if form.getlist("photos"):  # a part named photos that is not a file
        raise invalid("photos", _l("a JPEG or PNG photo"))
    return data, uploads(files.getlist("photos"))


def address_to(opinion: Opinion, deputy: Deputy | None) -> None:
    if deputy is not None:
        db.session.add(OpinionDeputy(opinion_id=opinion.id, deputy_id=deputy.id, role="addressed"))


def visible(opinion: Opinion | None) -> bool:
    return opinion is not None and opinion.public and opinion.hidden_at is None


def published(opinion_id: int) -> Opinion:
    """A published opinion that staff have not hidden; else 404, as for no opinion at all."""
    opinion = db.session.get(Opinion, opinion_id)
    if not visible(opinion):
        raise NotFound("not_found")
    return opinion


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key given twice")
    return dict(pairs)


# --- support (附议) ---------------------------------------------------------------------


def browser_id(cookie: str | None) -> tuple[str, bool]:
    """The browser's random id from its cookie, or a new one (True: set the cookie)."""
    if cookie and _BROWSER_ID.match(cookie):
        return cookie, False
    return secrets.token_urlsafe(18), True


def _browser_hash(browser: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"support:" + browser.encode(), hashlib.sha256).hexdigest()


def support(opinion_id: int, browser: str) -> int:
    """One browser's support; 409 already_supported on a repeat. Returns the new count."""
    opinion = published(opinion_id)
    digest = _browser_hash(browser)
    seen = db.session.scalar(
        select(OpinionSupport.id).where(
            OpinionSupport.opinion_id == opinion.id, OpinionSupport.browser_hash == digest
        )
    )
    if seen is not None:
        raise Conflict("already_supported")
    db.session.add(OpinionSupport(opinion_id=opinion.id, browser_hash=digest))
    db.session.flush()  # a race with the same browser: the unique constraint answers 409
    return support_counts([opinion.id]).get(opinion.id, 0)


def support_counts(ids: Iterable[int]) -> dict[int, int]:
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(OpinionSupport.opinion_id, func.count())
        .where(OpinionSupport.opinion_id.in_(ids))
        .group_by(OpinionSupport.opinion_id)
    ).all()
    return dict(rows)


def support_count_column():
    """The support count of each opinion, for sorting a query of opinions by it."""
    return (
        select(func.count(OpinionSupport.id))
        .where(OpinionSupport.opinion_id == Opinion.id)
        .correlate(Opinion)
        .scalar_subquery()
    )


# --- staff: hiding and showing ---------------------------------------------------------


def hide(opinion: Opinion, reason: Any) -> None:
    """Take a published opinion off the public site, with the reason (audited)."""
    why = fields.text(reason, "reason", 500)
    if not opinion.public:
        raise Conflict("opinion_not_published")
    opinion.hidden_at = utcnow()
    opinion.hidden_reason = why
    db.session.flush()
    audit("opinion_hidden", f"opinion:{opinion.id}", reason=why)


def show(opinion: Opinion) -> None:
    """Show again a published opinion that was hidden (audited)."""
    if not opinion.public or opinion.hidden_at is None:
        raise Conflict("not_hidden")
    opinion.hidden_at = None
    opinion.hidden_reason = ""
    db.session.flush()
    audit("opinion_shown", f"opinion:{opinion.id}", actor=current_actor())


def photo_ids(ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(ids)
    out: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        rows = db.session.execute(
            select(OpinionPhoto.opinion_id, OpinionPhoto.id)
            .where(OpinionPhoto.opinion_id.in_(ids))
            .order_by(OpinionPhoto.id)
        ).all()
        for opinion_id, photo_id in rows:
            out[opinion_id].append(photo_id)
    return out


def photo_of(opinion: Opinion, photo_id: int) -> OpinionPhoto:
    photo = db.session.get(OpinionPhoto, photo_id)
    if photo is None or photo.opinion_id != opinion.id:
        raise NotFound("not_found")
    return photo


# --- what the public reads: a fixed number of statements ---------------------------------


def mask_digits(text: str) -> str:
    return _PHONE_LIKE.sub("●●●●", text)


def public_rows(*, sort: str = "new", jurisdiction: str | None = None, page: int = 1):
    """A page of published opinions (newest first, or by support) and their total."""
    count = support_count_column().label("supports")
    query = (
        select(Opinion, count, Station.name, Jurisdiction.name)
        .join(Jurisdiction, Jurisdiction.id == Opinion.jurisdiction_id)
        .outerjoin(Station, Station.id == Opinion.station_id)
        .where(Opinion.public.is_(True), Opinion.hidden_at.is_(None))
    )
    if jurisdiction:
        query = query.where(Jurisdiction.code == jurisdiction)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = (count.desc(),) if sort == "support" else ()
    rows = db.session.execute(
        query.order_by(*order, Opinion.received_on.desc(), Opinion.id.desc())
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    photos = photo_ids([r[0].id for r in rows])
    items = [
        public_dict(op, supports, station, node, photos[op.id])
        for op, supports, station, node in rows
    ]
    return items, total


def public_one(opinion_id: int) -> dict[str, Any]:
    opinion = published(opinion_id)
    station = opinion.station.name if opinion.station_id else None
    return public_dict(
        opinion,
        support_counts([opinion.id]).get(opinion.id, 0),
        station,
        opinion.jurisdiction.name,
        photo_ids([opinion.id])[opinion.id],
    )


def public_dict(
    opinion: Opinion, supports: int, station: str | None, jurisdiction: str, photos: list[int]
) -> dict[str, Any]:
    """What the public sees of a published opinion: never a name or a phone."""
    return {
        "id": opinion.id,
        "title": mask_digits(opinion.title),
        "content": mask_digits(opinion.content),
        "category": opinion.category,
        "category_label": str(CATEGORY_LABELS[opinion.category]),
        "place": mask_digits(opinion.place),
        "station": station,
        "jurisdiction": jurisdiction,
        "received_on": opinion.received_on.isoformat(),
        "status": opinion.status,
        "status_label": str(STEP_LABELS[opinion.status]),
        "supports": supports,
        "photos": photos,
    }


def desk_state(opinion: Opinion) -> dict[str, Any]:
    """What the desk's opinion page shows of it: photos, publication and support."""
    return {
        "photos": photo_ids([opinion.id])[opinion.id],
        "public": opinion.public,
        "hidden": opinion.hidden_at is not None,
        "hidden_reason": opinion.hidden_reason,
        "supports": support_counts([opinion.id]).get(opinion.id, 0),
    }


def stations_of(deputy: Deputy) -> list[Station]:
    """The stations a deputy is stationed at: one poster (代表码) each."""
    return list(
        db.session.scalars(
            select(Station)
            .join(StationDeputy, StationDeputy.station_id == Station.id)
            .where(StationDeputy.deputy_id == deputy.id)
            .order_by(Station.name)
        )
    )
