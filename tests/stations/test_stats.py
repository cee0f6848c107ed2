"""The organisers' figures over a generated set of 10,000 opinions at 50 stations, checked
against the same figures counted independently in Python."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from votesys.categories import Category
from votesys.congress import rollups
from votesys.congress import services as congress
from votesys.congress.models import Jurisdiction
from votesys.extensions import db
from votesys.stations import figures
from votesys.stations.models import (
    Opinion,
    Reception,
    ReceptionDuty,
    Station,
    Step,
)

ON = date(2026, 11, 20)
HANDED = ("township_ordinary", "township_major", "county_or_above")


@pytest.fixture
def generated(app, make_scenario):
    ids = make_scenario(deputies=40)
    rng = random.Random(20261120)
    county = db.session.get(Jurisdiction, ids["jurisdiction"])
    towns = []
    for i in range(5):
        town = Jurisdiction(code=f"T{i}", name=f"镇{i}", level="township", parent=county)
        db.session.add(town)
        towns.append(town)
    other = Jurisdiction(code="OTHER", name="别的县", level="county")
    db.session.add(other)
    db.session.flush()
    stations = []
    for i in range(50):
        node = other if i >= 45 else towns[i % 5]
        st = Station(jurisdiction_id=node.id, name=f"联络站{i}", kind="station")
        db.session.add(st)
        stations.append(st)
    db.session.flush()
    receptions, duties = [], []
    for i in range(600):
        st = rng.choice(stations)
        day = ON + timedelta(days=rng.randint(-300, 30))
        published = rng.random() < 0.8
        receptions.append(
            {
                "id": i + 1,
                "station_id": st.id,
                "date": day,
                "hours": "",
                "topic": "",
                "published_at": datetime(2026, 1, 1) if published else None,
                "created_at": datetime(2026, 1, 1),
            }
        )
        for d in rng.sample(list(ids["deputies"].values()), rng.randint(1, 4)):
            duties.append({"reception_id": i + 1, "deputy_id": d})
    db.session.execute(insert(Reception), receptions)
    db.session.execute(insert(ReceptionDuty), duties)
    rows = []
    for i in range(10_000):
        st = rng.choice(stations)
        received = ON - timedelta(days=rng.randint(0, 365))
        status = rng.choice(list(Step))
        route = None
        if status not in (Step.RECEIVED, Step.REGISTERED):
            route = rng.choice([*HANDED, "not_accepted"])
            if route == "not_accepted":
                status = rng.choice([Step.HANDLING, Step.ARCHIVED])
        replied = None
        if status in (Step.REPLIED, Step.FEEDBACK, Step.ARCHIVED) and route != "not_accepted":
            replied = received + timedelta(days=rng.randint(1, 90))
        feedback = None
        if status in (Step.FEEDBACK, Step.ARCHIVED) and route != "not_accepted":
            feedback = rng.choice(
                ["satisfied", "basically"]
                if status == Step.ARCHIVED
                else ["satisfied", "basically", "unsatisfied"]
            )
        due = received + timedelta(days=rng.randint(5, 120)) if route in HANDED else None
        rows.append(
            {
                "tracking_code": f"T{i:012d}",
                "jurisdiction_id": st.jurisdiction_id,
                "station_id": st.id,
                "source": "reception",
                "received_on": received,
                "title": f"意见{i}",
                "content": "内容",
                "category": rng.choice(list(Category)),
                "place": "",
                "status": status,
                "route": route,
                "handling_unit": "",
                "due_on": due,
                "reason": "",
                "reply": "",
                "replied_on": replied,
                "feedback": feedback,
                "created_by": "system",
                "created_at": datetime(2026, 1, 1),
            }
        )
    db.session.execute(insert(Opinion), rows)
    rollups.rebuild()  # rows inserted past the ORM: counted again, as a bulk loader does
    db.session.commit()
    return {
        "stations": stations,
        "towns": towns,
        "county": county,
        "rows": rows,
        "receptions": receptions,
        "duties": duties,
    }


def expected(g, station_ids, start, end):
    """The figures counted row by row, independently of the SQL."""
    inside = [
        r
        for r in g["rows"]
        if r["station_id"] in station_ids
        and (start is None or r["received_on"] >= start)
        and (end is None or r["received_on"] <= end)
    ]
    held = {
        r["id"]
        for r in g["receptions"]
        if r["station_id"] in station_ids
        and r["published_at"] is not None
        and r["date"] <= ON
        and (start is None or r["date"] >= start)
        and (end is None or r["date"] <= end)
    }
    replied = [(r["replied_on"] - r["received_on"]).days for r in inside if r["replied_on"]]
    closed = sum(r["status"] == Step.ARCHIVED for r in inside)
    feedback = Counter(r["feedback"] for r in inside if r["feedback"])
    return {
        "reception_sessions": len(held),
        "deputy_attendances": sum(d["reception_id"] in held for d in g["duties"]),
        "opinions_collected": len(inside),
        "handed_on": sum(r["route"] in HANDED for r in inside),
        "closed": closed,
        "closure_rate": f"{closed / len(inside) * 100 + 1e-9:.1f}" if inside else None,
        "overdue": sum(
            r["status"] in (Step.HANDLING, Step.SUPERVISED)
            and r["due_on"] is not None
            and r["due_on"] < ON
            for r in inside
        ),
        "average_days_to_reply": f"{sum(replied) / len(replied):.1f}" if replied else None,
        "feedback": {k: feedback.get(k, 0) for k in ("satisfied", "basically", "unsatisfied")},
        "by_category": Counter(r["category"] for r in inside),
    }


def check(got, want):
    for key in (
        "reception_sessions",
        "deputy_attendances",
        "opinions_collected",
        "handed_on",
        "closed",
        "overdue",
        "average_days_to_reply",
        "feedback",
    ):
        assert got[key] == want[key], key
    assert got["closure_rate"] == want["closure_rate"]
    assert {k: v["collected"] for k, v in got["by_category"].items() if v["collected"]} == dict(
        want["by_category"]
    )
    assert sum(got["by_status"].values()) == want["opinions_collected"]


@pytest.mark.parametrize("period", [(None, None), (date(2026, 3, 1), date(2026, 8, 31))])
def test_station_figures(generated, period):
    start, end = period
    for st in generated["stations"][:3]:
        got = figures.stats(station_ids=[st.id], start=start, end=end, on=ON)
        check(got, expected(generated, {st.id}, start, end))


@pytest.mark.parametrize("period", [(None, None), (date(2026, 1, 1), date(2026, 6, 30))])
def test_jurisdiction_figures_roll_up_the_sub_jurisdictions(generated, period):
    start, end = period
    county = generated["county"]
    ids = congress.subtree_ids(county.id)
    got = figures.stats(jurisdiction_ids=ids, start=start, end=end, on=ON)
    in_county = {s.id for s in generated["stations"][:45]}
    want = expected(generated, in_county, start, end)
    check(got, want)
    if start is None:
        assert 8_000 < got["opinions_collected"] < 10_000  # the other county is left out
    town = generated["towns"][0]
    got = figures.stats(jurisdiction_ids=congress.subtree_ids(town.id), on=ON, start=start, end=end)
    in_town = {s.id for s in generated["stations"] if s.jurisdiction_id == town.id}
    check(got, expected(generated, in_town, start, end))


def test_an_empty_period_has_no_rates(generated):
    got = figures.stats(station_ids=[generated["stations"][0].id], start=date(2030, 1, 1), on=ON)
    assert got["opinions_collected"] == 0
    assert got["closure_rate"] is None and got["average_days_to_reply"] is None


def test_the_api_answers_the_same_and_refuses_bad_periods(generated, client, app):
    app.config["VOTESYS_TODAY"] = ON.isoformat()
    st = generated["stations"][1]
    body = client.get(f"/api/v1/stations/{st.id}/stats?from=2026-03-01&to=2026-08-31").get_json()
    check(body, expected(generated, {st.id}, date(2026, 3, 1), date(2026, 8, 31)))
    for query in (
        "from=2026-13-01",
        "from=yesterday",
        "from=2026-09-01&to=2026-08-01",
        "from=",
        "to=",
    ):
        response = client.get(f"/api/v1/stations/{st.id}/stats?{query}")
        assert response.status_code == 422, query
    assert client.get("/api/v1/stations/999999/stats").status_code == 404
