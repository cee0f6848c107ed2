"""The roll-ups against an independent recount: random trees of jurisdictions, random
sequences of writes (projects, funding, milestones, reports with spending, their corrections
and deletions; opinions and their steps, moves and deletions; reception days and duties),
each committed as a request would; then every jurisdiction's figures as the public reads
them (from the cells) equal a count made here in plain Python over the rows."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from votesys.categories import Category
from votesys.congress import rollups
from votesys.congress.models import Congress, Deputy, Jurisdiction
from votesys.congress.rollup_models import RollupCell, RollupState
from votesys.extensions import db
from votesys.projects import figures as project_figures
from votesys.projects import rules
from votesys.projects.models import Funding, Milestone, Project, Report, Spending, Target, Unit
from votesys.projects.queries import sources
from votesys.stations import figures as station_figures
from votesys.stations.models import (
    Feedback,
    Opinion,
    Reception,
    ReceptionDuty,
    Route,
    Station,
    Step,
)
from votesys.stations.steps import OPEN_STEPS
from votesys.voting.rules import RATINGS

TODAY = date(2026, 7, 15)
YEARS = (2025, 2026)
_serial = itertools.count()

days = st.dates(date(2025, 1, 1), date(2026, 12, 31))
money = st.decimals(Decimal("0.00"), Decimal("500.00"), places=2)
funding = st.dictionaries(st.sampled_from(["county", "township", "pending", "social"]), money)
project_op = st.tuples(
    st.just("project"),
    st.integers(0, 50),
    st.sampled_from(YEARS),
    st.sampled_from(rules.STATUSES),
    st.sampled_from(rules.COMPLETIONS),
    st.sampled_from([None, *RATINGS]),
    st.booleans(),
    st.none() | days,
    funding,
    st.lists(st.tuples(days, st.booleans()), max_size=3),
    st.booleans(),  # has a target
    st.booleans(),  # has a unit
)
edit_project = st.tuples(
    st.just("edit_project"),
    st.integers(0, 50),
    st.sampled_from(rules.STATUSES),
    st.sampled_from([None, *RATINGS]),
    st.integers(0, 50),
    st.sampled_from(YEARS),
    st.none() | days,
)
report_op = st.tuples(st.just("report"), st.integers(0, 50), days, funding)
opinion_op = st.tuples(
    st.just("opinion"),
    st.integers(0, 50),
    days,
    st.sampled_from([c.value for c in Category]),
    st.sampled_from([s.value for s in Step]),
    st.none() | st.sampled_from([r.value for r in Route]),
    st.none() | days,
    st.none() | st.integers(0, 60),
    st.none() | st.sampled_from([f.value for f in Feedback]),
)
edit_opinion = st.tuples(
    st.just("edit_opinion"),
    st.integers(0, 50),
    st.sampled_from([s.value for s in Step]),
    st.none() | st.sampled_from([f.value for f in Feedback]),
    days,
    st.integers(0, 50),
)
reception_op = st.tuples(
    st.just("reception"), st.integers(0, 50), days, st.booleans(), st.integers(0, 3)
)
edit_reception = st.tuples(st.just("edit_reception"), st.integers(0, 50), st.booleans(), days)
delete_op = st.tuples(
    st.sampled_from(
        ["delete_project", "delete_report", "delete_opinion", "delete_reception", "done"]
    ),
    st.integers(0, 50),
)
operations = st.lists(
    st.one_of(
        project_op,
        edit_project,
        report_op,
        opinion_op,
        edit_opinion,
        reception_op,
        edit_reception,
        delete_op,
    ),
    min_size=1,
    max_size=25,
)
shapes = st.lists(st.integers(0, 2), min_size=1, max_size=3)  # children per city, county


def _tree(shape: list[int]) -> list[Jurisdiction]:
    """A province, its cities (one per entry of ``shape``), each with that many counties of
    one township each: every level holds rows of its own."""
    n = next(_serial)
    root = Jurisdiction(code=f"R{n}", name=f"省{n}", level="province")
    db.session.add(root)
    nodes = [root]
    for i, counties in enumerate(shape):
        city = Jurisdiction(code=f"R{n}-{i}", name=f"市{i}", level="city", parent=root)
        nodes.append(city)
        for k in range(counties):
            county = Jurisdiction(code=f"R{n}-{i}-{k}", name="县", level="county", parent=city)
            town = Jurisdiction(code=f"R{n}-{i}-{k}-0", name="镇", level="township", parent=county)
            nodes += [county, town]
    db.session.add_all(nodes)
    db.session.flush()
    return nodes


def _apply(op, nodes, stations, deputies, made) -> None:  # noqa: C901 -- one case per kind
    kind = op[0]
    projects, opinions, receptions = made["projects"], made["opinions"], made["receptions"]

    def pick(items, i):
        return items[i % len(items)] if items else None

    if kind == "project":
        _, j, year, status, completion, rating, rect, finish, money_by, miles, target, unit = op
        node = pick(nodes, j)
        p = Project(
            ref=f"P{next(_serial)}",
            jurisdiction_id=node.id,
            year=year,
            title="项目",
            status=status,
            completion=completion,
            rating=rating,
            rectification=rect,
            planned_finish=finish,
        )
        if unit:
            p.unit_id = _unit(node).id
        db.session.add(p)
        db.session.flush()
        db.session.add_all(
            Funding(project_id=p.id, source=s, amount_wan=a) for s, a in money_by.items()
        )
        db.session.add_all(
            Milestone(project_id=p.id, name="节点", planned_date=d, done_on=d if done else None)
            for d, done in miles
        )
        if target:
            db.session.add(Target(project_id=p.id, name="目标", unit="个", target=Decimal(1)))
        projects.append(p.id)
    elif kind == "edit_project" and projects:
        _, i, status, rating, j, year, finish = op
        p = db.session.get(Project, pick(projects, i))
        if i % 4 < 2:
            db.session.expire(p)
        p.status, p.rating, p.planned_finish = status, rating, finish
        if i % 3 == 0:  # now and then moved, or re-dated to another year
            p.jurisdiction_id, p.year = pick(nodes, j).id, year
        for m in db.session.scalars(select(Milestone).where(Milestone.project_id == p.id)):
            m.done_on = m.planned_date if i % 2 else None
    elif kind == "report" and projects:
        _, i, on, spent = op
        r = Report(project_id=pick(projects, i), reported_on=on, status="in_progress", progress=5)
        db.session.add(r)
        db.session.flush()
        db.session.add_all(
            Spending(report_id=r.id, source=s, amount_wan=a) for s, a in spent.items()
        )
    elif kind == "delete_report" and projects:
        r = db.session.scalar(
            select(Report).where(Report.project_id == pick(projects, op[1])).limit(1)
        )
        if r is not None:
            for s in db.session.scalars(select(Spending).where(Spending.report_id == r.id)):
                db.session.delete(s)
            db.session.delete(r)
    elif kind == "delete_project" and projects:
        pid = projects.pop(op[1] % len(projects))
        for model in (Funding, Milestone, Target):
            for row in db.session.scalars(select(model).where(model.project_id == pid)):
                db.session.delete(row)
        for r in db.session.scalars(select(Report).where(Report.project_id == pid)):
            for s in db.session.scalars(select(Spending).where(Spending.report_id == r.id)):
                db.session.delete(s)
            db.session.delete(r)
        db.session.flush()
        db.session.delete(db.session.get(Project, pid))
    elif kind == "opinion":
        _, j, received, category, status, route, due, reply_days, feedback = op
        o = Opinion(
            tracking_code=f"T{next(_serial)}",
            jurisdiction_id=pick(nodes, j).id,
            source="online",
            received_on=received,
            title="意见",
            content="内容",
            category=category,
            status=status,
            route=route,
            due_on=due,
            replied_on=None if reply_days is None else received + timedelta(days=reply_days),
            feedback=feedback,
            created_by="test",
        )
        db.session.add(o)
        db.session.flush()
        opinions.append(o.id)
    elif kind == "edit_opinion" and opinions:
        _, i, status, feedback, received, j = op
        o = db.session.get(Opinion, pick(opinions, i))
        if i % 4 < 2:  # changed without being read first (as after a commit): nothing loaded
            db.session.expire(o)
        o.status, o.feedback = status, feedback
        if i % 3 == 1:  # corrected: received another day
            o.received_on = received
        elif i % 3 == 2:  # or at another place
            o.jurisdiction_id = pick(nodes, j).id
    elif kind == "delete_opinion" and opinions:
        db.session.delete(db.session.get(Opinion, opinions.pop(op[1] % len(opinions))))
    elif kind == "reception":
        _, s, on, published, duties = op
        r = Reception(
            station_id=pick(stations, s).id,
            date=on,
            published_at=TODAY if published else None,
        )
        db.session.add(r)
        db.session.flush()
        db.session.add_all(
            ReceptionDuty(reception_id=r.id, deputy_id=d.id) for d in deputies[:duties]
        )
        receptions.append(r.id)
    elif kind == "edit_reception" and receptions:
        _, i, published, on = op
        r = db.session.get(Reception, pick(receptions, i))
        if i % 2:
            db.session.expire(r)
        r.published_at, r.date = (TODAY if published else None), on
    elif kind == "delete_reception" and receptions:
        rid = receptions.pop(op[1] % len(receptions))
        for duty in db.session.scalars(
            select(ReceptionDuty).where(ReceptionDuty.reception_id == rid)
        ):
            db.session.delete(duty)
        db.session.flush()
        db.session.delete(db.session.get(Reception, rid))
    db.session.commit()


def _unit(node: Jurisdiction) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.jurisdiction_id == node.id))
    if unit is None:
        unit = Unit(jurisdiction_id=node.id, name="实施单位")
        db.session.add(unit)
        db.session.flush()
    return unit


def _subtree(root: Jurisdiction) -> set[int]:
    parents = dict(db.session.execute(select(Jurisdiction.id, Jurisdiction.parent_id)).all())
    out = {root.id}
    while True:
        more = {j for j, p in parents.items() if p in out} - out
        if not more:
            return out
        out |= more


def recount_projects(ids: set[int], year: int) -> dict:
    """The summary of a subtree's year, counted in Python over the rows."""
    projects = db.session.scalars(
        select(Project).where(Project.jurisdiction_id.in_(ids), Project.year == year)
    ).all()
    by_status = {s: 0 for s in rules.STATUSES}
    by_completion = {c: 0 for c in rules.COMPLETIONS}
    satisfaction = {r: 0 for r in RATINGS} | {"unrated": 0}
    by_source = {s: Decimal("0.00") for s in sources()}
    spent = overdue = planning = rectification = 0
    for p in projects:
        by_status[p.status] += 1
        by_completion[p.completion] += 1
        satisfaction[p.rating or "unrated"] += 1
        rectification += p.rectification
        money_rows = db.session.scalars(select(Funding).where(Funding.project_id == p.id)).all()
        for f in money_rows:
            by_source[f.source] = by_source.get(f.source, Decimal("0.00")) + f.amount_wan
        reports = db.session.scalars(select(Report).where(Report.project_id == p.id)).all()
        if reports:
            latest = max(reports, key=lambda r: (r.reported_on, r.id))
            spent += sum(
                s.amount_wan
                for s in db.session.scalars(select(Spending).where(Spending.report_id == latest.id))
            )
        miles = db.session.scalars(select(Milestone).where(Milestone.project_id == p.id)).all()
        late = (p.planned_finish is not None and p.planned_finish < TODAY) or any(
            m.done_on is None and m.planned_date < TODAY for m in miles
        )
        overdue += p.status not in rules.CLOSED_STATUSES and late
        has_target = db.session.scalar(
            select(func.count()).select_from(Target).where(Target.project_id == p.id)
        )
        planning += p.status == "not_started" and (
            p.unit_id is None
            or p.planned_finish is None
            or not any(f.source != rules.PENDING_SOURCE for f in money_rows)
            or any(f.source == rules.PENDING_SOURCE and f.amount_wan > 0 for f in money_rows)
            or not has_target
        )
    return {
        "projects": len(projects),
        "status_counts": by_status,
        "by_completion": by_completion,
        "satisfaction": satisfaction,
        "investment_by_source_wan": {k: rules.wan(v) for k, v in by_source.items()},
        "spent_wan": rules.wan(spent or Decimal("0.00")),
        "overdue": overdue,
        "planning": planning,
        "rectification": rectification,
    }


