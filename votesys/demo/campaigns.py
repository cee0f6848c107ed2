"""The demo's collection campaigns (征集) of 渌口区, through the same services as the desk.

- 2027年民生实事项目征集 (2026-10-08 to 2026-11-30), open on the demo's day with ten days
  left: the opinions the stations received in its window joined it, and citizens sent more
  online. Each state is there: waiting for screening; set aside by an entry of the negative
  list (楼堂馆所, a project already in the budget) or with a written reason; accepted;
  feasible, feasible on conditions and not feasible; merged into candidate projects that
  stand on the 2027 ballot.
- 2026年民生实事项目征集 (2025-09-01 to 2025-10-31), closed: its opinions became candidates
  of the 2026 vote and both of those were approved (农村饮水安全巩固提升工程, 居家养老服务
  中心建设): the adoption report's "approved" and a citizen's path to it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from votesys.congress.models import Jurisdiction
from votesys.extensions import db
from votesys.stations import campaigns, intake
from votesys.stations.campaign_models import CampaignEntry
from votesys.stations.models import Opinion, Source, Station
from votesys.voting.models import Candidate

NEGATIVE = [
    {"item": "楼堂馆所建设", "reason": "不属于民生实事范围"},
    {"item": "已列入年度预算的项目", "reason": "不得重复申报"},
    {"item": "应由市场主体投资建设的经营性项目", "reason": "不属于政府民生实事项目"},
    {"item": "个人或少数人的利益诉求", "reason": "不具有普惠性，请通过代表联络站按七步工作法反映"},
]
CALLS = (
    {"year": 2026, "opens_on": "2025-09-01", "closes_on": "2025-10-31"},
    {"year": 2027, "opens_on": "2026-10-08", "closes_on": "2026-11-30"},
)
# Sent online during the 2027 call: (station, day, category, title, content, then what the
# desk made of it: ("aside", negative-list item or None, written reason), ("accepted",),
# ("feasibility", verdict, cost 万元, unit, reason) or None (waiting for screening).
SENT = [
    (
        "lukou",
        "2026-10-12",
        "other",
        "建议新建渌口镇政府综合办公楼",
        "镇政府办公楼建于八十年代，办事群众多时很拥挤，建议新建综合办公楼。",
        ("aside", "楼堂馆所建设", ""),
    ),
    (
        "nanzhou",
        "2026-10-19",
        "roads",
        "渌江大桥桥面维修",
        "渌江大桥桥面坑洼较多，建议列入民生实事项目维修。",
        (
            "aside",
            "已列入年度预算的项目",
            "渌江大桥桥面维修已列入2026年区本级交通专项预算，年内完工。",
        ),
    ),
    (
        "lukou",
        "2026-10-26",
        "other",
        "建议引进大型连锁超市",
        "城区缺少大型超市，买东西要去株洲市区，建议政府出资建设购物中心。",
        ("aside", "应由市场主体投资建设的经营性项目", ""),
    ),
    (
        "park",
        "2026-11-03",
        "employment",
        "园区职工子女暑期托管",
        "园区双职工家庭多，暑假孩子无人照看，建议在园区开办暑期托管班。",
        (
            "feasibility",
            "conditional",
            "85.00",
            "区教育局",
            "需园区企业共同承担场地和部分运营费用，按普惠收费标准实施。",
        ),
    ),
    (
        "nanzhou",
        "2026-11-05",
        "environment",
        "南洲镇建设垃圾焚烧发电厂",
        "建议在南洲镇建设垃圾焚烧发电厂，彻底解决垃圾处理问题。",
        (
            "feasibility",
            "not_feasible",
            "42000.00",
            "区城市管理和综合执法局",
            "全市生活垃圾已统一进入市垃圾焚烧发电厂处理，本区单独建设不符合专项规划，投资远超区级财力。",
        ),
    ),
    (
        "lukou",
        "2026-11-12",
        "health",
        "社区卫生服务中心增设夜间门诊",
        "晚上孩子发烧只能去市里医院，建议社区卫生服务中心开设夜间门诊。",
        ("feasibility", "feasible", "126.50", "区卫生健康局", ""),
    ),
    (
        "park",
        "2026-11-16",
        "roads",
        "园区至城区增开通勤公交",
        "园区上下班时段公交车太少，建议增开通勤专线。",
        ("accepted",),
    ),
    (
        "nanzhou",
        "2026-11-18",
        "elderly_care",
        "村级老年食堂建设",
        "村里独居老人多，中午吃饭成问题，建议每个村办老年食堂。",
        None,
    ),
]
# The stations' own opinions of the 2027 window, by title: what the desk made of them.
STATIONS_2027 = {
    "建设路路灯损坏": (
        "aside",
        None,
        "属于日常维修事项，已转渌口镇城管办按七步工作法办理并修复，不列入民生实事项目。",
    ),
    "菜市场周边垃圾清运不及时": ("aside", None, "属于日常管理事项，已由渌口镇环卫所调整清运频次。"),
    "一起宅基地纠纷": ("aside", "个人或少数人的利益诉求", ""),
    "孩子上学路口缺少红绿灯": ("feasibility", "feasible", "36.00", "区公安局交通警察大队", ""),
    "自来水水压不足": None,
    "园区工人希望有技能培训": ("accepted",),
}


def seed(organiser, station_ids: dict) -> None:
    county = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "430212"))
    made = [
        campaigns.create(
            {"jurisdiction": county.code, **call, "negative_list": NEGATIVE},
            organiser,
            backdated=True,
        )
        for call in CALLS
    ]
    _join_received(county, made)
    by_key = {key: db.session.get(Station, sid) for key, sid in station_ids.items()}
    for key, day, category, title, content, outcome in SENT:
        opinion = intake.create_opinion(
            intake.NewOpinion(title=title, content=content, category=category),
            source=Source.ONLINE,
            jurisdiction=county,
            station=by_key[key],
            received_on=date.fromisoformat(day),
            actor="citizen",
        )
        _apply(opinion, outcome, organiser)
    for entry in campaigns.entries(made[1]):
        opinion = entry.opinion
        if opinion.candidate_id is not None:
            _feasible_candidate(opinion, organiser)
        elif opinion.title in STATIONS_2027:
            _apply(opinion, STATIONS_2027[opinion.title], organiser)
    for entry in campaigns.entries(made[0]):
        if entry.opinion.candidate_id is not None:
            _feasible_candidate(entry.opinion, organiser)
            entry.screened_on = entry.assessed_on = date(2025, 11, 6)
    db.session.flush()


def _join_received(county: Jurisdiction, made: list) -> None:
    """The stations' opinions received in a call's window (loaded before the calls) join it."""
    for opinion in db.session.scalars(
        select(Opinion).where(Opinion.jurisdiction_id == county.id).order_by(Opinion.id)
    ):
        if db.session.get(CampaignEntry, opinion.id) is None:
            campaigns.join(opinion)


def _apply(opinion: Opinion, outcome, organiser) -> None:
    if outcome is None:
        return
    if outcome[0] == "aside":
        _kind, item, reason = outcome
        entry = campaigns.entry_of(opinion)
        chosen = next((n.id for n in entry.campaign.negative_list if n.item == item), None)
        campaigns.screen(opinion, organiser, "set_aside", negative_item=chosen, reason=reason)
        return
    campaigns.screen(opinion, organiser, "accepted")
    if outcome[0] == "feasibility":
        _kind, verdict, cost, unit, reason = outcome
        campaigns.record_feasibility(
            opinion, organiser, cost_wan=cost, unit=unit, verdict=verdict, reason=reason
        )


def _feasible_candidate(opinion: Opinion, organiser) -> None:
    """An opinion the stations' data already merged into a candidate: screened and found
    feasible first, as the rule now asks, with the candidate's budget and unit."""
    candidate_id, opinion.candidate_id = opinion.candidate_id, None
    db.session.flush()
    candidate = db.session.get(Candidate, candidate_id)
    campaigns.screen(opinion, organiser, "accepted")
    campaigns.record_feasibility(
        opinion,
        organiser,
        cost_wan=str(candidate.budget_wan or "0"),
        unit=candidate.responsible_unit or "区人民政府",
        verdict="feasible",
    )
    opinion.candidate_id = candidate_id
