"""The register's list answers in as many SQL statements for 3 projects as for 30: what a
row shows (place, unit, milestones, funding) is loaded with the list, not per project."""

from __future__ import annotations

from sqlalchemy import event

from votesys import scenario
from votesys.extensions import db


def project(key: str, jurisdiction: str, unit: str) -> dict:
    return {
        "key": key,
        "title": f"项目{key}",
        "jurisdiction": jurisdiction,
        "year": 2026,
        "completion": "this_year",
        "responsible_unit": unit,
        "funding": {"county": "100.00", "social": "20.50"},
        "targets": [{"name": "受益人数", "unit": "人", "target": "100", "actual": "10"}],
        "progress": 10,
        "status": "in_progress",
    }


def load(root: str, n: int) -> None:
    counties = [f"{root}A", f"{root}B"]
    scenario.load(
        {
            "jurisdictions": [{"code": root, "name": f"{root}市", "level": "city"}]
            + [{"code": c, "name": f"{c}县", "level": "county", "parent": root} for c in counties],
            "projects": [
                project(f"{root}{i}", counties[i % 2], f"{root}单位{i % 7}") for i in range(n)
            ],
        }
    )
    db.session.commit()


def statements(client, url: str) -> tuple[int, dict]:
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert answer.status_code == 200
    return len(seen), answer.get_json()


def test_the_project_list_costs_the_same_statements_at_3_and_30_projects(app, client):
    load("S", 3)
    load("L", 30)
    small, small_body = statements(client, "/api/v1/projects?jurisdiction=S&year=2026")
    large, large_body = statements(client, "/api/v1/projects?jurisdiction=L&year=2026")
    assert len(small_body["projects"]) == 3 and len(large_body["projects"]) == 30
    assert small == large
    row = large_body["projects"][0]
    assert row["jurisdiction"] == "LA" and row["responsible_unit"] == "L单位0"
    assert row["investment_wan"] == "120.50" and row["overdue"] is False
