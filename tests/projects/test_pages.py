"""The register's pages: the organiser's register and dashboard, the unit's desk and reports."""

from __future__ import annotations

from votesys.extensions import db
from votesys.projects.models import ChangeRequest, Report


def login(client, user, secret):
    return client.post("/login", data={"login": user, "password": secret})


def test_unit_desk_and_report_form(tree, client):
    r = login(client, "renshe", "unit-pass-1")
    assert r.headers["Location"].endswith("/desk/projects/unit")
    desk = client.get("/desk/projects/unit").get_data(as_text=True)
    assert "项目district" in desk and "项目town" not in desk
    pid = tree["district"]
    page = client.get(f"/desk/projects/{pid}")
    assert page.status_code == 200 and "进度报告" in page.get_data(as_text=True)
    target = db.session.get(Report.__mapper__.class_, 1)  # nothing yet
    assert target is None
    from votesys.projects.models import Project

    tid = db.session.get(Project, pid).targets[0].id
    form = {
        "reported_on": "2026-05-01",
        "status": "in_progress",
        "progress": "45",
        "narrative": "开班12期",
        f"value_{tid}": "2921",
        "spent_county": "88.80",
    }
    saved = client.post(f"/desk/projects/{pid}/reports", data=form)
    assert saved.status_code == 302
    page = client.get(f"/desk/projects/{pid}").get_data(as_text=True)
    assert "开班12期" in page and "146" in page and "88.80" in page
    bad = client.post(f"/desk/projects/{pid}/reports", data=form | {"spent_county": "-1"})
    assert bad.status_code == 302
    assert "不能为负数" in client.get(f"/desk/projects/{pid}").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 1
    # Another unit's project: refused.
    assert client.get(f"/desk/projects/{tree['other']}").status_code == 403
    assert client.post(f"/desk/projects/{tree['other']}/reports", data=form).status_code == 403
    assert client.get("/desk/projects/").status_code == 403
    # A change request, then the organiser decides it on the page.
    client.post(f"/desk/projects/{pid}/changes", data={"kind": "terminate", "reason": "政策调整"})
    change = db.session.scalar(db.select(ChangeRequest))
    assert change.state == "pending"
    client.post("/logout")
    login(client, "organiser", "organiser-pass")
    register = client.get("/desk/projects/").get_data(as_text=True)
    assert "民生实事项目台账" in register and "项目district" in register
    assert "区人大常委会" not in register
    client.post(
        f"/desk/projects/changes/{change.id}",
        data={"decision": "approve", "decision_ref": "区人大常委会〔2026〕5号"},
    )
    db.session.refresh(change)
    assert change.state == "approved"
    page = client.get(f"/desk/projects/{pid}").get_data(as_text=True)
    assert "区人大常委会〔2026〕5号" in page and "终止" in page
    csv_text = client.get("/desk/projects/register.csv").get_data(as_text=True)
    assert "项目district" in csv_text
