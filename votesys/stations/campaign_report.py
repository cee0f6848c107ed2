"""采纳情况: what became of a campaign's opinions, as figures for the public (page, API,
open data) and as one citizen's path by tracking code. Nothing personal: no names, phones,
tracking codes or opinions' texts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from votesys.categories import CATEGORY_LABELS
from votesys.extensions import db
from votesys.stations import campaigns
from votesys.stations.campaign_models import Campaign, CampaignEntry, Screening, Verdict
from votesys.stations.models import Opinion
from votesys.voting.models import Vote, VoteCandidate, VoteState

VERDICT_LABELS = {
    Verdict.FEASIBLE: _l("Feasible"),
    Verdict.CONDITIONAL: _l("Feasible on conditions"),
    Verdict.NOT_FEASIBLE: _l("Not feasible"),
}
SCREENING_LABELS = {
    Screening.ACCEPTED: _l("Accepted into the pool"),
    Screening.SET_ASIDE: _l("Set aside"),
}


def _ballot_marks(candidate_ids: set[int]) -> tuple[set[int], set[int]]:
    """Of these candidates: those on a ballot (any vote but a practice one), and those a
    published vote approved."""
    if not candidate_ids:
        return set(), set()
    rows = db.session.execute(
        select(VoteCandidate.candidate_id, VoteCandidate.approved, Vote.state)
        .join(Vote, Vote.id == VoteCandidate.vote_id)
        .where(VoteCandidate.candidate_id.in_(candidate_ids), Vote.practice.is_(False))
    )
    on_ballot, approved = set(), set()
    for cid, passed, state in rows:
        on_ballot.add(cid)
        if state == VoteState.PUBLISHED and passed:
            approved.add(cid)
    return on_ballot, approved


def figures(campaign: Campaign) -> dict[str, Any]:
    rows = db.session.execute(
        select(CampaignEntry, Opinion.candidate_id)
        .join(Opinion, Opinion.id == CampaignEntry.opinion_id)
        .where(CampaignEntry.campaign_id == campaign.id)
    ).all()
    by_item = {n.id: 0 for n in campaign.negative_list}
    written = 0
    verdicts = {v.value: 0 for v in Verdict}
    accepted = pending = 0
    candidates = {cid for _e, cid in rows if cid is not None}
    on_ballot, approved = _ballot_marks(candidates)
    for entry, _cid in rows:
        if entry.screening is None:
            pending += 1
        elif entry.screening == Screening.ACCEPTED:
            accepted += 1
            if entry.verdict:
                verdicts[entry.verdict] += 1
        elif entry.negative_item_id in by_item:
            by_item[entry.negative_item_id] += 1
        else:
            written += 1
    merged = [cid for _e, cid in rows if cid is not None]
    return {
        "campaign": campaign.id,
        "jurisdiction": campaign.jurisdiction.code,
        "year": campaign.year,
        "received": len(rows),
        "awaiting_screening": pending,
        "set_aside": sum(by_item.values()) + written,
        "set_aside_by_reason": [
            {"item": n.item, "reason": n.reason, "count": by_item[n.id]}
            for n in campaign.negative_list
        ]
        + [{"item": None, "reason": str(_l("Other reasons, written")), "count": written}],
        "accepted": accepted,
        "feasibility": verdicts,
        "merged_into_candidates": len(merged),
        "candidates": len(candidates),
        "on_ballot": sum(1 for cid in merged if cid in on_ballot),
        "approved": sum(1 for cid in merged if cid in approved),
        "projects_approved": len(approved),
    }


def campaign_dict(campaign: Campaign, on: date) -> dict[str, Any]:
    open_now = campaigns.is_open(campaign, on)
    return {
        "id": campaign.id,
        "jurisdiction": campaign.jurisdiction.code,
        "jurisdiction_name": campaign.jurisdiction.name,
        "year": campaign.year,
        "title": title(campaign),
        "opens_on": campaign.opens_on.isoformat(),
        "closes_on": campaign.closes_on.isoformat(),
        "state": "open" if open_now else ("upcoming" if on < campaign.opens_on else "closed"),
        "days_left": campaigns.days_left(campaign, on) if open_now else None,
        "categories": campaign.category_list,
        "category_labels": [str(CATEGORY_LABELS[c]) for c in campaign.category_list],
        "negative_list": [{"item": n.item, "reason": n.reason} for n in campaign.negative_list],
    }


def title(campaign: Campaign) -> str:
    return _(
        "%(jurisdiction)s: call for %(year)s livelihood projects",
        jurisdiction=campaign.jurisdiction.name,
        year=campaign.year,
    )


def table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The figures as open data: one row a measure (and reason), no personal data."""
    header = [_("Campaign"), _("Year"), _("Measure"), _("Reason"), _("Count")]
    head = [data["campaign"], data["year"]]
    rows = [
        [*head, _("Opinions received"), "", data["received"]],
        [*head, _("Awaiting screening"), "", data["awaiting_screening"]],
        [*head, _("Set aside"), "", data["set_aside"]],
    ]
    rows += [
        [*head, _("Set aside"), r["item"] or r["reason"], r["count"]]
        for r in data["set_aside_by_reason"]
    ]
    rows.append([*head, _("Accepted into the pool"), "", data["accepted"]])
    rows += [
        [*head, _("Feasibility"), str(VERDICT_LABELS[Verdict(k)]), v]
        for k, v in data["feasibility"].items()
    ]
    rows += [
        [*head, _("Merged into candidate projects"), "", data["merged_into_candidates"]],
        [*head, _("On the ballot"), "", data["on_ballot"]],
        [*head, _("Approved by the vote"), "", data["approved"]],
    ]
    return header, rows


def story(opinion: Opinion) -> dict[str, Any] | None:
    """The citizen's path through the campaign, by tracking code: joined, screened (and
    why set aside), the feasibility verdict, candidate, ballot, approval."""
    entry = campaigns.entry_of(opinion)
    if entry is None:
        return None
    campaign = entry.campaign
    on_ballot, approved = _ballot_marks({opinion.candidate_id} if opinion.candidate_id else set())
    set_aside = entry.screening == Screening.SET_ASIDE
    return {
        "campaign": campaign.id,
        "title": title(campaign),
        "year": campaign.year,
        "screening": entry.screening,
        "screening_label": str(SCREENING_LABELS[entry.screening]) if entry.screening else None,
        "screened_on": entry.screened_on.isoformat() if entry.screened_on else None,
        "set_aside_item": entry.negative_item.item if set_aside and entry.negative_item else None,
        "set_aside_reason": (
            (entry.negative_item.reason if entry.negative_item else entry.reason)
            if set_aside
            else None
        ),
        "verdict": entry.verdict,
        "verdict_label": str(VERDICT_LABELS[entry.verdict]) if entry.verdict else None,
        "verdict_reason": entry.verdict_reason or None,
        "cost_wan": str(entry.cost_wan) if entry.cost_wan is not None else None,
        "unit": entry.unit or None,
        "candidate": opinion.candidate_id is not None,
        "on_ballot": opinion.candidate_id in on_ballot,
        "approved": opinion.candidate_id in approved,
    }