def recount_opinions(ids: set[int], start: date, end: date) -> dict:
    """A subtree's stations' figures over [start, end], counted in Python over the rows."""
    ops = [
        o
        for o in db.session.scalars(select(Opinion).where(Opinion.jurisdiction_id.in_(ids)))
        if start <= o.received_on <= end
    ]
    held = [
        r
        for r, j in db.session.execute(
            select(Reception, Station.jurisdiction_id).join(Station)
        ).all()
        if j in ids and r.published_at is not None and start <= r.date <= min(end, TODAY)
    ]
    replies = [(o.replied_on - o.received_on).days for o in ops if o.replied_on]
    feedback = {f.value: sum(o.feedback == f.value for o in ops) for f in Feedback}
    return {
        "reception_sessions": len(held),
        "deputy_attendances": sum(
            db.session.scalar(
                select(func.count())
                .select_from(ReceptionDuty)
                .where(ReceptionDuty.reception_id == r.id)
            )
            for r in held
        ),
        "opinions_collected": len(ops),
        "handed_on": sum(
            o.route in (Route.TOWNSHIP_ORDINARY, Route.TOWNSHIP_MAJOR, Route.COUNTY_OR_ABOVE)
            for o in ops
        ),
        "closed": sum(o.status == Step.ARCHIVED for o in ops),
        "overdue": sum(
            o.status in OPEN_STEPS and o.due_on is not None and o.due_on < TODAY for o in ops
        ),
        "average_days_to_reply": (
            f"{float(Decimal(sum(replies)) / len(replies)):.1f}" if replies else None
        ),
        "feedback": feedback,
        "by_category": {
            c.value: {
                "collected": sum(o.category == c.value for o in ops),
                "closed": sum(o.category == c.value and o.status == Step.ARCHIVED for o in ops),
            }
            for c in Category
        },
        "by_status": {s.value: sum(o.status == s.value for o in ops) for s in Step},
    }


