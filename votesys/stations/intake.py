"""Opinions coming in: checked, registered with a tracking code, the citizen's data kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from votesys import fields, personal
from votesys.categories import Category
from votesys.congress.models import Deputy, Jurisdiction
from votesys.errors import invalid
from votesys.extensions import db
from votesys.integrity.services import current_actor
from votesys.models_base import MAX_ID
from votesys.stations import campaigns, publicity, rules
from votesys.stations.common import today
from votesys.stations.models import (
    Opinion,
    OpinionDeputy,
    OpinionStep,
    Reception,
    Source,
    Station,
    Step,
)
from votesys.stations.permissions import may_handle, may_see_personal

OPINION_FIELDS = (
    "title",
    "content",
    "category",
    "place",
    "citizen_name",
    "citizen_phone",
    "notify_consent",
    "public",
)


@dataclass(frozen=True)
class NewOpinion:
    title: str
    content: str
    category: str
    place: str = ""
    citizen_name: str = ""
    citizen_phone: str = ""
    notify_consent: bool = False  # a message at each step (stations.notify)
    public: bool = False  # the citizen chose to publish it (stations.publicity)


def check_opinion(raw: dict[str, Any]) -> NewOpinion:
    """The fields of a new opinion, checked; raises InvalidInput naming the first bad one."""
    category = raw.get("category")
    if category not in tuple(Category):
        raise invalid("category", _l("one of: %(keys)s", keys=", ".join(Category)))
    phone_text = fields.text(raw.get("citizen_phone"), "citizen_phone", 40, required=False)
    phone = ""
    if phone_text:
        phone = rules.normalise_phone(phone_text) or ""
        if not phone:
            raise invalid(
                "citizen_phone", _l("a mobile number (11 digits) or a landline with area code")
            )
    return NewOpinion(
        title=fields.text(raw.get("title"), "title", 200),
        content=fields.text(raw.get("content"), "content", rules.MAX_CONTENT),
        category=category,
        place=fields.text(raw.get("place"), "place", 200, required=False),
        citizen_name=fields.text(raw.get("citizen_name"), "citizen_name", 50, required=False),
        citizen_phone=phone,
        notify_consent=_consent(raw.get("notify_consent", False)) and bool(phone),
        public=publicity.flag(raw.get("public", False), "public"),
    )


def _consent(value: Any) -> bool:
    """Agreed to a message at each step: true or false (off when left out)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid("notify_consent", _l("true or false"))
    return value


def _unused_tracking_code() -> str:
    while True:
        code = rules.new_tracking_code()
        if db.session.scalar(select(Opinion.id).where(Opinion.tracking_code == code)) is None:
            return code


def create_opinion(
    fields: NewOpinion,
    *,
    source: str,
    jurisdiction: Jurisdiction,
    station: Station | None = None,
    reception: Reception | None = None,
    deputies: Iterable[Deputy] = (),
    received_on: date | None = None,
    actor: str | None = None,
) -> Opinion:
    """Register a new opinion at step 接待 with a fresh tracking code."""
    actor = actor or current_actor()
    opinion = Opinion(
        tracking_code=_unused_tracking_code(),
        jurisdiction=jurisdiction,
        station=station,
        reception_id=reception.id if reception is not None else None,
        source=source,
        received_on=received_on or today(),
        title=fields.title,
        content=fields.content,
        category=fields.category,
        place=fields.place,
        citizen_name_enc=personal.encrypt(fields.citizen_name),
        citizen_phone_enc=personal.encrypt(fields.citizen_phone),
        notify_consent=fields.notify_consent,
        public=fields.public,
        status=Step.RECEIVED,
        created_by=actor,
    )
    db.session.add(opinion)
    db.session.flush()
    for deputy in {d.id: d for d in deputies}.values():
        db.session.add(OpinionDeputy(opinion_id=opinion.id, deputy_id=deputy.id, role="received"))
    db.session.add(
        OpinionStep(opinion_id=opinion.id, from_step=None, to_step=Step.RECEIVED, actor=actor)
    )
    db.session.flush()
    campaigns.join(opinion)  # received in a campaign's window: it joins it
    return opinion


def submit_online(raw: dict[str, Any], photos: Iterable[tuple[str, bytes]] = ()) -> Opinion:
    """A citizen's own submission: to a station (by id) or a jurisdiction (by code), or to a
    deputy stationed there (``deputy``, by id: 代表码); up to three photos."""
    checked = check_opinion(raw)
    images = publicity.check_photos(photos)
    station_ref = raw.get("station")
    # Read even beside a station, which takes the place of a jurisdiction.
    jurisdiction_ref = fields.text(raw.get("jurisdiction"), "jurisdiction", 32, required=False)
    station = None
    if station_ref not in (None, ""):
        if isinstance(station_ref, bool) or not isinstance(station_ref, (int, str)):
            raise invalid("station", _l("a station's number"))
        if not str(station_ref).isdigit() or int(station_ref) > MAX_ID:
            raise invalid("station", _l("a station's number"))
        station = db.session.get(Station, int(station_ref))
        if station is None:
            raise invalid("station", _l("no such station"))
        jurisdiction = station.jurisdiction
    elif jurisdiction_ref:
        jurisdiction = db.session.scalar(
            select(Jurisdiction).where(Jurisdiction.code == jurisdiction_ref)
        )
        if jurisdiction is None:
            raise invalid("jurisdiction", _l("no such jurisdiction"))
    else:
        raise invalid("station", _l("choose the station (or jurisdiction) to send it to"))
    deputy = publicity.addressed_deputy(raw.get("deputy"), station)
    opinion = create_opinion(
        checked, source=Source.ONLINE, jurisdiction=jurisdiction, station=station, actor="citizen"
    )
    publicity.keep_photos(opinion, images)
    publicity.address_to(opinion, deputy)
    db.session.flush()
    return opinion


def personal_data(opinion: Opinion, user: object) -> dict[str, str]:
    """The citizen's name and phone as this user may see them: whole, masked, or not at all."""
    name, phone = (
        personal.decrypt(opinion.citizen_name_enc),
        personal.decrypt(opinion.citizen_phone_enc),
    )
    if may_see_personal(user, opinion):
        return {"name": name, "phone": phone, "masked": False}
    if may_handle(user, opinion):
        return {"name": rules.mask_name(name), "phone": rules.mask_phone(phone), "masked": True}
    return {"name": "", "phone": "", "masked": True}
