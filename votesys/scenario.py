"""Whole set-ups from one JSON file: jurisdiction, congress, deputies, session, candidates, votes.

The demo data, the tests and the benchmarks load their scenarios through here. A file that
breaks the format is refused whole, naming the path of the first bad field.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app

from votesys.auth.services import hash_secret
from votesys.congress import services as congress
from votesys.congress.models import Congress, Deputy, Level, MandateStatus
from votesys.errors import InvalidInput
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.voting import rules
from votesys.voting import services as voting


class ScenarioError(InvalidInput):
    """A bad field, named by its path: ``deputies[12].code: duplicate``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("invalid", field=path, reason=reason)
        self.path, self.reason = path, reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# The congress sections come together; ``jurisdictions`` and ``projects`` (the register,
# votesys.projects.scenario) may come with them or alone.
CONGRESS_SECTIONS = {"jurisdiction", "congress", "deputies", "session", "candidates", "votes"}
REGISTER_SECTIONS = {"jurisdictions", "projects"}
STATION_SECTIONS = {"stations", "opinions"}  # with the congress sections: they name deputies
FIELDS = {
    "": (set(), CONGRESS_SECTIONS | REGISTER_SECTIONS | STATION_SECTIONS),
    "jurisdiction": ({"code", "name", "level"}, {"parent"}),
    "congress": ({"name", "term"}, set()),
    "deputies[]": ({"code", "name", "pin"}, {"delegation", "status"}),
    "session": ({"name", "date"}, set()),
    "candidates[]": ({"key", "title"}, {"summary", "responsible_unit", "budget_wan"}),
    "votes[]": (
        {"key", "title", "candidates", "seats", "max_for"},
        {"style", "base", "mode"},
    ),
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


def _object(value: Any, path: str, kind: str | tuple[set[str], set[str]]) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(path or "(file)", "must be an object")
    required, optional = FIELDS[kind] if isinstance(kind, str) else kind
    for key in sorted(required):
        if key not in value:
            raise ScenarioError(_join(path, key), "required")
    for key in sorted(value):
        if key not in required | optional:
            raise ScenarioError(_join(path, key), "unknown field")
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _text(value: Any, path: str, *, max_len: int = 200, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ScenarioError(path, "must be a string")
    value = value.strip()
    if not value and not allow_empty:
        raise ScenarioError(path, "must not be empty")
    if len(value) > max_len:
        raise ScenarioError(path, f"at most {max_len} characters")
    return value


def _int(value: Any, path: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ScenarioError(path, f"must be a whole number ≥ {low}")
    return value


def _list(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise ScenarioError(path, "must be a list")
    return value


def validate(data: Any) -> dict:
    """Check the whole file before anything is written; return it normalised."""
    from votesys.projects import scenario as register

    _object(data, "", "")
    if not set(data) & (CONGRESS_SECTIONS | REGISTER_SECTIONS):
        raise ScenarioError("(file)", "no section: " + ", ".join(sorted(CONGRESS_SECTIONS)))
    out = register.validate(data, ScenarioError, _object, _text, _choice, _list)
    if set(data) & CONGRESS_SECTIONS:
        for key in sorted(CONGRESS_SECTIONS):
            if key not in data:
                raise ScenarioError(key, "required")
        out.update(_congress_sections(data))
    elif set(data) & STATION_SECTIONS:
        raise ScenarioError(
            sorted(set(data) & STATION_SECTIONS)[0], "needs the congress sections in the file"
        )
    return out


def _congress_sections(data: dict) -> dict:
    j = _object(data["jurisdiction"], "jurisdiction", "jurisdiction")
    out: dict[str, Any] = {
        "jurisdiction": {
            "code": _text(j["code"], "jurisdiction.code", max_len=32),
            "name": _text(j["name"], "jurisdiction.name", max_len=100),
            "level": _choice(j["level"], "jurisdiction.level", tuple(Level)),
            "parent": None
            if j.get("parent") is None
            else _text(j["parent"], "jurisdiction.parent", max_len=32),
        }
    }
    c = _object(data["congress"], "congress", "congress")
    out["congress"] = {
        "name": _text(c["name"], "congress.name"),
        "term": _int(c["term"], "congress.term"),
    }
    out["deputies"] = _deputies(_list(data["deputies"], "deputies"))
    s = _object(data["session"], "session", "session")
    out["session"] = {"name": _text(s["name"], "session.name"), "date": _date(s["date"])}
    out["candidates"] = _candidates(_list(data["candidates"], "candidates"))
    out["votes"] = _votes(_list(data["votes"], "votes"), {c["key"] for c in out["candidates"]})
    from votesys.stations import scenario as stations

    out.update(
        stations.validate(
            data.get("stations", []),
            data.get("opinions", []),
            {c["key"] for c in out["candidates"]},
        )
    )
    return out


def _choice(value: Any, path: str, allowed: tuple) -> str:
    if value not in allowed:
        raise ScenarioError(path, "one of " + ", ".join(str(a) for a in allowed))
    return value


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ScenarioError("session.date", "a date as YYYY-MM-DD") from None


def _deputies(items: list) -> list[dict]:
    if not items:
        raise ScenarioError("deputies", "at least one deputy")
    seen: set[str] = set()
    out = []
    for i, raw in enumerate(items):
        path = f"deputies[{i}]"
        d = _object(raw, path, "deputies[]")
        code = _text(d["code"], f"{path}.code", max_len=32)
        if code in seen:
            raise ScenarioError(f"{path}.code", "duplicate")
        seen.add(code)
        pin = d["pin"]
        if (
            not isinstance(pin, str)
            or not (4 <= len(pin) <= 12)
            or not (pin.isascii() and pin.isdigit())
        ):
            raise ScenarioError(f"{path}.pin", "4 to 12 digits, as a string")
        out.append(
            {
                "code": code,
                "name": _text(d["name"], f"{path}.name", max_len=100),
                "pin": pin,
                "delegation": _text(
                    d.get("delegation", ""), f"{path}.delegation", max_len=100, allow_empty=True
                ),
                "status": _choice(
                    d.get("status", "active"), f"{path}.status", tuple(MandateStatus)
                ),
            }
        )
    return out


def _candidates(items: list) -> list[dict]:
    if not items:
        raise ScenarioError("candidates", "at least one candidate")
    seen: set[str] = set()
    out = []
    for i, raw in enumerate(items):
        path = f"candidates[{i}]"
        c = _object(raw, path, "candidates[]")
        key = _text(c["key"], f"{path}.key", max_len=64)
        if key in seen:
            raise ScenarioError(f"{path}.key", "duplicate")
        seen.add(key)
        out.append(
            {
                "key": key,
                "title": _text(c["title"], f"{path}.title"),
                "summary": _text(
                    c.get("summary", ""), f"{path}.summary", max_len=2000, allow_empty=True
                ),
                "responsible_unit": _text(
                    c.get("responsible_unit", ""), f"{path}.responsible_unit", allow_empty=True
                ),
                "budget_wan": _money(c.get("budget_wan"), f"{path}.budget_wan"),
            }
        )
    return out


def _money(value: Any, path: str) -> Decimal | None:
    """万元 with at most two decimal places; a string or a number, never stored as float."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ScenarioError(path, 'an amount in 万元, e.g. "1200.50"')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ScenarioError(path, 'an amount in 万元, e.g. "1200.50"') from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ScenarioError(path, "a non-negative amount below 10^12")
    if amount != amount.quantize(Decimal("0.01")):
        raise ScenarioError(path, "at most two decimal places")
    return amount.quantize(Decimal("0.01"))


def _votes(items: list, candidate_keys: set[str]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for i, raw in enumerate(items):
        path = f"votes[{i}]"
        v = _object(raw, path, "votes[]")
        key = _text(v["key"], f"{path}.key", max_len=64)
        if key in seen:
            raise ScenarioError(f"{path}.key", "duplicate")
        seen.add(key)
        keys = _list(v["candidates"], f"{path}.candidates")
        if not keys:
            raise ScenarioError(f"{path}.candidates", "at least one candidate")
        for j, ck in enumerate(keys):
            if ck not in candidate_keys:
                raise ScenarioError(f"{path}.candidates[{j}]", "no candidate with this key")
        if len(set(keys)) != len(keys):
            raise ScenarioError(f"{path}.candidates", "a candidate appears twice")
        seats = _int(v["seats"], f"{path}.seats")
        max_for = _int(v["max_for"], f"{path}.max_for")
        if seats > len(keys):
            raise ScenarioError(f"{path}.seats", "more places than candidates")
        if max_for > len(keys):
            raise ScenarioError(f"{path}.max_for", "more than the number of candidates")
        out.append(
            {
                "key": key,
                "title": _text(v["title"], f"{path}.title"),
                "candidates": keys,
                "seats": seats,
                "max_for": max_for,
                "style": _choice(v.get("style", "per_candidate"), f"{path}.style", rules.STYLES),
                "base": _choice(v.get("base", "all_deputies"), f"{path}.base", rules.BASES),
                "mode": _choice(
                    v.get("mode", "electronic"), f"{path}.mode", ("electronic", "paper")
                ),
            }
        )
    return out


def load(data: Any) -> dict:
    """Validate and create a scenario; return the ids created. Flushes, never commits."""
    from votesys.projects import scenario as register

    spec = validate(data)
    register.load_jurisdictions(spec, ScenarioError)
    ids = _load_congress(spec) if "congress" in spec else {}
    ids.update(register.load_projects(spec, ScenarioError))
    return ids


def _load_congress(spec: dict) -> dict:
    taken = congress.existing_deputy_codes([d["code"] for d in spec["deputies"]])
    for i, d in enumerate(spec["deputies"]):
        if d["code"] in taken:
            raise ScenarioError(f"deputies[{i}].code", "already exists")
    j = spec["jurisdiction"]
    try:
        jurisdiction = congress.find_or_create_jurisdiction(
            j["code"], j["name"], j["level"], j["parent"]
        )
    except InvalidInput as err:
        raise ScenarioError("jurisdiction.parent", str(err.params.get("reason"))) from None
    body = Congress(
        jurisdiction=jurisdiction, name=spec["congress"]["name"], term=spec["congress"]["term"]
    )
    db.session.add(body)
    pin_hashes = _hash_pins([d["pin"] for d in spec["deputies"]])
    deputies: list[Deputy] = []
    for d, pin_hash in zip(spec["deputies"], pin_hashes, strict=True):
        deputy = Deputy(
            congress=body,
            code=d["code"],
            name=d["name"],
            delegation=d["delegation"],
            status=d["status"],
            pin_hash=pin_hash,
        )
        db.session.add(deputy)
        deputies.append(deputy)
    sess = congress.create_session(body, spec["session"]["name"], spec["session"]["date"])
    candidates = {
        c["key"]: voting.add_candidate(
            sess, c["title"], c["summary"], c["responsible_unit"], c["budget_wan"]
        )
        for c in spec["candidates"]
    }
    db.session.flush()
    votes = {
        v["key"]: voting.create_vote(
            sess,
            title=v["title"],
            candidate_ids=[candidates[k].id for k in v["candidates"]],
            seats=v["seats"],
            max_for=v["max_for"],
            style=v["style"],
            base=v["base"],
            mode=v["mode"],
        )
        for v in spec["votes"]
    }
    from votesys.stations import scenario as stations

    station_ids = stations.load(spec, jurisdiction, candidates)
    audit(
        "scenario_loaded",
        f"congress:{body.id}",
        deputies=len(deputies),
        candidates=len(candidates),
        votes=list(votes),
    )
    return {
        "jurisdiction": jurisdiction.id,
        "congress": body.id,
        "session": sess.id,
        "votes": {k: v.id for k, v in votes.items()},
        "candidates": {k: c.id for k, c in candidates.items()},
        "deputies": {d.code: d.id for d in deputies},
        **station_ids,
    }


def _hash_pins(pins: list[str]) -> list[str]:
    """argon2 releases the GIL, so a thread per core hashes a large roster faster."""
    app = current_app._get_current_object()

    def work(pin: str) -> str:
        with app.app_context():
            return hash_secret(pin)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(work, pins))