PERIODS = [
    (date(2025, 1, 1), date(2025, 12, 31)),
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 7, 1), date(2026, 9, 30)),
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=shapes, ops=operations)
def test_cells_equal_an_independent_recount(app, shape, ops):
    nodes = _tree(shape)
    congress = Congress(jurisdiction_id=nodes[0].id, name="代表大会", term=1)
    db.session.add(congress)
    db.session.flush()
    deputies = [
        Deputy(congress_id=congress.id, code=f"D{next(_serial)}", name="代表", pin_hash="x")
        for _ in range(3)
    ]
    stations = [Station(jurisdiction_id=n.id, name=f"联络站{n.code}") for n in nodes[-2:]]
    db.session.add_all([*deputies, *stations])
    db.session.commit()
    made = {"projects": [], "opinions": [], "receptions": []}
    for op in ops:
        _apply(op, nodes, stations, deputies, made)
    assert rollups.built(fresh=True)
    for node in nodes:
        ids = _subtree(node)
        for year in YEARS:
            figures = project_figures.summary_of_node(node.id, year, TODAY)
            counted = recount_projects(ids, year)
            assert {k: figures[k] for k in counted} == counted, (node.code, year)
        for start, end in PERIODS:
            figures = station_figures.stats(
                jurisdiction_ids=sorted(ids), start=start, end=end, on=TODAY, root_id=node.id
            )
            counted = recount_opinions(ids, start, end)
            assert {k: figures[k] for k in counted} == counted, (node.code, start, end)


