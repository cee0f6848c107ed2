"""Changes to a project (调整 / 暂缓 / 终止): requested, then approved or rejected."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from votesys import fields
from votesys.errors import Conflict, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit, current_actor
from votesys.models_base import utcnow
from votesys.projects import rules
from votesys.projects.models import ChangeRequest, Project
from votesys.projects.parsing import MAX_TEXT, funding_field
from votesys.projects.queries import get_project
from votesys.projects.register import replace_funding


def request_change(project: Project, data: Mapping[str, Any]) -> ChangeRequest:
    """调整 / 暂缓 / 终止 requested: nothing of the plan changes until an organiser approves."""
    if project.status == "terminated":
        raise Conflict("project_terminated")
    kind = fields.choice(data.get("kind"), "kind", rules.CHANGE_KINDS)
    reason = fields.text(data.get("reason"), "reason", max_len=MAX_TEXT)
    proposal: dict[str, Any] = {}
    if data.get("new_finish") not in (None, ""):
        proposal["new_finish"] = fields.date(data["new_finish"], "new_finish").isoformat()
    if data.get("funding") is not None:
        proposal["funding"] = {
            k: str(v) for k, v in funding_field(data["funding"], "funding").items()
        }
    if data.get("scope") not in (None, ""):
        proposal["scope"] = fields.text(data["scope"], "scope", max_len=MAX_TEXT)
    if kind == "postpone" and "new_finish" not in proposal:
        raise invalid("new_finish", _l("a postponement names the new finish date"))
    if kind == "adjust" and not proposal:
        raise invalid("kind", _l("an adjustment changes the scope, the funding or the deadline"))
    if kind == "terminate" and proposal:
        raise invalid("kind", _l("a termination changes nothing else"))
    change = ChangeRequest(
        project_id=project.id,
        kind=kind,
        reason=reason,
        proposal=json.dumps(proposal, ensure_ascii=False, sort_keys=True),
        requested_by=current_actor(),
    )
    db.session.add(change)
    db.session.flush()
    audit("change_requested", f"project:{project.id}", change=change.id, kind=kind, **proposal)
    return change


def get_change(change_id: int) -> ChangeRequest:
    change = db.session.get(ChangeRequest, change_id)
    if change is None:
        raise NotFound("not_found")
    return change


def decide_change(change: ChangeRequest, *, approve: bool, decision_ref: Any) -> ChangeRequest:
    """An organiser approves or rejects, citing the decision (人大常委会 or township congress).
    Only an approved change alters the plan."""
    if change.state != "pending":
        raise Conflict("change_decided")
    ref = fields.text(decision_ref, "decision_ref")
    project = get_project(change.project_id)
    change.state = "approved" if approve else "rejected"
    change.decision_ref = ref
    change.decided_by = current_actor()
    change.decided_at = utcnow()
    if approve:
        proposal = json.loads(change.proposal)
        if "new_finish" in proposal:
            project.planned_finish = date.fromisoformat(proposal["new_finish"])
        if "funding" in proposal:
            replace_funding(project, {k: Decimal(v) for k, v in proposal["funding"].items()})
        if "scope" in proposal:
            project.summary = proposal["scope"]
        if change.kind == "postpone":
            project.status = "suspended"
        if change.kind == "terminate":
            project.status = "terminated"
    db.session.flush()
    audit(
        "change_decided",
        f"project:{project.id}",
        change=change.id,
        state=change.state,
        decision_ref=ref,
    )
    return change


def correct_status(project: Project, data: Mapping[str, Any]) -> Project:
    """An organiser corrects a wrongly recorded state — a project a report terminated before
    reports could not, say — giving the reason; the audit chain keeps both states. The
    caller checks that the user manages the project."""
    status = fields.choice(data.get("status"), "status", rules.STATUSES)
    reason = fields.text(data.get("reason"), "reason", max_len=MAX_TEXT)
    was = project.status
    project.status = status
    db.session.flush()
    audit("status_corrected", f"project:{project.id}", was=was, status=status, reason=reason)
    return project
