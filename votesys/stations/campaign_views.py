"""The desk's pages of collection campaigns: create and edit one before it opens, follow it,
screen each opinion and record its feasibility."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from votesys.auth.views import roles_required
from votesys.categories import CATEGORY_LABELS
from votesys.congress import services as congress
from votesys.errors import DomainError, invalid
from votesys.stations import campaign_report, campaigns, common, permissions
from votesys.stations.blueprint import ORGANISERS, back, bp, fail, jurisdiction_choices
from votesys.stations.campaign_models import Screening, Verdict

SEPARATOR = re.compile(r"\s*[|｜—]+\s*")
# The forms' fields, by the names the services give them.
NAMES = {
    "jurisdiction": _l("Jurisdiction"),
    "year": _l("For the projects of year"),
    "opens_on": _l("Opens on"),
    "closes_on": _l("Closes on (inclusive)"),
    "categories": _l("Fields"),
    "negative_list": _l("Negative list"),
    "decision": _l("Screening"),
    "negative_item": _l("Entry of the negative list"),
    "reason": _l("Reason"),
    "cost_wan": _l("Estimated cost (万元)"),
    "unit": _l("Responsible unit"),
    "verdict": _l("Verdict"),
}


def negative_lines(text: str) -> list[dict[str, str]]:
    """The desk's negative list, one entry a line: “item | reason” (or “item — reason”)."""
    entries = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = SEPARATOR.split(line.strip(), maxsplit=1)
        if len(parts) != 2:
            raise invalid(
                "negative_list",
                _l("line %(n)s: an item and its reason, separated by “|”", n=n),
            )
        entries.append({"item": parts[0], "reason": parts[1]})
    return entries


def _raw_form() -> dict[str, Any]:
    form = request.form
    return {
        "jurisdiction": form.get("jurisdiction", ""),
        "year": form.get("year", ""),
        "opens_on": form.get("opens_on", ""),
        "closes_on": form.get("closes_on", ""),
        "categories": form.getlist("categories"),
        "negative_list": negative_lines(form.get("negative_list", "")),
    }


def _managed(campaign) -> None:
    congress.ensure_manages(current_user, campaign.jurisdiction)


@bp.get("/campaigns")
@roles_required(*ORGANISERS)
def campaigns_list():
    ids = (
        congress.subtree_ids(current_user.jurisdiction_id)
        if current_user.jurisdiction_id is not None
        else None
    )
    on = common.today()
    return render_template(
        "stations/desk_campaigns.html",
        rows=[(c, campaign_report.campaign_dict(c, on)) for c in campaigns.all_campaigns(ids)],
        jurisdictions=jurisdiction_choices(),
        category_labels=CATEGORY_LABELS,
        today=on,
        default_closes=campaigns.default_closing(on),
        form=request.form,
    )


@bp.post("/campaigns")
@roles_required(*ORGANISERS)
def create_campaign():
    try:
        campaign = campaigns.create(_raw_form(), current_user)
    except DomainError as err:
        fail(err, names=NAMES)
        return campaigns_list(), 422
    flash(_("Campaign opened: %(title)s", title=campaign_report.title(campaign)), "ok")
    return back(".campaign", campaign_id=campaign.id)


@bp.get("/campaigns/<int:campaign_id>")
@roles_required(*ORGANISERS)
def campaign(campaign_id: int):
    item = campaigns.get(campaign_id)
    _managed(item)
    on = common.today()
    return render_template(
        "stations/desk_campaign.html",
        campaign=item,
        data=campaign_report.campaign_dict(item, on),
        figures=campaign_report.figures(item),
        entries=campaigns.entries(item),
        editable=on < item.opens_on,
        negative_text="\n".join(f"{n.item} | {n.reason}" for n in item.negative_list),
        category_labels=CATEGORY_LABELS,
        verdict_labels=campaign_report.VERDICT_LABELS,
        screening_labels=campaign_report.SCREENING_LABELS,
        Screening=Screening,
        Verdict=Verdict,
    )


@bp.post("/campaigns/<int:campaign_id>")
@roles_required(*ORGANISERS)
def edit_campaign(campaign_id: int):
    item = campaigns.get(campaign_id)
    _managed(item)
    try:
        campaigns.update(item, _raw_form(), current_user)
    except DomainError as err:
        fail(err, names=NAMES)
    else:
        flash(_("Campaign saved."), "ok")
    return back(".campaign", campaign_id=campaign_id)


def _back_to(opinion):
    entry = campaigns.entry_of(opinion)
    if entry is None:
        return back(".opinion", opinion_id=opinion.id)
    return back(".campaign", campaign_id=entry.campaign_id, _anchor=f"o{opinion.id}")


@bp.post("/opinions/<int:opinion_id>/screening")
@roles_required(*ORGANISERS)
def screen_opinion(opinion_id: int):
    opinion = permissions.get_opinion(opinion_id)
    congress.ensure_manages(current_user, opinion.jurisdiction)
    try:
        campaigns.screen(
            opinion,
            current_user,
            request.form.get("decision", ""),
            negative_item=request.form.get("negative_item") or None,
            reason=request.form.get("reason", ""),
        )
    except DomainError as err:
        fail(err, names=NAMES)
    else:
        flash(_("Screening recorded: %(title)s", title=opinion.title), "ok")
    return _back_to(opinion)


@bp.post("/opinions/<int:opinion_id>/feasibility")
@roles_required(*ORGANISERS)
def feasibility(opinion_id: int):
    opinion = permissions.get_opinion(opinion_id)
    congress.ensure_manages(current_user, opinion.jurisdiction)
    try:
        campaigns.record_feasibility(
            opinion,
            current_user,
            cost_wan=request.form.get("cost_wan", ""),
            unit=request.form.get("unit", ""),
            verdict=request.form.get("verdict", ""),
            reason=request.form.get("reason", ""),
        )
    except DomainError as err:
        fail(err, names=NAMES)
    else:
        flash(_("Feasibility recorded: %(title)s", title=opinion.title), "ok")
    return _back_to(opinion)