def test_the_cells_and_the_rows_agree_whichever_is_read(app):
    """Before the cells are built, figures come from the rows; after, from the cells: the
    same figures either way (and the read from cells does not touch the rows)."""
    nodes = _tree([1, 2])
    _apply(
        (
            "opinion",
            3,
            date(2026, 2, 1),
            "roads",
            "archived",
            "township_major",
            None,
            4,
            "satisfied",
        ),
        nodes,
        [],
        [],
        {"projects": [], "opinions": [], "receptions": []},
    )
    ids = sorted(_subtree(nodes[0]))
    from_cells = station_figures.stats(
        jurisdiction_ids=ids, start=date(2026, 1, 1), end=date(2026, 12, 31), root_id=nodes[0].id
    )
    db.session.execute(db.update(RollupState).values(version=0))
    db.session.commit()
    assert not rollups.built(fresh=True)
    from_rows = station_figures.stats(
        jurisdiction_ids=ids, start=date(2026, 1, 1), end=date(2026, 12, 31), root_id=nodes[0].id
    )
    assert from_cells == from_rows
    assert from_rows["opinions_collected"] == 1 and from_rows["closed"] == 1


def test_a_jurisdiction_moved_under_another_city_moves_its_figures(app):
    nodes = _tree([1, 1])  # province, city 0, its county and township, city 1, ...
    province, city0, county0, town0, city1 = nodes[:5]
    made = {"projects": [], "opinions": [], "receptions": []}
    opinion = ("opinion", 3, date(2026, 2, 1), "roads", "received", None, None, None, None)
    _apply(opinion, nodes, [], [], made)
    year = (date(2026, 1, 1), date(2026, 12, 31))

    def collected(node):
        return station_figures.stats(
            jurisdiction_ids=sorted(_subtree(node)), start=year[0], end=year[1], root_id=node.id
        )["opinions_collected"]

    assert (collected(city0), collected(city1), collected(province)) == (1, 0, 1)
    county0.parent_id = city1.id
    db.session.commit()
    assert rollups.built(fresh=True)
    assert (collected(city0), collected(city1), collected(province)) == (0, 1, 1)
    assert rollups.differences() == []


