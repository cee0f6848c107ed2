"""Supervision (监督): deputies' inspections and comments, organisers' hearings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from votesys import clock, fields
from votesys.congress.models import Deputy
from votesys.errors import Forbidden, invalid
from votesys.extensions import db
from votesys.integrity.services import audit, current_actor
from votesys.projects import rules
from votesys.projects.models import Project, SupervisionRecord
from votesys.projects.parsing import MAX_TEXT
from votesys.projects.permissions import deputy_of, ensure_organiser_of


def add_supervision(project: Project, principal: object, data: Mapping[str, Any]):
    """监督: a deputy records an inspection or a comment on a project of their congress;
    organisers record hearings (and may record a deputy's inspection for them). Who may is
    checked before what was sent."""
    if isinstance(principal, Deputy):
        if not deputy_of(principal, project):
            raise Forbidden("out_of_scope")
    else:
        ensure_organiser_of(principal, project)
    kind = fields.choice(data.get("kind"), "kind", rules.SUPERVISION_KINDS)
    held_on = fields.date(data.get("held_on"), "held_on", required=False) or clock.today()
    text = fields.text(data.get("text"), "text", max_len=MAX_TEXT)
    deputy = None
    if isinstance(principal, Deputy):
        if kind == "hearing":
            raise Forbidden("forbidden")
        deputy = principal
    else:
        code = fields.text(data.get("deputy"), "deputy", max_len=32, required=False)
        if code:
            deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
            if deputy is None or not deputy_of(deputy, project):
                raise invalid("deputy", _l("no deputy %(code)s of this congress", code=code))
    record = SupervisionRecord(
        project_id=project.id,
        kind=kind,
        held_on=held_on,
        deputy_id=deputy.id if deputy else None,
        text=text,
        author=current_actor(),
    )
    db.session.add(record)
    db.session.flush()
    audit("supervision_recorded", f"project:{project.id}", record=record.id, kind=kind)
    return record
