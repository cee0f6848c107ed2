"""Spending is cumulative: a report states each source's total spent so far. What a report
leaves out stays as it was — in the API and on the unit's page — and a total goes down only
by a correction that says why, which the project's history shows."""

from __future__ import annotations

import pytest

from votesys.extensions import db
from votesys.projects.models import Project, Report

TODAY = "2026-06-30"


@pytest.fixture
def app(app):
    app.config["VOTESYS_TODAY"] = TODAY
    return app


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(Report.id)))


def _ref(pid: int) -> str:
    return db.session.get(Project, pid).ref


def report(api, pid, **body):
    return api.post(f"/api/v1/projects/{pid}/reports", body, as_="renshe")


@pytest.fixture
def reported(tree, api):
    """区人社局's project: 200.00 county + 50.00 social planned; 120.50 and 30.00 spent."""
    api.login("renshe", "unit-pass-1")
    pid = tree["district"]
    first = report(
        api,
        pid,
        reported_on="2026-05-01",
        status="in_progress",
        progress=40,
        spent={"county": "120.50", "social": "30.00"},
    )
    assert first.status_code == 201, first.get_json()
    return pid


def test_a_source_left_out_keeps_its_total(reported, api, client):
    r = report(api, reported, reported_on="2026-06-01", spent={"county": "150.00"})
    assert r.status_code == 201, r.get_json()
    detail = client.get(f"/api/v1/projects/{reported}").get_json()
    assert detail["spent_wan"] == {"county": "150.00", "social": "30.00"}
    # status and progress left out are the last report's, not "not started" and 0
    assert (detail["status"], detail["progress"]) == ("in_progress", 40)
    public = client.get(f"/api/v1/public/projects/{_ref(reported)}").get_json()
    assert public["spent_wan"] == "180.00"


def test_a_total_goes_down_only_by_a_correction_the_history_shows(reported, api, client):
    lower = report(api, reported, reported_on="2026-06-01", spent={"county": "100.00"})
    assert lower.status_code == 422 and lower.get_json()["field"] == "spent.county"
    assert "120.50" in lower.get_json()["message"]
    assert _count() == 1
    fixed = report(
        api,
        reported,
        reported_on="2026-06-01",
        spent={"county": "100.00"},
        correction="5月报表多计了一笔20.50万元的设备款，已退回",
    )
    assert fixed.status_code == 201, fixed.get_json()
    detail = client.get(f"/api/v1/projects/{reported}").get_json()
    assert detail["spent_wan"]["county"] == "100.00"
    assert detail["reports"][0]["correction"].startswith("5月报表多计")
    public = client.get(f"/api/v1/public/projects/{_ref(reported)}").get_json()
    assert public["reports"][0]["correction"].startswith("5月报表多计")
    page = client.get(f"/projects/{_ref(reported)}").get_data(as_text=True)
    assert "5月报表多计" in page


def test_a_backdated_report_fits_between_its_neighbours(reported, api, client):
    later = report(api, reported, reported_on="2026-06-01", spent={"county": "150.00"})
    assert later.status_code == 201
    between = report(api, reported, reported_on="2026-05-15", spent={"county": "160.00"})
    assert between.status_code == 422 and between.get_json()["field"] == "spent.county"
    ok = report(api, reported, reported_on="2026-05-15", spent={"county": "130.00"})
    assert ok.status_code == 201
    detail = client.get(f"/api/v1/projects/{reported}").get_json()
    assert detail["spent_wan"] == {"county": "150.00", "social": "30.00"}


def test_the_first_report_still_names_its_status(tree, api):
    api.login("renshe", "unit-pass-1")
    r = report(api, tree["district"], progress=10)
    assert r.status_code == 422 and r.get_json()["field"] == "status"


def test_the_units_page_starts_from_the_last_report(reported, client):
    client.post("/login", data={"login": "renshe", "password": "unit-pass-1"})
    page = client.get(f"/desk/projects/{reported}").get_data(as_text=True)
    assert 'name="spent_county" inputmode="decimal" value="120.50"' in page
    assert 'name="spent_social" inputmode="decimal" value="30.00"' in page
    assert '<option selected value="in_progress">' in page
    # Only the county field changed; the social one left blank: nothing is erased.
    r = client.post(
        f"/desk/projects/{reported}/reports",
        data={
            "reported_on": "2026-06-20",
            "status": "in_progress",
            "progress": "55",
            "spent_county": "140.00",
            "spent_social": "",
        },
    )
    assert r.status_code == 302
    detail = client.get(f"/api/v1/projects/{reported}").get_json()
    assert detail["spent_wan"] == {"county": "140.00", "social": "30.00"}
