"""The demo data a newcomer sees, built from the seeds' facts about 渌口区.

- 一届人大一次会议 (2026): 179 deputies present and voting on 15 candidates for ten places;
  the "一户一产业工人" training project passes with 140 votes for, as the seed reports. The
  result is published, so the announcement, the CSV and the hall screen's result show it.
- 一届人大二次会议 (2027): three seats have since been vacated (176 current deputies); 168
  are checked in; a practice vote (试投票) tested their tablets (166 cast; the desk names the
  two that did not); fifteen new candidates wait in a draft vote for the organiser to open.
- Stations: four liaison stations with their deputies, reception days (published and one
  not yet), and a dozen citizens' opinions at every one of the seven steps; some became the
  2027 candidates, one was not accepted, one came back unsatisfied. A station's staff login
  sees its citizens' phones whole; the organisers see them masked.
- The ten approved 2026 projects are in the register (民生实事项目台账) with their plans,
  funding by source, targets, milestones, progress reports, a postponement approved by the
  standing committee, a pending adjustment and deputies' inspections; the training project
  trained 2,921 people against a target of 2,000 (146%). 区人社局 logs in as a responsible unit.
- 龙门镇, a township under 渌口区, with an organiser of its own who sees only it: its
  congress voted on paper; the tellers' totals are entered and the result published; the
  four projects it approved entered the township's 2027 register with the budgets voted on,
  one with its plan drawn up and three still in planning; two projects tie for the fifth
  place, and the runoff vote among them waits, in draft. At its third session (vote 6) the
  hall's network failed during an electronic vote: it switched to paper, a teller entered the
  paper part, a scrutineer confirmed it, and two of its three scrutineers signed the counted
  record (demo/fallback.py); the third, 王斌 (LM024), has yet to; it awaits publication.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from votesys import scenario
from votesys.auth.models import User
from votesys.auth.services import create_user
from votesys.congress import services as congress
from votesys.congress.models import Congress, CongressSession, Deputy, Jurisdiction
from votesys.demo import campaigns as demo_campaigns
from votesys.demo import citizens as demo_citizens
from votesys.demo import fallback as demo_fallback
from votesys.demo import messages as demo_messages
from votesys.demo import publicity as demo_publicity
from votesys.demo import scrutiny as demo_scrutiny
from votesys.demo.data import (
    CATEGORIES_2026,
    FOR_2026,
    PAPER_TOTALS,
    PLANS,
    REPORTS,
    TOWNSHIP_PLAN,
)
from votesys.extensions import db
from votesys.projects import changes, register, reports, supervision
from votesys.projects.models import Project
from votesys.stations import scenario as stations
from votesys.voting import casting, counting, record
from votesys.voting import services as voting
from votesys.voting.models import Candidate, Vote

HERE = Path(__file__).parent
SCENARIO = HERE / "lukou.json"
NEXT_SESSION = HERE / "lukou_2027.json"
TOWNSHIP = HERE / "longmen.json"
ORGANISER = ("organiser", "votesys-demo")
TOWNSHIP_ORGANISER = ("longmen", "votesys-demo")
STATIONS = HERE / "lukou_stations.json"
STATION_STAFF = ("lukou-station", "votesys-demo")
UNIT_USER = ("renshe", "votesys-demo")  # 区人社局, the responsible unit of the training project


def load_if_empty() -> bool:
    """Load the demo when no congress exists yet; commit. Returns whether it loaded."""
    if db.session.scalar(select(func.count(Congress.id))):
        return False

    ids = _first_session()
    candidates_2027 = _second_session(ids)
    township = _township()
    _practice(candidates_2027)
    demo_fallback.seed(_congress_of(township))  # 龙门镇: a vote switched to paper (vote 6)
    # Opinions became 2027 candidates (p01…) and, a year earlier, 2026 ones (c01…).

    candidates_2026 = {k: db.session.get(Candidate, c) for k, c in ids["candidates"].items()}
    station_ids = _stations(ids, candidates_2026 | candidates_2027)
    demo_messages.seed()  # a citizen's text message sent; contact details erased
    demo_publicity.seed()  # published opinions with support and a photo; one to a deputy
    for (login, password), name, jurisdiction in (
        (ORGANISER, "区人大常委会办公室", None),
        (TOWNSHIP_ORGANISER, "龙门镇人大主席团", township),
    ):
        if not db.session.scalar(select(User.id).where(User.login == login)):
            create_user(login, password, "organiser", name=name, jurisdiction_id=jurisdiction)
    login, password = STATION_STAFF
    create_user(
        login, password, "station_staff", name="渌口镇联络站", station_id=station_ids["lukou"]
    )
    _unit_user(ids)
    organiser = db.session.scalar(select(User).where(User.login == ORGANISER[0]))
    demo_campaigns.seed(organiser, station_ids)  # 征集: 2026 closed, 2027 open; every state
    _register(ids, organiser)
    db.session.commit()
    return True


def _first_session() -> dict:
    """Load the roster and the 2026 vote, cast 179 ballots through the real path, publish."""
    data = json.loads(SCENARIO.read_text(encoding="utf-8"))
    later_vacated = [d["code"] for d in data["deputies"] if d.get("status") == "terminated"]
    for d in data["deputies"]:
        d["status"] = "active"  # the seats were vacated after the first session
    ids = scenario.load(data)
    sess = db.session.get(CongressSession, ids["session"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    demo_scrutiny.appoint(sess)
    vote = voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
    candidate_ids = voting.candidate_ids(vote)
    rng = random.Random(2026)
    for deputy_id, marks in zip(
        ids["deputies"].values(), _ballots(rng, 179, FOR_2026, 10), strict=True
    ):
        choices = {str(cid): m for cid, m in zip(candidate_ids, marks, strict=True) if m}
        casting.cast_ballot(vote, db.session.get(Deputy, deputy_id), choices)
    counting.close_vote(vote)
    _date_as_session(vote)
    demo_scrutiny.confirm(vote)  # its three scrutineers sign the record before publication
    voting.publish_vote(vote)
    vote.published_at = vote.published_at.replace(year=2026, month=1, day=8)
    for code in later_vacated:
        deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
        deputy.status = "terminated"
    db.session.flush()
    return ids


def _date_as_session(vote) -> None:
    """Date a demo vote on its session's day and sign its record again with that date."""
    day = vote.session.date
    vote.opened_at = vote.opened_at.replace(year=day.year, month=day.month, day=day.day)
    vote.closed_at = vote.closed_at.replace(year=day.year, month=day.month, day=day.day)
    db.session.delete(record.record_of(vote.id))
    db.session.flush()
    record.write_record(vote)


