"""The stations themselves: set-up, stationed deputies, reception days and duties."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from votesys import fields
from votesys.congress.models import Deputy, Jurisdiction
from votesys.errors import InvalidInput, invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.models_base import utcnow
from votesys.stations import rules
from votesys.stations.common import today
from votesys.stations.models import Reception, ReceptionDuty, Station, StationDeputy, StationKind


def create_station(
    jurisdiction: Jurisdiction,
    name: str,
    kind: str = StationKind.STATION,
    *,
    address: str = "",
    opening_hours: str = "",
    contact: str = "",
    reception_days: Iterable[int] = (),
) -> Station:
    if kind not in tuple(StationKind):
        raise invalid("kind", _l("station, room, reception_room, building or industrial_park"))
    try:
        days = rules.parse_reception_days(reception_days)
    except ValueError:
        raise invalid("reception_days", _l("distinct days of the month, 1 to 31")) from None
    station = Station(
        jurisdiction=jurisdiction,
        name=fields.text(name, "name", 200),
        kind=kind,
        address=fields.text(address, "address", 300, required=False),
        opening_hours=fields.text(opening_hours, "opening_hours", 200, required=False),
        contact=fields.text(contact, "contact", 200, required=False),
        reception_days=days,
    )
    db.session.add(station)
    db.session.flush()
    audit("station_created", f"station:{station.id}", name=station.name)
    return station


def station_deputy(station: Station, code: str) -> Deputy:
    """A deputy by code, of any congress (a deputy of any level may be stationed)."""
    code = (code or "").strip()[:32]
    deputy = db.session.scalar(select(Deputy).where(Deputy.code == code)) if code else None
    if deputy is None:
        raise invalid("deputy", _l("no deputy with code %(code)s", code=code))
    return deputy


def station_deputies(station: Station) -> list[Deputy]:
    return list(
        db.session.scalars(
            select(Deputy)
            .join(StationDeputy, StationDeputy.deputy_id == Deputy.id)
            .where(StationDeputy.station_id == station.id)
            .order_by(Deputy.code)
        )
    )


def station_deputy_counts(station_ids: list[int]) -> dict[int, int]:
    if not station_ids:
        return {}
    return dict(
        db.session.execute(
            select(StationDeputy.station_id, func.count())
            .where(StationDeputy.station_id.in_(station_ids))
            .group_by(StationDeputy.station_id)
        ).all()
    )


def add_station_deputy(station: Station, code: str) -> Deputy:
    deputy = station_deputy(station, code)
    if db.session.get(StationDeputy, (station.id, deputy.id)) is None:
        db.session.add(StationDeputy(station_id=station.id, deputy_id=deputy.id))
        db.session.flush()
        audit("deputy_stationed", f"station:{station.id}", deputy=deputy.code)
    return deputy


def remove_station_deputy(station: Station, code: str) -> None:
    deputy = station_deputy(station, code)
    row = db.session.get(StationDeputy, (station.id, deputy.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        audit("deputy_unstationed", f"station:{station.id}", deputy=deputy.code)


def is_stationed(station_id: int, deputy_id: int) -> bool:
    return db.session.get(StationDeputy, (station_id, deputy_id)) is not None


def create_reception(
    station: Station, when: date, deputy_codes: Iterable[str], *, hours: str = "", topic: str = ""
) -> Reception:
    """A reception day with its deputies on duty; each must be stationed here."""
    codes = [c.strip() for c in deputy_codes if c and c.strip()]
    if not codes:
        raise invalid("deputies", _l("at least one deputy on duty"))
    if len(set(codes)) != len(codes):
        raise invalid("deputies", _l("a deputy appears twice"))
    deputies = []
    for code in codes:
        deputy = station_deputy(station, code)
        if not is_stationed(station.id, deputy.id):
            raise invalid("deputies", _l("%(code)s is not stationed here", code=code))
        deputies.append(deputy)
    reception = Reception(
        station=station,
        date=when,
        hours=fields.text(hours, "hours", 100, required=False),
        topic=fields.text(topic, "topic", 200, required=False),
    )
    db.session.add(reception)
    db.session.flush()
    for deputy in deputies:
        db.session.add(ReceptionDuty(reception_id=reception.id, deputy_id=deputy.id))
    db.session.flush()
    audit("reception_created", f"reception:{reception.id}", date=when.isoformat())
    return reception


def publish_reception(reception: Reception, *, on: date | None = None) -> Reception:
    """Make a reception day public: at least three days ahead, or not at all."""
    on = on or today()
    if reception.published_at is not None:
        return reception
    deadline = rules.publish_deadline(reception.date)
    if on > deadline:
        raise InvalidInput(
            "publish_too_late",
            date=reception.date.isoformat(),
            deadline=deadline.isoformat(),
            days=rules.PUBLISH_LEAD_DAYS,
        )
    reception.published_at = utcnow()
    db.session.flush()
    audit("reception_published", f"reception:{reception.id}", date=reception.date.isoformat())
    return reception


def duty_deputies(reception_ids: list[int]) -> dict[int, list[Deputy]]:
    out: dict[int, list[Deputy]] = {rid: [] for rid in reception_ids}
    if not reception_ids:
        return out
    rows = db.session.execute(
        select(ReceptionDuty.reception_id, Deputy)
        .join(Deputy, Deputy.id == ReceptionDuty.deputy_id)
        .where(ReceptionDuty.reception_id.in_(reception_ids))
        .order_by(Deputy.code)
    )
    for rid, deputy in rows:
        out[rid].append(deputy)
    return out


def receptions(station: Station, *, published_only: bool, since: date | None = None):
    query = select(Reception).where(Reception.station_id == station.id)
    if published_only:
        query = query.where(Reception.published_at.is_not(None))
    if since is not None:
        query = query.where(Reception.date >= since)
    return list(db.session.scalars(query.order_by(Reception.date)))


def upcoming_duties(deputy: Deputy, *, since: date | None = None) -> list[Reception]:
    return list(
        db.session.scalars(
            select(Reception)
            .join(ReceptionDuty, ReceptionDuty.reception_id == Reception.id)
            .where(ReceptionDuty.deputy_id == deputy.id, Reception.date >= (since or today()))
            .order_by(Reception.date)
        )
    )
