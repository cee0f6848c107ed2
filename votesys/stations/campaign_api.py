"""/api/v1/campaigns (organiser) and the public campaigns with their adoption report."""

from __future__ import annotations

from flask import g, request
from flask_babel import lazy_gettext as _l

from votesys.api_support import api_auth, json_body
from votesys.errors import invalid
from votesys.public_cache import public_cached
from votesys.stations import campaign_report, campaigns
from votesys.stations.api import bp
from votesys.stations.common import today

ORGANISERS = ("organiser", "admin")


@bp.post("/campaigns")
@api_auth(*ORGANISERS)
def create_campaign():
    """Open a collection campaign (征集) for a jurisdiction: 201 with the campaign."""
    body = json_body()
    unknown = set(body) - {
        "jurisdiction",
        "year",
        "opens_on",
        "closes_on",
        "categories",
        "negative_list",
    }
    if unknown:
        raise invalid(sorted(unknown)[0], _l("not a field of a campaign"))
    campaign = campaigns.create(body, g.principal)
    return campaign_report.campaign_dict(campaign, today()), 201


@bp.get("/public/campaigns")
@public_cached
def public_campaigns():
    """Open and past campaigns (of one jurisdiction with ``jurisdiction``), with their
    negative lists and the days left of those open."""
    code = request.args.get("jurisdiction")
    if code is not None and not code.strip():
        raise invalid("jurisdiction", _l("give a value or leave the parameter out"))
    rows = campaigns.of_jurisdiction(code) if code else campaigns.all_campaigns()
    on = today()
    return {"campaigns": [campaign_report.campaign_dict(c, on) for c in rows if c.opens_on <= on]}


@bp.get("/public/campaigns/<int:campaign_id>/adoption")
@public_cached
def public_adoption(campaign_id: int):
    """采纳情况: the campaign's figures, no personal data."""
    campaign = campaigns.get(campaign_id)
    return {
        **campaign_report.campaign_dict(campaign, today()),
        "figures": campaign_report.figures(campaign),
    }