def _ballots(rng: random.Random, n: int, fors: list[int], limit: int) -> list[list[str]]:
    """n ballots whose "for" counts per candidate are exactly ``fors``, none over ``limit``;
    the other marks split between against and abstain."""
    ballots = [[""] * len(fors) for _ in range(n)]
    used = [0] * n
    for i, wanted in enumerate(fors):
        order = sorted(range(n), key=lambda b: (used[b], rng.random()))
        for b in order[:wanted]:
            ballots[b][i] = "for"
            used[b] += 1
        for b in order[wanted:]:
            ballots[b][i] = rng.choice(["against", "abstain", "abstain", ""])
    assert max(used) <= limit
    return ballots


def _second_session(ids: dict) -> dict:
    spec = json.loads(NEXT_SESSION.read_text(encoding="utf-8"))
    body = db.session.get(Congress, ids["congress"])
    sess = congress.create_session(
        body, spec["session"]["name"], date.fromisoformat(spec["session"]["date"])
    )
    from decimal import Decimal

    candidates = [
        voting.add_candidate(
            sess, c["title"], c["summary"], c["responsible_unit"], Decimal(c["budget_wan"])
        )
        for c in spec["candidates"]
    ]
    db.session.flush()
    voting.create_vote(
        sess,
        title=spec["vote"]["title"],
        candidate_ids=[c.id for c in candidates],
        seats=spec["vote"]["seats"],
        max_for=spec["vote"]["max_for"],
    )
    current = db.session.scalars(
        select(Deputy.code)
        .where(Deputy.congress_id == body.id, Deputy.status == "active")
        .order_by(Deputy.code)
    ).all()
    absent = set(random.Random(2027).sample(list(current), 8))
    for code in current:
        if code not in absent:
            congress.check_in(sess, code)
    return {f"p{i:02d}": c for i, c in enumerate(candidates, start=1)}


def _practice(candidates: dict) -> None:
    """Before its vote the 2027 session tested every tablet with a practice ballot (试投票):
    166 of the 168 present cast; the desk sees the two whose tablets did not."""
    sess = db.session.get(CongressSession, next(iter(candidates.values())).session_id)
    practice = voting.create_vote(
        sess,
        title="2027年民生实事项目票决试投票",
        candidate_ids=[c.id for c in candidates.values()],
        seats=10,
        max_for=10,
        practice=True,
    )
    voting.open_vote(practice)
    present = casting.not_voted(practice)  # before any cast: everyone present at opening
    silent = set(random.Random(2028).sample([d.code for d in present], 2))
    first = str(next(iter(candidates.values())).id)
    for deputy in present:
        if deputy.code not in silent:
            casting.cast_ballot(practice, deputy, {first: "for"})
    counting.close_vote(practice)


def _congress_of(jurisdiction_id: int) -> int:
    return db.session.scalar(select(Congress.id).where(Congress.jurisdiction_id == jurisdiction_id))


