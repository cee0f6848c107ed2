"""Collection campaigns (征集): opening one with its window and negative list, the opinions
that join it, screening (筛选) and feasibility (可行性论证) before an opinion may become a
candidate project."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from votesys import fields
from votesys.categories import Category
from votesys.congress import services as congress
from votesys.congress.models import Jurisdiction
from votesys.errors import Conflict, InvalidInput, NotFound, invalid
from votesys.extensions import db
from votesys.integrity.services import audit, current_actor
from votesys.stations.campaign_models import (
    Campaign,
    CampaignEntry,
    NegativeItem,
    Screening,
    Verdict,
)
from votesys.stations.common import today
from votesys.stations.models import Opinion

MIN_DAYS = 30  # 征集期: at least 30 days, both ends counted
MAX_DAYS = 366
MAX_NEGATIVE = 50
MAX_ITEM, MAX_REASON = 200, 500
CANDIDATE_READY = (Verdict.FEASIBLE, Verdict.CONDITIONAL)


def window_days(opens_on: date, closes_on: date) -> int:
    """The days of a window, its first and last day both counted."""
    return (closes_on - opens_on).days + 1


def default_closing(opens_on: date) -> date:
    return opens_on + timedelta(days=MIN_DAYS - 1)


def days_left(campaign: Campaign, on: date) -> int:
    """Days after ``on`` still open: 0 on the last day."""
    return (campaign.closes_on - on).days


def is_open(campaign: Campaign, on: date) -> bool:
    return campaign.opens_on <= on <= campaign.closes_on


def check(raw: dict[str, Any], *, backdated: bool = False) -> dict[str, Any]:
    """A campaign's fields checked; raises InvalidInput naming the first bad one."""
    year = fields.integer(raw.get("year"), "year", low=2000, high=2100)
    opens_on = fields.date(raw.get("opens_on"), "opens_on")
    closes_on = fields.date(raw.get("closes_on"), "closes_on", required=False) or default_closing(
        opens_on
    )
    if not backdated and opens_on < today():
        raise invalid("opens_on", _l("not before today"))
    days = window_days(opens_on, closes_on)
    if days < MIN_DAYS:
        raise InvalidInput("campaign_too_short", days=days, minimum=MIN_DAYS)
    if days > MAX_DAYS:
        raise invalid("closes_on", _l("at most %(n)s days after it opens", n=MAX_DAYS - 1))
    categories = raw.get("categories") or []
    if not isinstance(categories, list) or any(c not in tuple(Category) for c in categories):
        raise invalid("categories", _l("a list of: %(keys)s", keys=", ".join(Category)))
    return {
        "year": year,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "categories": ",".join(dict.fromkeys(categories)),
        "negative_list": check_negative_list(raw.get("negative_list")),
    }


def check_negative_list(value: Any) -> list[tuple[str, str]]:
    """负面清单: one entry at least, each an item and the reason it cannot be a project."""
    if not isinstance(value, list) or not value:
        raise invalid("negative_list", _l("a list of entries, each an item and its reason"))
    if len(value) > MAX_NEGATIVE:
        raise invalid("negative_list", _l("at most %(n)s entries", n=MAX_NEGATIVE))
    entries: list[tuple[str, str]] = []
    for i, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) - {"item", "reason"}:
            raise invalid(f"negative_list[{i}]", _l("an object with “item” and “reason”"))
        item = fields.text(entry.get("item"), f"negative_list[{i}].item", MAX_ITEM)
        reason = fields.text(entry.get("reason"), f"negative_list[{i}].reason", MAX_REASON)
        if item in (e[0] for e in entries):
            raise invalid(f"negative_list[{i}].item", _l("listed twice"))
        entries.append((item, reason))
    return entries


def _ensure_no_overlap(jurisdiction_id: int, opens_on: date, closes_on: date, own: int | None):
    other = db.session.scalar(
        select(Campaign).where(
            Campaign.jurisdiction_id == jurisdiction_id,
            Campaign.opens_on <= closes_on,
            Campaign.closes_on >= opens_on,
            Campaign.id != (own or 0),
        )
    )
    if other is not None:
        raise Conflict(
            "campaigns_overlap",
            year=other.year,
            opens=other.opens_on.isoformat(),
            closes=other.closes_on.isoformat(),
        )


