"""The public site's campaigns: those open with the days left and their negative list, and
each campaign's adoption report (采纳情况) as a page and as open data."""

from __future__ import annotations

from flask import Response, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from votesys import tabular
from votesys.extensions import db
from votesys.public_cache import public_cached
from votesys.stations import campaign_report, campaigns
from votesys.stations.campaign_models import Campaign
from votesys.stations.common import today
from votesys.stations.public import bp


def _page_dict(campaign, on) -> dict:
    """The campaign as the API shapes it, with its dates as dates for the page's formats."""
    return {
        **campaign_report.campaign_dict(campaign, on),
        "opens": campaign.opens_on,
        "closes": campaign.closes_on,
    }


def _all_campaigns() -> list[Campaign]:
    """campaigns.all_campaigns() in its order, each with the jurisdiction and the negative
    list that campaign_dict reads (lazily: two statements more a campaign)."""
    query = (
        select(Campaign)
        .options(joinedload(Campaign.jurisdiction), selectinload(Campaign.negative_list))
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
    )
    return list(db.session.scalars(query))


@bp.get("/campaigns")
@public_cached
def campaigns_page():
    on = today()
    rows = [_page_dict(c, on) for c in _all_campaigns()]
    return render_template(
        "stations/public_campaigns.html",
        open_rows=[r for r in rows if r["state"] == "open"],
        past_rows=[r for r in rows if r["state"] == "closed"],
    )


@bp.get("/campaigns/<int:campaign_id>/adoption")
@public_cached
def adoption_page(campaign_id: int):
    campaign = campaigns.get(campaign_id)
    return render_template(
        "stations/public_adoption.html",
        data=_page_dict(campaign, today()),
        figures=campaign_report.figures(campaign),
        verdict_labels=campaign_report.VERDICT_LABELS,
    )


@bp.get("/campaigns/<int:campaign_id>/adoption.<fmt>")
@public_cached
def adoption_download(campaign_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    campaign = campaigns.get(campaign_id)
    header, rows = campaign_report.table(campaign_report.figures(campaign))
    body, mimetype = tabular.table(header, rows, fmt, f"adoption-{campaign.year}")
    name = f"adoption-{campaign.jurisdiction.code}-{campaign.year}.{fmt}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )
