"""The ``stations`` and ``opinions`` sections of a scenario file (see ``votesys.scenario``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from votesys import scenario_fields as fields
from votesys.congress.models import Deputy, Jurisdiction
from votesys.errors import InvalidInput
from votesys.extensions import db
from votesys.scenario_fields import ScenarioError
from votesys.stations import common, intake, receptions, rules, steps
from votesys.stations.models import (
    Feedback,
    Route,
    Source,
    StationKind,
    Step,
)

# The stations' sections of a scenario file: required and optional fields.
FIELDS = {
    "stations[]": (
        {"key", "name", "kind", "deputies"},
        {"jurisdiction", "reception_days", "address", "opening_hours", "contact", "receptions"},
    ),
    "receptions[]": ({"date", "deputies"}, {"published", "hours", "topic"}),
    "opinions[]": (
        {"key", "title", "content", "category"},
        {
            "station",
            "jurisdiction",
            "citizen_name",
            "citizen_phone",
            "status",
            "received_on",
            "route",
            "unit",
            "reply",
            "feedback",
            "deputies",
            "candidate",
        },
    ),
}


def _date(value: Any, path: str) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise ScenarioError(path, "a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(path, "a date as YYYY-MM-DD") from None


def _codes(value: Any, path: str) -> list[str]:
    items = fields.list_of(value, path)
    codes = [fields.text(c, f"{path}[{i}]", max_len=32) for i, c in enumerate(items)]
    if len(set(codes)) != len(codes):
        raise ScenarioError(path, "a deputy appears twice")
    return codes


def validate(stations: Any, opinions: Any, candidate_keys: set[str]) -> dict:
    out_stations, keys = [], set()
    for i, raw in enumerate(fields.list_of(stations, "stations")):
        path = f"stations[{i}]"
        s = fields.object_of(raw, path, FIELDS["stations[]"])
        key = fields.text(s["key"], f"{path}.key", max_len=64)
        if key in keys:
            raise ScenarioError(f"{path}.key", "duplicate")
        keys.add(key)
        try:
            days = rules.parse_reception_days(
                fields.list_of(s.get("reception_days", []), f"{path}.reception_days")
            )
        except ValueError as err:
            raise ScenarioError(f"{path}.reception_days", str(err)) from None
        receptions = []
        for j, r in enumerate(fields.list_of(s.get("receptions", []), f"{path}.receptions")):
            rpath = f"{path}.receptions[{j}]"
            r = fields.object_of(r, rpath, FIELDS["receptions[]"])
            published = r.get("published", True)
            if not isinstance(published, bool):
                raise ScenarioError(f"{rpath}.published", "true or false")
            receptions.append(
                {
                    "date": _date(r["date"], f"{rpath}.date"),
                    "deputies": _codes(r["deputies"], f"{rpath}.deputies"),
                    "published": published,
                    "hours": fields.text(r.get("hours", ""), f"{rpath}.hours", allow_empty=True),
                    "topic": fields.text(r.get("topic", ""), f"{rpath}.topic", allow_empty=True),
                }
            )
        out_stations.append(
            {
                "key": key,
                "name": fields.text(s["name"], f"{path}.name"),
                "kind": fields.choice(s["kind"], f"{path}.kind", tuple(StationKind)),
                "jurisdiction": None
                if s.get("jurisdiction") is None
                else fields.text(s["jurisdiction"], f"{path}.jurisdiction", max_len=32),
                "deputies": _codes(s["deputies"], f"{path}.deputies"),
                "reception_days": [int(d) for d in days.split(",") if d],
                "address": fields.text(s.get("address", ""), f"{path}.address", allow_empty=True),
                "opening_hours": fields.text(
                    s.get("opening_hours", ""), f"{path}.opening_hours", allow_empty=True
                ),
                "contact": fields.text(s.get("contact", ""), f"{path}.contact", allow_empty=True),
                "receptions": receptions,
            }
        )
    out_opinions, okeys = [], set()
    for i, raw in enumerate(fields.list_of(opinions, "opinions")):
        path = f"opinions[{i}]"
        o = fields.object_of(raw, path, FIELDS["opinions[]"])
        key = fields.text(o["key"], f"{path}.key", max_len=64)
        if key in okeys:
            raise ScenarioError(f"{path}.key", "duplicate")
        okeys.add(key)
        try:
            checked = intake.check_opinion(o)
        except InvalidInput as err:
            raise ScenarioError(
                f"{path}.{err.params.get('field')}", str(err.params.get("reason"))
            ) from None
        station = o.get("station")
        if station is not None and station not in keys:
            raise ScenarioError(f"{path}.station", "no station with this key")
        candidate = o.get("candidate")
        if candidate is not None and candidate not in candidate_keys:
            raise ScenarioError(f"{path}.candidate", "no candidate with this key")
        out_opinions.append(
            {
                "key": key,
                "fields": checked,
                "station": station,
                "jurisdiction": None
                if o.get("jurisdiction") is None
                else fields.text(o["jurisdiction"], f"{path}.jurisdiction", max_len=32),
                "status": fields.choice(o.get("status", "received"), f"{path}.status", tuple(Step)),
                "received_on": None
                if o.get("received_on") is None
                else _date(o["received_on"], f"{path}.received_on"),
                "route": fields.choice(
                    o.get("route", "township_ordinary"), f"{path}.route", tuple(Route)
                ),
                "unit": fields.text(o.get("unit", ""), f"{path}.unit", allow_empty=True),
                "reply": fields.text(
                    o.get("reply", ""), f"{path}.reply", max_len=2000, allow_empty=True
                ),
                "feedback": fields.choice(
                    o.get("feedback", "satisfied"), f"{path}.feedback", tuple(Feedback)
                ),
                "deputies": _codes(o.get("deputies", []), f"{path}.deputies"),
                "candidate": candidate,
            }
        )
    return {"stations": out_stations, "opinions": out_opinions}


def _jurisdiction(code: str | None, default: Jurisdiction, path: str) -> Jurisdiction:
    if code is None:
        return default
    node = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if node is None:
        raise ScenarioError(path, "no jurisdiction with this code")
    return node


def _deputy(code: str, path: str) -> Deputy:
    deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
    if deputy is None:
        raise ScenarioError(path, "no deputy with this code")
    return deputy


def load(spec: dict, default_jurisdiction: Jurisdiction, candidates: dict) -> dict:
    """Create the stations and opinions; opinions with a ``status`` are moved there step by
    step, one day a step from the day received, as if handled in the system."""
    stations = {}
    for i, s in enumerate(spec["stations"]):
        path = f"stations[{i}]"
        station = receptions.create_station(
            _jurisdiction(s["jurisdiction"], default_jurisdiction, f"{path}.jurisdiction"),
            s["name"],
            s["kind"],
            address=s["address"],
            opening_hours=s["opening_hours"],
            contact=s["contact"],
            reception_days=s["reception_days"],
        )
        for j, code in enumerate(s["deputies"]):
            _deputy(code, f"{path}.deputies[{j}]")
            receptions.add_station_deputy(station, code)
        for j, r in enumerate(s["receptions"]):
            for k, code in enumerate(r["deputies"]):
                if code not in s["deputies"]:
                    raise ScenarioError(
                        f"{path}.receptions[{j}].deputies[{k}]", "not stationed here"
                    )
            reception = receptions.create_reception(
                station, r["date"], r["deputies"], hours=r["hours"], topic=r["topic"]
            )
            if r["published"]:
                receptions.publish_reception(
                    reception, on=r["date"] - timedelta(days=rules.PUBLISH_LEAD_DAYS)
                )
        stations[s["key"]] = station
    opinions = {}
    for i, o in enumerate(spec["opinions"]):
        path = f"opinions[{i}]"
        station = stations.get(o["station"]) if o["station"] else None
        node = station.jurisdiction if station else default_jurisdiction
        if o["jurisdiction"] is not None:
            node = _jurisdiction(o["jurisdiction"], default_jurisdiction, f"{path}.jurisdiction")
        deputies = [_deputy(c, f"{path}.deputies[{k}]") for k, c in enumerate(o["deputies"])]
        received = o["received_on"] or common.today()
        opinion = intake.create_opinion(
            o["fields"],
            source=Source.RECEPTION if station else Source.ONLINE,
            jurisdiction=node,
            station=station,
            deputies=deputies,
            received_on=received,
        )
        _advance(opinion, o, received, deputies, path)
        if o["candidate"]:
            opinion.candidate_id = candidates[o["candidate"]].id
        opinions[o["key"]] = opinion
    db.session.flush()
    return {
        "stations": {k: s.id for k, s in stations.items()},
        "opinions": {k: o.id for k, o in opinions.items()},
    }


def _advance(opinion, o: dict, received: date, deputies: list[Deputy], path: str) -> None:
    target = Step(o["status"])
    # An unsatisfied opinion back in handling went round once: replied, feedback, handling.
    reopen = target == Step.HANDLING and o["feedback"] == Feedback.UNSATISFIED
    day = 0
    while opinion.status != target or reopen:
        day += 1
        on = received + timedelta(days=day)
        current = opinion.status
        if current == Step.REGISTERED:
            steps.move(
                opinion,
                Step.HANDLING,
                route=o["route"],
                unit=o["unit"] or "乡镇人民政府办公室",
                signers=[d.code for d in deputies] or _any_signer(opinion),
                reason=o["reply"] or "该事项已进入司法程序，依法不予受理。",
                on=on,
            )
        elif current == Step.HANDLING and o["route"] == Route.NOT_ACCEPTED:
            steps.move(opinion, Step.ARCHIVED, on=on)
        elif current == Step.SUPERVISED:
            steps.move(
                opinion, Step.REPLIED, note=o["reply"] or "已按程序办理，办理结果已告知。", on=on
            )
        elif current == Step.REPLIED:
            steps.move(opinion, Step.FEEDBACK, feedback=o["feedback"], on=on)
            if o["feedback"] == Feedback.UNSATISFIED:
                steps.move(opinion, Step.HANDLING, on=on)
                reopen = False
        else:
            steps.move(opinion, rules.next_step(current), on=on)
        if opinion.status == Step.ARCHIVED and target != Step.ARCHIVED:
            raise ScenarioError(f"{path}.status", "not reachable on this route")
    db.session.flush()
    for i, step in enumerate(opinion.steps):
        step.at = datetime.combine(received + timedelta(days=i), time(1, 30))


def _any_signer(opinion) -> list[str]:
    """A deputy's suggestion needs a signer: the first deputy stationed at its station."""
    if opinion.station is None:
        return []
    deputies = receptions.station_deputies(opinion.station)
    return [deputies[0].code] if deputies else []