def _lock(jurisdiction: Jurisdiction) -> None:
    """Two campaigns created at once for one jurisdiction: the second waits for the first
    (PostgreSQL's row lock; SQLite's writer lock does the same)."""
    db.session.execute(
        select(Jurisdiction.id).where(Jurisdiction.id == jurisdiction.id).with_for_update()
    )


def create(raw: dict[str, Any], user: object, *, backdated: bool = False) -> Campaign:
    code = fields.text(raw.get("jurisdiction"), "jurisdiction", 32)
    jurisdiction = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if jurisdiction is None:
        raise invalid("jurisdiction", _l("no such jurisdiction"))
    congress.ensure_manages(user, jurisdiction)
    data = check(raw, backdated=backdated)
    _lock(jurisdiction)
    _ensure_no_overlap(jurisdiction.id, data["opens_on"], data["closes_on"], None)
    campaign = Campaign(
        jurisdiction=jurisdiction,
        year=data["year"],
        opens_on=data["opens_on"],
        closes_on=data["closes_on"],
        categories=data["categories"],
        created_by=current_actor(),
    )
    _set_negative_list(campaign, data["negative_list"])
    db.session.add(campaign)
    db.session.flush()
    audit("campaign_created", f"campaign:{campaign.id}", **_audited(campaign))
    return campaign


def update(campaign: Campaign, raw: dict[str, Any], user: object) -> Campaign:
    """Change a campaign before it opens; once open, its rules stand."""
    congress.ensure_manages(user, campaign.jurisdiction)
    if campaign.opens_on <= today():
        raise Conflict("campaign_started", opens=campaign.opens_on.isoformat())
    data = check(raw)
    _lock(campaign.jurisdiction)
    _ensure_no_overlap(campaign.jurisdiction_id, data["opens_on"], data["closes_on"], campaign.id)
    campaign.year = data["year"]
    campaign.opens_on, campaign.closes_on = data["opens_on"], data["closes_on"]
    campaign.categories = data["categories"]
    _set_negative_list(campaign, data["negative_list"])
    db.session.flush()
    audit("campaign_updated", f"campaign:{campaign.id}", **_audited(campaign))
    return campaign


def _set_negative_list(campaign: Campaign, entries: list[tuple[str, str]]) -> None:
    campaign.negative_list.clear()
    db.session.flush()
    for position, (item, reason) in enumerate(entries, start=1):
        campaign.negative_list.append(NegativeItem(position=position, item=item, reason=reason))


def _audited(campaign: Campaign) -> dict[str, Any]:
    return {
        "jurisdiction": campaign.jurisdiction.code,
        "year": campaign.year,
        "opens_on": campaign.opens_on.isoformat(),
        "closes_on": campaign.closes_on.isoformat(),
        "categories": campaign.category_list,
        "negative_list": [[n.item, n.reason] for n in campaign.negative_list],
    }


