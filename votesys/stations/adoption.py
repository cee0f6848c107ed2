"""From opinions to projects: merging opinions into a candidate project or the reserve pool."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from votesys import fields
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.errors import invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.stations import campaigns
from votesys.stations.models import Opinion, ReserveItem
from votesys.stations.permissions import ensure_may_handle
from votesys.voting import services as voting
from votesys.voting.models import Candidate


def _opinions_for_merge(ids: Iterable[int], user: object) -> list[Opinion]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise invalid("opinions", _l("choose at least one opinion"))
    rows = list(db.session.scalars(select(Opinion).where(Opinion.id.in_(ids))))
    if len(rows) != len(ids):
        raise invalid("opinions", _l("no such opinion"))
    for opinion in rows:
        ensure_may_handle(user, opinion)
    return rows


def merge_into_candidate(
    opinion_ids: Iterable[int],
    user: object,
    *,
    session: CongressSession | None = None,
    candidate: Candidate | None = None,
    title: str = "",
    summary: str = "",
    responsible_unit: str = "",
) -> Candidate:
    """Make the opinions one candidate project of a (next year's) session, or link them to an
    existing candidate. The link is kept both ways."""
    opinions = _opinions_for_merge(opinion_ids, user)
    campaigns.ensure_may_become_candidate(opinions)  # screened and found feasible first
    if candidate is None:
        if session is None:
            raise invalid("session", _l("choose the session the candidate goes before"))
        congress.ensure_manages(user, session.congress.jurisdiction)
        candidate = voting.add_candidate(
            session,
            fields.text(title, "title", 200),
            fields.text(summary, "summary", 2000, required=False),
            fields.text(responsible_unit, "responsible_unit", 200, required=False),
            None,
        )
        db.session.flush()
    else:
        congress.ensure_manages(
            user, db.session.get(CongressSession, candidate.session_id).congress.jurisdiction
        )
    for opinion in opinions:
        opinion.candidate_id = candidate.id
    db.session.flush()
    audit(
        "opinions_merged",
        f"candidate:{candidate.id}",
        opinions=sorted(o.id for o in opinions),
    )
    return candidate


def merge_into_reserve(
    opinion_ids: Iterable[int], user: object, *, title: str, summary: str = ""
) -> ReserveItem:
    opinions = _opinions_for_merge(opinion_ids, user)
    item = ReserveItem(
        jurisdiction_id=opinions[0].jurisdiction_id,
        title=fields.text(title, "title", 200),
        summary=fields.text(summary, "summary", 2000, required=False),
    )
    db.session.add(item)
    db.session.flush()
    for opinion in opinions:
        opinion.reserve_item_id = item.id
    db.session.flush()
    audit("opinions_reserved", f"reserve:{item.id}", opinions=sorted(o.id for o in opinions))
    return item


def opinions_of_candidate(candidate_id: int) -> list[Opinion]:
    return list(
        db.session.scalars(
            select(Opinion).where(Opinion.candidate_id == candidate_id).order_by(Opinion.id)
        )
    )
