"""The stations' public directory (``/stations``): every station when there are few; in a
province (thousands of stations), one jurisdiction at a time.

A citizen on a phone looking for the station near them cannot scroll through 5,000. With
more than ``MANY_STATIONS`` in all, the directory starts at the top of the tree and offers
the places under it with how many stations each holds; a place is opened until what is
under it fits one page, and then its stations are listed. Three statements, whatever the
size: the tree, the stations counted by jurisdiction, the stations listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from votesys.congress.models import Jurisdiction
from votesys.errors import NotFound
from votesys.extensions import db
from votesys.stations.models import Station

# Up to this many stations are listed on one page (the directory's and the opinion form's).
MANY_STATIONS = 300


@dataclass
class Place:
    id: int
    code: str
    name: str
    parent_id: int | None
    stations: int = 0  # in this place and every place under it
    children: list[Place] = field(default_factory=list)


@dataclass
class Directory:
    node: Place | None  # the place shown (None: every station, as few as they are)
    path: list[Place]  # from the top down to ``node``, itself included
    places: list[Place]  # the places under ``node`` to choose from (too many to list)
    groups: list[tuple[str, list[Station]]]  # the stations listed, by jurisdiction


def grouped_stations(
    near: int | None = None, jurisdiction_ids: list[int] | None = None
) -> list[tuple[str, list[Station]]]:
    """The stations grouped by jurisdiction; with ``near``, only those of that station's
    jurisdiction; with ``jurisdiction_ids``, only those of these jurisdictions."""
    groups: dict[str, list[Station]] = {}
    # Each station with its jurisdiction in one statement (lazy loading would take one more
    # statement per jurisdiction with a station).
    query = (
        select(Station)
        .options(joinedload(Station.jurisdiction))
        .order_by(Station.jurisdiction_id, Station.id)
    )
    if near is not None:
        place = select(Station.jurisdiction_id).where(Station.id == near).scalar_subquery()
        query = query.where(Station.jurisdiction_id == place)
    if jurisdiction_ids is not None:
        query = query.where(Station.jurisdiction_id.in_(jurisdiction_ids))
    for station in db.session.scalars(query):
        groups.setdefault(station.jurisdiction.name, []).append(station)
    return list(groups.items())


def many_stations() -> bool:
    return db.session.scalar(select(func.count()).select_from(Station)) > MANY_STATIONS


def directory(code: str | None) -> Directory:
    """What ``/stations?jurisdiction=<code>`` shows; an unknown code is a 404."""
    code = (code or "").strip()[:32] or None
    places = _places()
    total = sum(p.stations for p in places.values() if p.parent_id not in places)
    if code is None and total <= MANY_STATIONS:
        return Directory(None, [], [], grouped_stations())
    tops = sorted((p for p in places.values() if p.parent_id not in places), key=_by_code)
    if code is not None:
        node = next((p for p in places.values() if p.code == code), None)
        if node is None:
            raise NotFound("no_jurisdiction")
    elif len(tops) == 1:
        node = tops[0]
    else:  # several trees side by side: choose one first
        return Directory(None, [], [p for p in tops if p.stations], [])
    path = [node]
    while path[0].parent_id in places and len(path) <= len(places):
        path.insert(0, places[path[0].parent_id])
    if node.stations <= MANY_STATIONS:
        return Directory(node, path, [], grouped_stations(jurisdiction_ids=_subtree(node)))
    # Too many to list: the places under it, and the stations of the place itself.
    under = sorted((c for c in node.children if c.stations), key=_by_code)
    return Directory(node, path, under, grouped_stations(jurisdiction_ids=[node.id]))


def _places() -> dict[int, Place]:
    """Every jurisdiction with how many stations it and the places under it hold."""
    places = {
        row.id: Place(row.id, row.code, row.name, row.parent_id)
        for row in db.session.execute(
            select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.name, Jurisdiction.parent_id)
        )
    }
    for place in places.values():
        if place.parent_id in places:
            places[place.parent_id].children.append(place)
    counted = select(Station.jurisdiction_id, func.count()).group_by(Station.jurisdiction_id)
    for jurisdiction_id, n in db.session.execute(counted):
        place = places.get(jurisdiction_id)
        seen: set[int] = set()
        while place is not None and place.id not in seen:  # each place above it, once
            seen.add(place.id)
            place.stations += n
            place = places.get(place.parent_id)
    return places


def _subtree(node: Place) -> list[int]:
    out, stack, seen = [], [node], set()
    while stack:
        place = stack.pop()
        if place.id not in seen:
            seen.add(place.id)
            out.append(place.id)
            stack.extend(place.children)
    return out


def _by_code(place: Place) -> str:
    return place.code