def _stations(ids: dict, candidates: dict) -> dict:
    """Stations, reception days and opinions at every step (see lukou_stations.json)."""
    data = json.loads(STATIONS.read_text(encoding="utf-8"))
    spec = stations.validate(data["stations"], data["opinions"], set(candidates))
    county = db.session.get(Jurisdiction, ids["jurisdiction"])
    return stations.load(spec, county, candidates)["stations"]


def _township() -> int:
    """龙门镇: a paper vote, the tellers' totals entered and published, a tie, and its runoff
    in draft."""
    ids = scenario.load(json.loads(TOWNSHIP.read_text(encoding="utf-8")))
    sess = db.session.get(CongressSession, ids["session"])
    codes = sorted(ids["deputies"])
    for code in codes[:43]:
        congress.check_in(sess, code)
    vote = voting.open_vote(db.session.get(Vote, ids["votes"]["main"]))
    counts = {
        cid: dict(zip(("for", "against", "abstain"), totals, strict=True))
        for cid, totals in zip(voting.candidate_ids(vote), PAPER_TOTALS, strict=True)
    }
    counting.enter_paper_totals(vote, issued=43, returned=43, invalid_ballots=1, counts=counts)
    _date_as_session(vote)
    # Published: the four projects it decided enter the township's register with the budget
    # voted on, their plans still to draw up; the fifth place waits for the runoff.
    voting.publish_vote(vote)
    vote.published_at = vote.closed_at
    voting.create_runoff(vote)
    first = db.session.scalar(
        select(Project).where(Project.vote_id == vote.id).order_by(Project.ref)
    )
    register.set_plan(first, TOWNSHIP_PLAN)
    return ids["jurisdiction"]


def _register(ids: dict, organiser) -> None:
    """The ten approved 2026 projects (registered when the vote was published): their plans,
    reports, changes and supervision, through the same services as the pages and the API."""
    by_key = {
        key: db.session.scalar(select(Project).where(Project.candidate_id == cid))
        for key, cid in ids["candidates"].items()
    }
    for key, plan in PLANS.items():
        register.set_plan(by_key[key], plan)
    for key, category in CATEGORIES_2026.items():
        if key in by_key and by_key[key] is not None:
            register.set_plan(by_key[key], {"category": category})
    deputies = sorted(ids["deputies"])
    register.set_plan(by_key["c01"], {"supervisors": deputies[:3]})
    register.set_plan(by_key["c02"], {"supervisors": deputies[3:6]})
    for key, report in REPORTS:
        reports.add_report(by_key[key], report)
    for key, names in (
        ("c01", ("确定培训机构和专业", "首期开班", "完成年度培训任务")),
        ("c02", ("完成征拆",)),
    ):
        for m in by_key[key].milestones:
            if m.name in names:
                reports.tick_milestone(by_key[key], m.id, m.planned_date)
    postpone = changes.request_change(
        by_key["c04"],
        {"kind": "postpone", "reason": "桩基地质条件复杂，工期顺延", "new_finish": "2027-12-31"},
    )
    changes.decide_change(postpone, approve=True, decision_ref="渌口区人大常委会〔2026〕15号")
    by_key["c04"].status = "delayed"  # 暂缓 of the deadline only: the works go on
    changes.request_change(
        by_key["c08"],
        {
            "kind": "adjust",
            "reason": "增加3处临水临崖路段防护",
            "funding": {"provincial": "700.00", "county": "845.60"},
        },
    )
    for key, kind, day, deputy, text in (
        ("c01", "inspection", "2026-05-20", deputies[0], "视察渌口月嫂培训班，建议增加夜班课程。"),
        (
            "c02",
            "inspection",
            "2026-09-10",
            deputies[3],
            "视察太长线施工现场，要求雨季做好安全防护。",
        ),
        ("c02", "comment", "2026-10-20", deputies[4], "沿线群众反映施工扬尘，建议增加洒水频次。"),
        (
            "c04",
            "hearing",
            "2026-11-05",
            None,
            "区人大常委会听取区教育局关于城区学校扩容工程进展情况的汇报。",
        ),
    ):
        supervision.add_supervision(
            by_key[key],
            organiser,
            {"kind": kind, "held_on": day, "text": text, "deputy": deputy},
        )
    demo_citizens.seed(by_key)  # 群众满意度: citizens' ratings from the site posters


def _unit_user(ids: dict) -> None:
    login, password = UNIT_USER
    if db.session.scalar(select(User.id).where(User.login == login)):
        return
    training = db.session.scalar(
        select(Project).where(Project.candidate_id == ids["candidates"]["c01"])
    )
    create_user(login, password, "unit", name="区人社局", unit_id=training.unit_id)
