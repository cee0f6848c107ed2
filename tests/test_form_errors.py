"""Every public and desk form says what is wrong in plain words: every field's error at once,
each next to its field (or, where the page redirects back, one flash each), naming the field
by its label — never by its internal name ("category：…") nor with the internal values of a
choice ("education, health, …"). Issue: the public opinion form spoke developer.

The tests read the pages in Chinese (the default) and look for the labels the catalog gives
(类别, 标题, …); the words around them may still be English until the catalog has them."""

from __future__ import annotations

import html
import re

import pytest

from tests.access_world import build
from tests.test_access_matrix import Caller
from votesys.extensions import db
from votesys.stations.models import Opinion

#: The names of fields the services give, as they must never be shown (with a colon after).
INTERNAL = (
    "station",
    "category",
    "title",
    "content",
    "place",
    "citizen_name",
    "citizen_phone",
    "received_on",
    "deputies",
    "deputy",
    "name",
    "kind",
    "jurisdiction",
    "reception_days",
    "date",
    "to",
    "route",
    "unit",
    "signers",
    "reason",
    "note",
    "feedback",
    "opinions",
    "session",
    "reported_on",
    "status",
    "progress",
    "narrative",
    "correction",
    "spent",
    "scope",
    "decision_ref",
    "text",
    "seats",
    "max_for",
    "issued",
)
#: Internal values of choices, never shown to say what to choose.
VALUES = ("education", "elderly_care", "township_ordinary", "county_or_above", "satisfied")


def errors(page: str) -> list[str]:
    """The error messages a page shows: flashes, the summary above a form, and each field's."""
    found = re.findall(
        r'<(?:p|span) class="(?:flash error|field-error)"[^>]*>(.*?)</(?:p|span)>', page, re.S
    )
    summary = re.findall(r'<div class="flash error error-summary".*?</div>', page, re.S)
    found += re.findall(r"<li>(.*?)</li>", "".join(summary), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in found]


def assert_plain(messages: list[str], *labels: str) -> None:
    """Each label is named by a message; no message names a field by its internal name or
    lists internal values."""
    text = "\n".join(messages)
    for label in labels:
        assert label in text, (label, messages)
    for name in INTERNAL:
        assert not re.search(rf"(?<![\w.]){name}(\.\w+)?\s*[:：]", text), (name, messages)
    for value in VALUES:
        assert value not in text, (value, messages)


@pytest.fixture
def world(app, fresh_user_per_request):
    app.config["OPINION_RATE_LIMIT"] = "1000 per hour"
    return build()


def as_(app, world, role: str):
    return Caller(app, world, role).client


def label_of_field(page: str, field_id: str) -> str:
    """The label a page gives a field, without a trailing remark in brackets."""
    text = re.search(rf'<label for="{field_id}">(.*?)</label>', page, re.S).group(1)
    return re.sub(r"\s*[(（][^()（）]*[)）]$", "", html.unescape(text).strip())


def flashed(client, response) -> list[str]:
    """The messages of a form that redirected back: the page it went back to shows them."""
    assert response.status_code == 302, response.status_code
    return errors(client.get(response.headers["Location"]).get_data(as_text=True))


# The public site


