"""Whole set-ups from one JSON file: jurisdiction, congress, deputies, session, candidates, votes.

The demo data, the tests and the benchmarks load their scenarios through here. A file that
breaks the format is refused whole, naming the path of the first bad field.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from flask import current_app

from votesys import fields as input_fields
from votesys.auth.services import hash_secret
from votesys.congress import services as congress
from votesys.congress.models import Congress, Deputy, Level, MandateStatus
from votesys.errors import InvalidInput
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.projects import scenario as register
from votesys.scenario_fields import (
    ScenarioError,
    choice,
    flag,
    integer,
    list_of,
    money,
    object_of,
    text,
)
from votesys.stations import scenario as stations
from votesys.voting import jurisdiction_rules, rules
from votesys.voting import services as voting

# The congress sections come together; ``jurisdictions`` and ``projects`` (the register,
# votesys.projects.scenario) may come with them or alone.
CONGRESS_SECTIONS = {"jurisdiction", "congress", "deputies", "session", "candidates", "votes"}
REGISTER_SECTIONS = {"jurisdictions", "projects"}
STATION_SECTIONS = {"stations", "opinions"}  # with the congress sections: they name deputies
FIELDS = {
    "": (set(), CONGRESS_SECTIONS | REGISTER_SECTIONS | STATION_SECTIONS),
    "jurisdiction": ({"code", "name", "level"}, {"parent", "rules"}),
    "congress": ({"name", "term"}, set()),
    "deputies[]": ({"code", "name", "pin"}, {"delegation", "status"}),
    "session": ({"name", "date"}, set()),
    "candidates[]": ({"key", "title"}, {"summary", "responsible_unit", "budget_wan"}),
    "votes[]": (
        {"key", "title", "candidates", "seats", "max_for"},
        {"style", "base", "mode", "practice", "exception_reason"},
    ),
}


def validate(data: Any) -> dict:
    """Check the whole file before anything is written; return it normalised."""
    object_of(data, "", FIELDS[""])
    if not set(data) & (CONGRESS_SECTIONS | REGISTER_SECTIONS):
        raise ScenarioError("(file)", "no section: " + ", ".join(sorted(CONGRESS_SECTIONS)))
    out = register.validate(data)
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
    j = object_of(data["jurisdiction"], "jurisdiction", FIELDS["jurisdiction"])
    out: dict[str, Any] = {
        "jurisdiction": {
            "code": text(j["code"], "jurisdiction.code", max_len=32),
            "name": text(j["name"], "jurisdiction.name", max_len=100),
            "level": choice(j["level"], "jurisdiction.level", tuple(Level)),
            "parent": None
            if j.get("parent") is None
            else text(j["parent"], "jurisdiction.parent", max_len=32),
            "rules": jurisdiction_rules.from_scenario(j["rules"], "jurisdiction.rules")
            if "rules" in j
            else None,
        }
    }
    c = object_of(data["congress"], "congress", FIELDS["congress"])
    out["congress"] = {
        "name": text(c["name"], "congress.name"),
        "term": integer(c["term"], "congress.term"),
    }
    out["deputies"] = _deputies(list_of(data["deputies"], "deputies"))
    s = object_of(data["session"], "session", FIELDS["session"])
    out["session"] = {"name": text(s["name"], "session.name"), "date": _date(s["date"])}
    out["candidates"] = _candidates(list_of(data["candidates"], "candidates"))
    out["votes"] = _votes(list_of(data["votes"], "votes"), {c["key"] for c in out["candidates"]})
    out.update(
        stations.validate(
            data.get("stations", []),
            data.get("opinions", []),
            {c["key"] for c in out["candidates"]},
        )
    )
    return out


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
        d = object_of(raw, path, FIELDS["deputies[]"])
        code = text(d["code"], f"{path}.code", max_len=32)
        if code in seen:
            raise ScenarioError(f"{path}.code", "duplicate")
        seen.add(code)
        pin = d["pin"]
        if not input_fields.is_pin(pin):
            raise ScenarioError(f"{path}.pin", "4 to 12 digits, as a string")
        out.append(
            {
                "code": code,
                "name": text(d["name"], f"{path}.name", max_len=100),
                "pin": pin,
                "delegation": text(
                    d.get("delegation", ""), f"{path}.delegation", max_len=100, allow_empty=True
                ),
                "status": choice(d.get("status", "active"), f"{path}.status", tuple(MandateStatus)),
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
        c = object_of(raw, path, FIELDS["candidates[]"])
        key = text(c["key"], f"{path}.key", max_len=64)
        if key in seen:
            raise ScenarioError(f"{path}.key", "duplicate")
        seen.add(key)
        out.append(
            {
                "key": key,
                "title": text(c["title"], f"{path}.title"),
                "summary": text(
                    c.get("summary", ""), f"{path}.summary", max_len=2000, allow_empty=True
                ),
                "responsible_unit": text(
                    c.get("responsible_unit", ""), f"{path}.responsible_unit", allow_empty=True
                ),
                "budget_wan": money(c.get("budget_wan"), f"{path}.budget_wan"),
            }
        )
    return out


def _votes(items: list, candidate_keys: set[str]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for i, raw in enumerate(items):
        path = f"votes[{i}]"
        v = object_of(raw, path, FIELDS["votes[]"])
        key = text(v["key"], f"{path}.key", max_len=64)
        if key in seen:
            raise ScenarioError(f"{path}.key", "duplicate")
        seen.add(key)
        keys = list_of(v["candidates"], f"{path}.candidates")
        if not keys:
            raise ScenarioError(f"{path}.candidates", "at least one candidate")
        for j, ck in enumerate(keys):
            if ck not in candidate_keys:
                raise ScenarioError(f"{path}.candidates[{j}]", "no candidate with this key")
        if len(set(keys)) != len(keys):
            raise ScenarioError(f"{path}.candidates", "a candidate appears twice")
        seats = integer(v["seats"], f"{path}.seats")
        max_for = integer(v["max_for"], f"{path}.max_for")
        if seats > len(keys):
            raise ScenarioError(f"{path}.seats", "more places than candidates")
        if max_for > len(keys):
            raise ScenarioError(f"{path}.max_for", "more than the number of candidates")
        practice = flag(v.get("practice", False), f"{path}.practice")
        if practice and (v.get("mode", "electronic") != "electronic" or v.get("style") == "rating"):
            raise ScenarioError(f"{path}.practice", "a practice vote is electronic, not a rating")
        out.append(
            {
                "key": key,
                "title": text(v["title"], f"{path}.title"),
                "candidates": keys,
                "seats": seats,
                "max_for": max_for,
                "style": choice(v.get("style", "per_candidate"), f"{path}.style", rules.STYLES),
                # no base: the jurisdiction's default
                "base": choice(v["base"], f"{path}.base", rules.BASES) if "base" in v else None,
                "mode": choice(
                    v.get("mode", "electronic"), f"{path}.mode", ("electronic", "paper")
                ),
                "practice": practice,
                "exception_reason": text(
                    v["exception_reason"], f"{path}.exception_reason", max_len=1000
                )
                if "exception_reason" in v
                else None,
            }
        )
    return out


def load(data: Any) -> dict:
    """Validate and create a scenario; return the ids created. Flushes, never commits."""
    spec = validate(data)
    register.load_jurisdictions(spec)
    ids = _load_congress(spec) if "congress" in spec else {}
    ids.update(register.load_projects(spec))
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
    if j["rules"] is not None:
        jurisdiction_rules.set_rules(jurisdiction, j["rules"])
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
    votes = {v["key"]: _vote(sess, i, v, candidates) for i, v in enumerate(spec["votes"])}
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


def _vote(sess, i: int, v: dict, candidates: dict):
    """A vote of the file; a refusal (the jurisdiction's rules broken) names its path."""
    try:
        return voting.create_vote(
            sess,
            title=v["title"],
            candidate_ids=[candidates[k].id for k in v["candidates"]],
            seats=v["seats"],
            max_for=v["max_for"],
            style=v["style"],
            base=v["base"],
            mode=v["mode"],
            practice=v["practice"],
            exception_reason=v["exception_reason"],
        )
    except InvalidInput as err:
        raise ScenarioError(f"votes[{i}]", err.message) from None


def _hash_pins(pins: list[str]) -> list[str]:
    """argon2 releases the GIL, so a thread per core hashes a large roster faster."""
    app = current_app._get_current_object()

    def work(pin: str) -> str:
        with app.app_context():
            return hash_secret(pin)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(work, pins))