def get(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("not_found")
    return campaign


def open_campaign(jurisdiction_id: int, on: date) -> Campaign | None:
    return db.session.scalar(
        select(Campaign).where(
            Campaign.jurisdiction_id == jurisdiction_id,
            Campaign.opens_on <= on,
            Campaign.closes_on >= on,
        )
    )


def join(opinion: Opinion) -> CampaignEntry | None:
    """An opinion received in a campaign's window, for its jurisdiction (or one of its
    stations), joins it; with no campaign open it goes on as before."""
    campaign = open_campaign(opinion.jurisdiction_id, opinion.received_on)
    if campaign is None:
        return None
    entry = CampaignEntry(opinion_id=opinion.id, campaign_id=campaign.id)
    db.session.add(entry)
    db.session.flush()
    return entry


def entry_of(opinion: Opinion) -> CampaignEntry | None:
    return db.session.get(CampaignEntry, opinion.id)


def _entry(opinion: Opinion, user: object) -> CampaignEntry:
    congress.ensure_manages(user, opinion.jurisdiction)
    entry = entry_of(opinion)
    if entry is None:
        raise Conflict("not_in_campaign")
    return entry


def screen(
    opinion: Opinion, user: object, decision: Any, *, negative_item: Any = None, reason: Any = ""
) -> CampaignEntry:
    """筛选: accepted into the pool, or set aside with an entry of the negative list or a
    written reason, which the citizen reads by tracking code."""
    entry = _entry(opinion, user)
    decision = fields.choice(decision, "decision", tuple(Screening))
    if opinion.candidate_id is not None:
        raise Conflict("already_candidate")
    item = None
    text = ""
    if decision == Screening.SET_ASIDE:
        if negative_item not in (None, ""):
            item = next(
                (n for n in entry.campaign.negative_list if str(n.id) == str(negative_item)), None
            )
            if item is None:
                raise invalid("negative_item", _l("not an entry of this campaign's negative list"))
        text = fields.text(reason, "reason", 2000, required=item is None)
    entry.screening = decision
    entry.negative_item_id = item.id if item else None
    entry.reason = text
    entry.screened_on = today()
    entry.screened_by = current_actor()
    if decision == Screening.SET_ASIDE:
        entry.verdict, entry.cost_wan, entry.unit, entry.verdict_reason = None, None, "", ""
        entry.assessed_on, entry.assessed_by = None, ""
    db.session.flush()
    audit(
        "opinion_screened",
        f"opinion:{opinion.id}",
        campaign=entry.campaign_id,
        decision=decision,
        negative_item=item.item if item else None,
        reason=text,
    )
    return entry


def record_feasibility(
    opinion: Opinion, user: object, *, cost_wan: Any, unit: Any, verdict: Any, reason: Any = ""
) -> CampaignEntry:
    """可行性论证 by the responsible unit: an estimated cost (万元), the unit and a verdict;
    conditional and not feasible say why."""
    entry = _entry(opinion, user)
    if entry.screening != Screening.ACCEPTED:
        raise Conflict("not_accepted_yet")
    cost = fields.money(cost_wan, "cost_wan")
    unit_text = fields.text(unit, "unit", 200)
    verdict = fields.choice(verdict, "verdict", tuple(Verdict))
    why = fields.text(reason, "reason", 2000, required=verdict != Verdict.FEASIBLE)
    entry.cost_wan, entry.unit, entry.verdict, entry.verdict_reason = cost, unit_text, verdict, why
    entry.assessed_on = today()
    entry.assessed_by = current_actor()
    db.session.flush()
    audit(
        "feasibility_recorded",
        f"opinion:{opinion.id}",
        campaign=entry.campaign_id,
        cost_wan=str(cost),
        unit=unit_text,
        verdict=verdict,
        reason=why,
    )
    return entry


def ensure_may_become_candidate(opinions: Iterable[Opinion]) -> None:
    """An opinion of a campaign becomes a candidate project only once accepted and found
    feasible (or feasible on conditions); other opinions go on as before."""
    for opinion in opinions:
        entry = entry_of(opinion)
        if entry is None:
            continue
        if entry.screening != Screening.ACCEPTED or entry.verdict not in CANDIDATE_READY:
            raise InvalidInput("feasibility_needed", title=opinion.title)


def entries(campaign: Campaign) -> list[CampaignEntry]:
    return list(
        db.session.scalars(
            select(CampaignEntry)
            .join(Opinion, Opinion.id == CampaignEntry.opinion_id)
            .where(CampaignEntry.campaign_id == campaign.id)
            .order_by(Opinion.received_on, Opinion.id)
        )
    )


# What campaign_report.campaign_dict reads of each campaign, loaded with the campaigns:
# otherwise two statements more a campaign (its jurisdiction and its negative list).
_WITH_PARTS = (joinedload(Campaign.jurisdiction), selectinload(Campaign.negative_list))


def of_jurisdiction(code: str) -> list[Campaign]:
    node = congress.jurisdiction_by_code(code)
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.jurisdiction_id == node.id)
            .options(*_WITH_PARTS)
            .order_by(Campaign.opens_on.desc())
        )
    )


def all_campaigns(jurisdiction_ids: Iterable[int] | None = None) -> list[Campaign]:
    query = (
        select(Campaign)
        .options(*_WITH_PARTS)
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
    )
    if jurisdiction_ids is not None:
        query = query.where(Campaign.jurisdiction_id.in_(list(jurisdiction_ids)))
    return list(db.session.scalars(query))
