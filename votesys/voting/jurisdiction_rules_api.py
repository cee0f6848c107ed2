"""/api/v1/jurisdictions/{code}/rules: a jurisdiction's rules of the vote, read and set by the
organisers who manage it (votesys.voting.jurisdiction_rules)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from flask_babel import lazy_gettext as _l

from votesys.api_support import api_auth, json_body
from votesys.congress import services as congress
from votesys.errors import invalid
from votesys.voting import jurisdiction_rules

bp = Blueprint("jurisdiction_rules_api", __name__, url_prefix="/api/v1")
ORGANISERS = ("organiser", "admin")


def optional(body: dict, key: str) -> Any:
    """A body's optional value: None when the key is absent, refused when sent as null (the
    description gives it a type; null is not "absent")."""
    if key in body and body[key] is None:
        raise invalid(key, _l("must not be null"))
    return body.get(key)


def _managed(code: str):
    node = congress.jurisdiction_by_code(code)
    congress.ensure_manages(g.principal, node)
    return node


def _answer(node, settings: jurisdiction_rules.Settings) -> dict:
    return {"jurisdiction": node.code, **settings.as_dict()}


@bp.get("/jurisdictions/<code>/rules")
@api_auth(*ORGANISERS)
def show(code: str):
    """The rules every new vote of the jurisdiction must respect (the defaults if none set)."""
    node = _managed(code)
    return _answer(node, jurisdiction_rules.settings_of(node))


@bp.put("/jurisdictions/<code>/rules")
@api_auth(*ORGANISERS)
def put(code: str):
    """Set all three: min_extra_candidates (0–99), default_base, rating_vote; audited."""
    node = _managed(code)
    body = json_body()
    if unknown := sorted(set(body) - set(jurisdiction_rules.KEYS)):
        raise invalid(unknown[0][:40], _l("unknown field"))
    for key in jurisdiction_rules.KEYS:
        if key not in body:
            raise invalid(key, _l("required"))
    settings = jurisdiction_rules.set_rules(node, jurisdiction_rules.read(body))
    return _answer(node, settings)
