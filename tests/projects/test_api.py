"""The register through the API: figures, the seeds' table, permissions, reports, changes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from votesys.congress import services as congress
from votesys.extensions import db
from votesys.projects.models import ChangeRequest, Photo, Project, Report


def test_seed_table_reproduced(seed, client):
    """73 projects in 17 pilot units, 67/5/1, 31,177.83 万元, 28.7 / 34.6 / 14.5 / 22.2 %."""
    assert len(seed["projects"]) == 73
    body = client.get("/api/v1/jurisdictions/430200/summary?year=2026").get_json()
    assert body["projects"] == 73
    assert body["by_completion"] == {"this_year": 67, "two_years": 5, "long_term": 1}
    assert body["investment_wan"] == "31177.83"
    assert body["shares"] == {
        "provincial": "28.7",
        "city": "0.0",
        "county": "34.6",
        "township": "14.5",
        "social": "22.2",
    }
    assert body["investment_by_source_wan"]["county"] == "10787.53"
    units = {
        p["jurisdiction"] for p in client.get("/api/v1/projects?year=2026").get_json()["projects"]
    }
    assert len(units) == 17


def test_seed_project_targets_show_percent(seed, client):
    project = client.get(f"/api/v1/projects/{seed['projects']['p01']}").get_json()
    assert project["title"] == "“一户一产业工人”培训"
    trained, placed = project["targets"]
    assert (trained["target"], trained["actual"], trained["percent"]) == ("2000.00", "2921.00", 146)
    assert placed["percent"] == 120


def test_roll_up_through_three_levels(tree, client):
    def figures(code):
        return client.get(f"/api/v1/jurisdictions/{code}/summary?year=2026").get_json()

    city, district, town = figures("C"), figures("D"), figures("T")
    assert (city["projects"], district["projects"], town["projects"]) == (4, 2, 1)
    assert city["investment_wan"] == "380.10"
    assert district["investment_wan"] == "280.00"
    assert town["investment_wan"] == "30.00"
    assert city["by_completion"] == {"this_year": 2, "two_years": 1, "long_term": 1}
    assert district["shares"] == {
        "provincial": "0.0",
        "city": "0.0",
        "county": "71.4",
        "township": "10.7",
        "social": "17.9",
    }
    assert figures("X")["projects"] == 1
    assert figures("X")["shares"]["county"] == "100.0"
    codes = {
        p["jurisdiction"]
        for p in client.get("/api/v1/projects?jurisdiction=D").get_json()["projects"]
    }
    assert codes == {"D", "T"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/jurisdictions/C/summary",
        "/api/v1/jurisdictions/C/summary?year=abc",
        "/api/v1/jurisdictions/C/summary?year=99999",
        "/api/v1/projects?status=lost",
        "/api/v1/projects?year=x",
    ],
)
def test_bad_filters_are_4xx(tree, client, url):
    response = client.get(url)
    assert response.status_code == 422
    assert response.get_json()["message"]


@pytest.mark.parametrize(
    "query",
    [
        "projects?status=",
        "projects?year=",
        "projects?jurisdiction=",
        "projects?year=2026&status= ",
        "projects/export.csv?year=",
        "projects/export.xlsx?jurisdiction=",
    ],
)
def test_an_empty_filter_is_refused_by_name(tree, client, query):
    """The API wants a value or no parameter (the pages' forms are the lenient ones)."""
    response = client.get(f"/api/v1/{query}")
    assert response.status_code == 422
    assert response.get_json()["field"] == query.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]