def test_the_public_opinion_form_shows_every_error_at_once_by_label(app, world):
    client = app.test_client()
    before = db.session.query(Opinion).count()
    r = client.post(
        "/opinions/new",
        data={
            "station": "",
            "category": "",
            "title": " ",
            "content": "很" * 5001,
            "citizen_phone": "123",
        },
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    shown = errors(page)
    assert_plain(shown, "提交至联络站", "类别", "标题", "内容", "您的电话")
    assert "（选填）" not in "".join(shown)  # the label's remark is not part of its name
    assert db.session.query(Opinion).count() == before
    # each error beside its field: the field is marked invalid and described by its error
    for field in ("station", "category", "title", "content", "citizen_phone"):
        tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in tag, tag
        described = re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()
        assert f"{field}-error1" in described, tag
        assert f'id="{field}-error1"' in page
    assert 'id="place-error1"' not in page  # a good field has no error
    # the long text area counts its characters (static/common.js), described by the counter
    assert re.search(r'<textarea[^>]*data-max-chars="5000"', page)
    assert 'id="content-count"' in page


def test_the_public_form_in_english_says_it_plainly(app, world):
    client = app.test_client()
    r = client.post("/opinions/new?lang=en", data={"title": "", "content": "x" * 5003})
    shown = errors(r.get_data(as_text=True))
    assert "Please choose “Category”." in shown
    assert "Please fill in “Subject”." in shown
    assert "“Content” is too long: at most 5000 characters (now 5003)." in shown


def test_a_refusal_of_the_service_is_put_next_to_the_field_it_names(app, world, monkeypatch):
    from votesys.errors import invalid
    from votesys.stations import intake

    station = str(world.ids["station_id"])
    good = {"station": station, "category": "roads", "title": "路灯", "content": "坏了"}
    refusals = [
        invalid("category", "one of: education, health, roads, water, elderly_care"),
        invalid("citizen_phone", "须为手机号码（11 位）或带区号的固定电话"),
    ]

    def refuse(raw, **_more):  # the form's other parts (photos, publication, …)
        raise refusals.pop(0)

    monkeypatch.setattr(intake, "submit_online", refuse)
    client = app.test_client()
    page = client.post("/opinions/new", data=good).get_data(as_text=True)
    assert_plain(errors(page), "类别")
    assert re.search(r'<select[^>]*id="category"[^>]*aria-invalid="true"', page) or re.search(
        r'<select[^>]*aria-invalid="true"[^>]*id="category"', page
    )
    page = client.post("/opinions/new", data=good).get_data(as_text=True)
    assert_plain(errors(page), "您的电话：须为手机号码")


def test_feedback_on_the_tracking_page_names_its_field(app, world):
    client = app.test_client()
    code = world.ids["tracking_code"]
    r = client.post(f"/track/{code}/feedback", data={"feedback": "education", "note": "x" * 2001})
    assert_plain(flashed(client, r), "反馈", "补充说明")


# The stations' desk


def test_registering_at_the_desk_shows_every_error_at_once(app, world):
    client = as_(app, world, "staff")
    r = client.post(
        f"/desk/stations/{world.ids['station_id']}/opinions/new",
        data={"received_on": "2099-01-01", "title": "", "content": "", "deputies": ["X9"]},
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert_plain(errors(page), "接收日期", "类别", "标题", "内容", "到场代表")
    assert 'aria-invalid="true"' in page


def test_the_stations_desk_forms_name_their_fields(app, world):
    organiser, staff = as_(app, world, "organiser"), as_(app, world, "staff")
    station, opinion = world.ids["station_id"], world.ids["opinion_id"]
    name = label_of_field(organiser.get("/desk/stations").get_data(as_text=True), "name")
    assert name not in ("姓名", "Name")  # a station's name, not a person's
    r = organiser.post(
        "/desk/stations",
        data={"name": "", "kind": "x", "jurisdiction": "", "reception_days": "每月十号"},
    )
    assert_plain(flashed(organiser, r), name, "类型", "行政区划", "每月固定接待日")
    r = staff.post(f"/desk/stations/{station}/receptions", data={"topic": "话" * 201})
    assert_plain(flashed(staff, r), "日期", "主题", "值班代表")
    r = staff.post(f"/desk/stations/{station}/deputies", data={"code": "NOBODY"})
    assert_plain(flashed(staff, r), "代表编号")
    # handed on without saying whose power it falls under: the service's refusal
    r = staff.post(f"/desk/opinions/{opinion}/move", data={"to": "handling"})
    shown = flashed(staff, r)
    assert_plain(shown, "事权归属")
    r = staff.post(
        f"/desk/opinions/{opinion}/move",
        data={"to": "handling", "route": "township_ordinary", "unit": ""},
    )
    shown = flashed(staff, r)
    assert_plain(shown, "承办单位")
    assert "必需" not in "".join(shown)  # "please fill in", not the service's "required"
    r = staff.post(f"/desk/opinions/{opinion}/move", data={"to": "nowhere", "note": "注" * 2001})
    assert_plain(flashed(staff, r), "转入环节", "备注")
    r = staff.post("/desk/opinions/merge", data={"into": "reserve", "title": "储备"})
    assert_plain(flashed(staff, r), "意见建议")
    r = organiser.post("/desk/opinions/merge", data={"opinion": [str(opinion)], "title": ""})
    assert_plain(flashed(organiser, r), "会议")


# The register's desk


def test_the_registers_forms_name_their_fields(app, world):
    unit, organiser = as_(app, world, "unit"), as_(app, world, "organiser")
    project = world.ids["project_id"]
    r = unit.post(
        f"/desk/projects/{project}/reports",
        data={"reported_on": "", "status": "done", "progress": "150", "narrative": "进" * 5001},
    )
    assert_plain(flashed(unit, r), "报告日期", "状态", "进度", "进展情况")
    # money spent lower than reported before: the service's refusal, by the source's label
    r = unit.post(
        f"/desk/projects/{project}/reports",
        data={"reported_on": "2026-11-20", "status": "in_progress", "progress": "20"},
    )
    assert r.status_code == 302
    unit.get(r.headers["Location"])
    db.session.expire_all()
    from votesys.projects import queries

    source = queries.sources()[0]
    for amount in ("5.00", "1.00"):
        r = unit.post(
            f"/desk/projects/{project}/reports",
            data={
                "reported_on": "2026-11-20",
                "status": "in_progress",
                "progress": "20",
                f"spent_{source}": amount,
            },
        )
        shown = flashed(unit, r)
    assert_plain(shown, "已支出（万元）")
    r = unit.post(f"/desk/projects/{project}/changes", data={"kind": "x", "reason": ""})
    assert_plain(flashed(unit, r), "变更类型", "理由")
    r = unit.post(
        f"/desk/projects/{project}/milestones/{world.ids['milestone_id']}", data={"done_on": "x"}
    )
    assert_plain(flashed(unit, r), "完成日期")
    r = organiser.post(f"/desk/projects/changes/{world.ids['change_id']}", data={"decision": "y"})
    assert_plain(flashed(organiser, r), "决定文号", "审批结果")
    r = organiser.post(f"/desk/projects/{project}/supervision", data={"held_on": "x"})
    assert_plain(flashed(organiser, r), "日期", "记录内容")


# The organisers' vote desk


def test_the_vote_desk_forms_name_their_fields(app, world):
    organiser = as_(app, world, "organiser")
    session = world.ids["session_id"]
    r = organiser.post(
        f"/desk/sessions/{session}/candidates", data={"title": "", "budget_wan": "很多"}
    )
    assert r.status_code == 422
    assert_plain(errors(r.get_data(as_text=True)), "项目名称", "预算金额")
    r = organiser.post(f"/desk/sessions/{session}/votes/new", data={"title": "", "seats": "x"})
    assert r.status_code == 422
    assert_plain(errors(r.get_data(as_text=True)), "票决名称", "名额", "每张选票最多“赞成”数")
    # more places than candidates: the service's refusal, next to the field
    page = organiser.get(f"/desk/sessions/{session}/votes/new").get_data(as_text=True)
    ids = re.findall(r'name="candidates"[^>]*value="(\d+)"', page) or re.findall(
        r'value="(\d+)"[^>]*name="candidates"', page
    )
    r = organiser.post(
        f"/desk/sessions/{session}/votes/new",
        data={
            "title": "表决",
            "candidates": ids,
            "seats": "9",
            "max_for": "1",
            "style": "per_candidate",
            "base": "all_deputies",
            "mode": "electronic",
        },
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert_plain(errors(page), "名额")
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="seats"', page) or re.search(
        r'<input[^>]*id="seats"[^>]*aria-invalid="true"', page
    )
    r = organiser.post(f"/desk/votes/{world.ids['vote_id']}/paper", data={"issued": "很多"})
    assert_plain(flashed(organiser, r), "发出表决票数", "收回表决票数")


def test_a_field_named_nowhere_keeps_the_services_message():
    from votesys.errors import DomainError, invalid
    from votesys.form_errors import describe

    assert describe(DomainError("forbidden")) == DomainError("forbidden").message
    assert describe(invalid("somewhere", "x")) == invalid("somewhere", "x").message
    named = describe(invalid("spent.county", "x"), names={"spent": "已支出"})
    assert named.startswith("已支出") and named.endswith("x") and "county" not in named