def test_the_commands_rebuild_and_check_the_cells(app, runner):
    nodes = _tree([1])
    made = {"projects": [], "opinions": [], "receptions": []}
    _apply(
        ("opinion", 0, date(2026, 2, 1), "water", "received", None, None, None, None),
        nodes,
        [],
        [],
        made,
    )
    assert runner.invoke(args=["rollups", "check"]).exit_code == 0
    db.session.execute(
        db.update(RollupCell)
        .where(RollupCell.jurisdiction_id == nodes[0].id, RollupCell.name == "o.collected")
        .values(n=RollupCell.n + 5)
    )
    db.session.commit()
    found = runner.invoke(args=["rollups", "check"])
    assert found.exit_code == 1
    assert f"jurisdiction {nodes[0].id} period 20261 o.collected: stored (6" in found.output
    rebuilt = runner.invoke(args=["rollups", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.output)["cells"] > 0
    assert runner.invoke(args=["rollups", "check"]).exit_code == 0
    db.session.execute(db.update(RollupState).values(version=0))
    db.session.commit()
    unbuilt = runner.invoke(args=["rollups", "check"])
    assert unbuilt.exit_code == 1 and "not built" in unbuilt.output


@pytest.mark.parametrize("change", ["received_on", "jurisdiction_id", "station", "project"])
def test_a_row_changed_without_being_read_leaves_its_old_unit(app, change):
    """A row changed after a commit expired it (nothing of it loaded): the unit it leaves is
    counted again as well as the one it joins."""
    nodes = _tree([1])
    congress = Congress(jurisdiction_id=nodes[0].id, name="代表大会", term=1)
    db.session.add(congress)
    db.session.flush()
    station = Station(jurisdiction_id=nodes[1].id, name="联络站")
    db.session.add(station)
    db.session.commit()
    made = {"projects": [], "opinions": [], "receptions": []}
    _apply(
        ("opinion", 3, date(2026, 2, 1), "roads", "received", None, None, None, None),
        nodes,
        [station],
        [],
        made,
    )
    _apply(("reception", 0, date(2026, 2, 3), True, 0), nodes, [station], [], made)
    _apply(
        ("project", 3, 2026, "in_progress", "this_year", None, False, None, {}, [], False, False),
        nodes,
        [station],
        [],
        made,
    )
    opinion = db.session.get(Opinion, made["opinions"][0])
    project = db.session.get(Project, made["projects"][0])
    db.session.expire_all()
    if change == "received_on":
        opinion.received_on = date(2025, 8, 1)
    elif change == "jurisdiction_id":
        opinion.jurisdiction_id = nodes[2].id
    elif change == "station":
        station.jurisdiction_id = nodes[3].id
    else:
        project.year = 2025
    db.session.commit()
    assert rollups.differences() == []


def test_a_bulk_write_of_a_thousand_units_is_counted(app):
    """Rows inserted past the ORM (an import) mark their units; more than SQLite's 1,000
    levels of expression of them are counted again in several statements."""
    nodes = _tree([1])
    rows = [
        {
            "ref": f"B{next(_serial)}",
            "jurisdiction_id": nodes[i % 4].id,
            "year": 1000 + i,
            "title": "项目",
            "status": "in_progress",
        }
        for i in range(1100)
    ]
    db.session.execute(db.insert(Project), rows)
    rollups.mark(db.session, "p", {(r["jurisdiction_id"], r["year"]) for r in rows})
    db.session.commit()
    assert rollups.differences() == []
    assert project_figures.summary_of_node(nodes[0].id, 1500, TODAY)["projects"] == 1