def test_unknown_things_are_404(tree, client):
    for url in (
        "/api/v1/jurisdictions/NOPE/summary?year=2026",
        "/api/v1/projects/999999",
        "/api/v1/projects?jurisdiction=NOPE",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"] == "not_found", url


def _report(**extra):
    return {
        "reported_on": "2026-05-01",
        "status": "in_progress",
        "progress": 40,
        "values": {"培训": "2921"},
        "spent": {"county": "120.50"},
        "narrative": "已完成培训2921人。",
    } | extra


def test_unit_reports_on_its_own_project(tree, api, client):
    api.login("renshe", "unit-pass-1")
    pid = tree["district"]
    response = api.post(f"/api/v1/projects/{pid}/reports", _report(), as_="renshe")
    assert response.status_code == 201, response.get_json()
    detail = client.get(f"/api/v1/projects/{pid}").get_json()
    assert detail["status"] == "in_progress" and detail["progress"] == 40
    assert detail["targets"][0]["actual"] == "2921.00"
    assert detail["targets"][0]["percent"] == 146
    assert detail["spent_wan"] == {"county": "120.50"}
    assert "author" not in detail["reports"][0]  # public: no personal data
    assert "lead_official" not in detail
    # History is kept; a later report is the state, an earlier-dated one is not.
    api.post(
        f"/api/v1/projects/{pid}/reports",
        _report(reported_on="2026-07-01", progress=70),
        as_="renshe",
    )
    api.post(
        f"/api/v1/projects/{pid}/reports",
        _report(reported_on="2026-03-01", progress=10),
        as_="renshe",
    )
    detail = client.get(f"/api/v1/projects/{pid}").get_json()
    assert detail["progress"] == 70
    assert [r["progress"] for r in detail["reports"]] == [70, 40, 10]
    figures = client.get("/api/v1/jurisdictions/D/summary?year=2026").get_json()
    assert figures["spent_wan"] == "120.50"
    assert figures["status_counts"]["in_progress"] == 1


def test_unit_may_not_report_on_another_units_project(tree, api):
    api.login("renshe", "unit-pass-1")
    for key in ("other", "town", "city"):
        response = api.post(
            f"/api/v1/projects/{tree[key]}/reports", _report(values={}), as_="renshe"
        )
        assert response.status_code == 403
        assert response.get_json()["error"] == "not_your_unit"
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


def test_unit_may_not_plan_or_decide(tree, api, client):
    api.login("renshe", "unit-pass-1")
    pid = tree["district"]
    before = client.get(f"/api/v1/projects/{pid}").get_json()
    plan = api.post(f"/api/v1/projects/{pid}/plan", {"lead_official": "x"}, as_="renshe")
    assert (plan.status_code, plan.get_json()["error"]) == (403, "forbidden")
    decide = api.post("/api/v1/changes/1/decision", {"approve": True}, as_="renshe")
    assert (decide.status_code, decide.get_json()["error"]) == (403, "forbidden")
    anonymous = api.post(f"/api/v1/projects/{pid}/reports", _report())
    assert (anonymous.status_code, anonymous.get_json()["error"]) == (401, "unauthorized")
    assert client.get(f"/api/v1/projects/{pid}").get_json() == before  # nothing changed
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"progress": 130}, "progress"),
        ({"progress": -1}, "progress"),
        ({"progress": "half"}, "progress"),
        ({"status": "lost"}, "status"),
        ({"spent": {"county": "-5"}}, "spent.county"),
        ({"spent": {"county": "abc"}}, "spent.county"),
        ({"spent": {"county": 1.5}}, "spent.county"),
        ({"spent": {"county": "1.234"}}, "spent.county"),
        ({"values": {"培训": "-1"}}, "values.培训"),
        ({"values": {"nope": "1"}}, "values.nope"),
        ({"reported_on": "2026-13-01"}, "reported_on"),
        ({"status": "completed", "progress": 90}, "progress"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_report_refused_nothing_stored(tree, api, change, field):
    api.login("renshe", "unit-pass-1")
    response = api.post(
        f"/api/v1/projects/{tree['district']}/reports", _report(**change), as_="renshe"
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == field
    assert response.get_json()["message"]
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


def test_unknown_source_refused(tree, api):
    api.login("renshe", "unit-pass-1")
    response = api.post(
        f"/api/v1/projects/{tree['district']}/reports",
        _report(spent={"central": "1"}),
        as_="renshe",
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == "unknown_source"


def _image(fmt: str, size=(64, 48), exif: bool = False) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {2: (28.0, 1.0, 0.0)}  # GPS
        kwargs["exif"] = data.tobytes()
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def _multipart(api, pid, files):
    import json

    return api.client.post(
        f"/api/v1/projects/{pid}/reports",
        data={"report": json.dumps(_report()), "photos": files},
        headers={"Authorization": f"Bearer {api.tokens['renshe']}"},
        content_type="multipart/form-data",
    )


def test_photos_are_reencoded_without_exif(tree, api, client):
    api.login("renshe", "unit-pass-1")
    pid = tree["district"]
    original = _image("JPEG", exif=True)
    assert b"SecretCam" in original
    response = _multipart(
        api, pid, [(io.BytesIO(original), "a.jpg"), (io.BytesIO(_image("PNG")), "b.png")]
    )
    assert response.status_code == 201, response.get_json()
    urls = client.get(f"/api/v1/projects/{pid}").get_json()["reports"][0]["photos"]
    assert len(urls) == 2
    served = client.get(urls[0])
    assert served.mimetype == "image/jpeg"
    assert b"SecretCam" not in served.data
    assert not Image.open(io.BytesIO(served.data)).getexif()
    assert client.get(urls[1]).mimetype == "image/png"


@pytest.mark.parametrize(
    "content",
    [b"not an image at all", b"GIF89a" + b"\0" * 40],
)
def test_not_an_image_refused(tree, api, content):
    api.login("renshe", "unit-pass-1")
    response = _multipart(api, tree["district"], [(io.BytesIO(content), "x.jpg")])
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Photo.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


def test_a_photos_part_that_is_not_a_file_refused(tree, api):
    api.login("renshe", "unit-pass-1")
    response = _multipart(api, tree["district"], "a.jpg")  # a text part, not a file
    assert response.status_code == 422 and response.get_json()["field"] == "photos"
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


def test_gif_refused(tree, api):
    api.login("renshe", "unit-pass-1")
    response = _multipart(api, tree["district"], [(io.BytesIO(_image("GIF")), "x.gif")])
    assert response.status_code == 422 and response.get_json()["field"].startswith("photos")
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


def test_photo_over_the_limit_refused(tree, api, app):
    app.config["PHOTO_MAX_BYTES"] = 1000
    api.login("renshe", "unit-pass-1")
    big = _image("PNG", size=(300, 300))
    response = _multipart(api, tree["district"], [(io.BytesIO(big + b"\0" * 2000), "x.png")])
    assert response.status_code == 422
    assert response.get_json()["error"] == "photo_too_large"
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


def test_plan_milestones_overdue_and_dashboard(tree, api, client):
    api.login("organiser", "organiser-pass")
    api.login("renshe", "unit-pass-1")
    pid = tree["district"]
    plan = {
        "lead_official": "李副区长",
        "completion": "two_years",
        "planned_start": "2026-02-01",
        "planned_finish": "2027-12-31",
        "milestones": [
            {"name": "完成招标", "planned_date": "2026-03-31"},
            {"name": "开班", "planned_date": "2099-05-01"},
        ],
        "stages": [
            {"year": 2026, "description": "培训1200人"},
            {"year": 2027, "description": "培训800人"},
        ],
        "funding": {"county": "220.00", "social": "50.00"},
    }
    response = api.post(f"/api/v1/projects/{pid}/plan", plan, as_="organiser")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["lead_official"] == "李副区长"
    assert body["funding_wan"] == {"county": "220.00", "social": "50.00"}
    assert body["overdue"] is True  # 完成招标 passed and not done
    dash = api.get("/api/v1/projects/dashboard", as_="organiser").get_json()["projects"]
    assert [p["id"] for p in dash] == [pid]
    first = body["milestones"][0]
    response = api.post(
        f"/api/v1/projects/{pid}/milestones/{first['id']}/done",
        {"done_on": "2026-03-30"},
        as_="renshe",
    )
    assert response.status_code == 200
    assert client.get(f"/api/v1/projects/{pid}").get_json()["overdue"] is False
    assert api.get("/api/v1/projects/dashboard", as_="organiser").get_json()["projects"] == []
    # A delayed report puts it back on the dashboard.
    api.post(f"/api/v1/projects/{pid}/reports", _report(status="delayed"), as_="renshe")
    assert len(api.get("/api/v1/projects/dashboard", as_="organiser").get_json()["projects"]) == 1


def test_bad_plan_refused(tree, api):
    api.login("organiser", "organiser-pass")
    pid = tree["district"]
    for body, field in [
        ({"funding": {"county": "-1"}}, "funding.county"),
        ({"completion": "soon"}, "completion"),
        ({"planned_start": "2026-05-01", "planned_finish": "2026-04-01"}, "planned_finish"),
        ({"stages": [{"year": 2026, "description": "x"}]}, "stages"),
        ({"targets": [{"name": "培训", "unit": "人", "target": "0"}]}, "targets[0].target"),
        ({"supervisors": ["NOBODY"]}, "supervisors[0]"),
    ]:
        response = api.post(f"/api/v1/projects/{pid}/plan", body, as_="organiser")
        assert response.status_code == 422, body
        assert response.get_json()["field"] == field
    assert db.session.get(Project, pid).completion == "this_year"


def test_change_requests_only_approved_ones_alter_the_plan(tree, api, client):
    api.login("organiser", "organiser-pass")
    api.login("renshe", "unit-pass-1")
    pid = tree["district"]
    api.post(f"/api/v1/projects/{pid}/plan", {"planned_finish": "2026-12-31"}, as_="organiser")
    url = f"/api/v1/projects/{pid}/changes"
    bad = api.post(url, {"kind": "postpone", "reason": "雨季"}, as_="renshe")
    assert bad.status_code == 422 and bad.get_json()["field"] == "new_finish"
    first = api.post(
        url, {"kind": "postpone", "reason": "雨季", "new_finish": "2027-06-30"}, as_="renshe"
    )
    assert first.status_code == 201
    second = api.post(
        url, {"kind": "adjust", "reason": "追加投入", "funding": {"county": "300.00"}}, as_="renshe"
    )
    # Nothing changes until decided.
    detail = client.get(f"/api/v1/projects/{pid}").get_json()
    assert detail["planned_finish"] == "2026-12-31"
    assert detail["funding_wan"] == {"county": "200.00", "social": "50.00"}
    decide = "/api/v1/changes/{}/decision"
    no_ref = api.post(
        decide.format(first.get_json()["change"]), {"approve": False}, as_="organiser"
    )
    assert no_ref.status_code == 422 and no_ref.get_json()["field"] == "decision_ref"
    rejected = api.post(
        decide.format(first.get_json()["change"]),
        {"approve": False, "decision_ref": "区人大常委会〔2026〕12号"},
        as_="organiser",
    )
    assert rejected.get_json()["state"] == "rejected"
    approved = api.post(
        decide.format(second.get_json()["change"]),
        {"approve": True, "decision_ref": "区人大常委会〔2026〕13号"},
        as_="organiser",
    )
    assert approved.status_code == 200
    again = api.post(
        decide.format(second.get_json()["change"]),
        {"approve": False, "decision_ref": "x"},
        as_="organiser",
    )
    assert again.status_code == 409
    detail = client.get(f"/api/v1/projects/{pid}").get_json()
    assert detail["planned_finish"] == "2026-12-31"  # the rejected postponement changed nothing
    assert detail["funding_wan"] == {"county": "300.00"}
    assert [(c["kind"], c["state"], c["decision_ref"]) for c in detail["changes"]] == [
        ("postpone", "rejected", "区人大常委会〔2026〕12号"),
        ("adjust", "approved", "区人大常委会〔2026〕13号"),
    ]
    term = api.post(url, {"kind": "terminate", "reason": "政策调整"}, as_="renshe").get_json()
    api.post(
        decide.format(term["change"]), {"approve": True, "decision_ref": "13号"}, as_="organiser"
    )
    assert client.get(f"/api/v1/projects/{pid}").get_json()["status"] == "terminated"
    late = api.post(f"/api/v1/projects/{pid}/reports", _report(), as_="renshe")
    assert late.status_code == 409


def test_change_decision_out_of_scope(tree, api, app):
    from votesys.auth.services import create_user
    from votesys.congress.models import Jurisdiction

    x = db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == "X"))
    create_user("xorg", "organiser-pass", "organiser", jurisdiction_id=x.id)
    db.session.commit()
    api.login("renshe", "unit-pass-1")
    api.login("xorg", "organiser-pass")
    change = api.post(
        f"/api/v1/projects/{tree['district']}/changes",
        {"kind": "terminate", "reason": "r"},
        as_="renshe",
    ).get_json()["change"]
    response = api.post(
        f"/api/v1/changes/{change}/decision", {"approve": True, "decision_ref": "x"}, as_="xorg"
    )
    assert response.status_code == 403
    assert db.session.get(ChangeRequest, change).state == "pending"


def test_supervision_records(tree, api, client):
    api.login("organiser", "organiser-pass")
    pid = tree["district"]
    response = api.post(
        f"/api/v1/projects/{pid}/supervision",
        {"kind": "hearing", "held_on": "2026-06-20", "text": "听取区人社局进展汇报"},
        as_="organiser",
    )
    assert response.status_code == 201
    bad = api.post(
        f"/api/v1/projects/{pid}/supervision", {"kind": "party", "text": "x"}, as_="organiser"
    )
    assert bad.status_code == 422 and bad.get_json()["field"] == "kind"
    detail = client.get(f"/api/v1/projects/{pid}").get_json()
    assert detail["supervision"] == [
        {"kind": "hearing", "held_on": "2026-06-20", "text": "听取区人社局进展汇报"}
    ]


@pytest.mark.parametrize("deputy", [0, 12, ["D0001"], "\x1b[31m"])
def test_a_supervising_deputy_is_named_by_a_code(tree, api, deputy):
    api.login("organiser", "organiser-pass")
    response = api.post(
        f"/api/v1/projects/{tree['district']}/supervision",
        {"kind": "inspection", "text": "现场查看", "deputy": deputy},
        as_="organiser",
    )
    assert response.status_code == 422 and response.get_json()["field"] == "deputy"


def test_export_neutralises_formulas(tree, api, client):
    api.login("organiser", "organiser-pass")
    project = db.session.get(Project, tree["district"])
    project.title = '=HYPERLINK("x")'
    db.session.commit()
    csv_text = client.get("/api/v1/projects/export.csv?year=2026").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text
    assert "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text
    from openpyxl import load_workbook

    data = client.get("/api/v1/projects/export.xlsx?jurisdiction=C").data
    sheet = load_workbook(io.BytesIO(data)).active
    titles = [row[3] for row in sheet.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("x")' in titles
    assert len(titles) == 5  # header + 4 projects
    assert client.get("/api/v1/projects/export.pdf").status_code == 422


def test_supervisors_are_deputies_of_the_congress(make_scenario, organiser, api, client):
    """Supervising deputies are assigned by code; personal names only for organisers."""
    ids = make_scenario(deputies=3, candidates=1, seats=1)
    from votesys.projects import register
    from votesys.projects.models import Project as P

    node = congress.jurisdiction_by_code("430212")
    project = register.create_project(node, year=2027, title="项目", unit_name="区民政局")
    db.session.commit()
    api.login("organiser", "organiser-pass")
    codes = sorted(ids["deputies"])[:2]
    response = api.post(
        f"/api/v1/projects/{project.id}/plan", {"supervisors": codes}, as_="organiser"
    )
    assert response.status_code == 200, response.get_json()
    assert [s["code"] for s in response.get_json()["supervisors"]] == codes
    assert "supervisors" not in client.get(f"/api/v1/projects/{project.id}").get_json()
    assert len(db.session.get(P, project.id).supervisors) == 2


@pytest.mark.parametrize("status", ["terminated", "suspended"])
def test_a_report_cannot_terminate_or_suspend_a_project(tree, api, client, status):
    """Only an approved change (终止 / 暂缓) does: a unit's report setting either is refused,
    nothing is stored, and the project takes later reports and changes as before."""
    api.login("renshe", "unit-pass-1")
    pid = tree["district"]
    refused = api.post(f"/api/v1/projects/{pid}/reports", _report(status=status), as_="renshe")
    assert refused.status_code == 422 and refused.get_json()["field"] == "status"
    detail = client.get(f"/api/v1/projects/{pid}").get_json()
    assert detail["status"] == "not_started" and detail["reports"] == []
    later = api.post(f"/api/v1/projects/{pid}/reports", _report(), as_="renshe")
    assert later.status_code == 201
    change = api.post(
        f"/api/v1/projects/{pid}/changes", {"kind": "terminate", "reason": "x"}, as_="renshe"
    )
    assert change.status_code == 201


def test_an_organiser_corrects_a_wrongly_recorded_status(tree, api, client, db):
    """A project a report terminated (as 0.1.0 allowed) is corrected by its organiser, with a
    reason; the audit chain keeps what it was. A unit cannot, nor an organiser without one."""
    from votesys.integrity.models import AuditEntry
    from votesys.projects.models import Project

    api.login("renshe", "unit-pass-1")
    api.login("organiser", "organiser-pass")
    pid = tree["district"]
    db.session.get(Project, pid).status = "terminated"
    db.session.commit()
    url = f"/api/v1/projects/{pid}/status"
    assert (
        api.post(url, {"status": "in_progress", "reason": "误报"}, as_="renshe").status_code == 403
    )
    no_reason = api.post(url, {"status": "in_progress"}, as_="organiser")
    assert no_reason.status_code == 422 and no_reason.get_json()["field"] == "reason"
    assert api.post(f"/api/v1/projects/{pid}/reports", _report(), as_="renshe").status_code == 409
    fixed = api.post(url, {"status": "in_progress", "reason": "单位误报终止"}, as_="organiser")
    assert fixed.status_code == 200 and fixed.get_json()["status"] == "in_progress"
    assert client.get(f"/api/v1/projects/{pid}").get_json()["status"] == "in_progress"
    assert api.post(f"/api/v1/projects/{pid}/reports", _report(), as_="renshe").status_code == 201
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "status_corrected"))
    assert entry.object == f"project:{pid}"
    assert '"was":"terminated"' in entry.details.replace(" ", "")


def test_the_report_form_offers_no_status_only_a_change_may_set(tree, client):
    client.post("/login", data={"login": "renshe", "password": "unit-pass-1"})
    page = client.get(f"/desk/projects/{tree['district']}").get_data(as_text=True)
    assert 'value="in_progress"' in page
    assert 'value="terminated"' not in page and 'value="suspended"' not in page
