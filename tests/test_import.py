"""Rosters and candidate lists from .xlsx and .csv: row-by-row errors, all or nothing."""

from __future__ import annotations

import io

from openpyxl import Workbook

from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.voting.models import Candidate


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, url, name, content):
    return client.post(
        url, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def test_roster_xlsx_all_or_nothing(client, make_scenario, organiser):
    ids = make_scenario(deputies=2)
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    url = "/desk/congresses/1/roster"
    bad = xlsx(
        [
            ["代表编号", "姓名", "初始PIN", "代表团"],
            ["LK001", "王建国", "123456", "渌口镇"],
            ["LK002", "", "123456", "南洲镇"],
            ["LK001", "李秀英", "12", "南洲镇"],
            ["D0001", "张伟", "654321", ""],
        ]
    )
    r = upload(client, url, "名册.xlsx", bad)
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    for expected in [
        "<td>3</td><td>姓名</td>",
        "<td>4</td><td>代表编号</td>",
        "<td>4</td><td>PIN</td>",
        "<td>5</td><td>代表编号</td>",
    ]:
        assert expected in text, expected
    assert db.session.query(Deputy).count() == len(ids["deputies"])
    good = xlsx(
        [
            ["代表编号", "姓名", "初始PIN", "代表团", "状态"],
            ["LK001", "王建国", 123456, "渌口镇", "在任"],
            ["LK002", "李秀英", "654321", "南洲镇", "终止"],
        ]
    )
    r = upload(client, url, "名册.xlsx", good)
    assert r.status_code == 302
    added = db.session.query(Deputy).filter(Deputy.code.like("LK%")).order_by(Deputy.code).all()
    assert [(d.name, d.status) for d in added] == [("王建国", "active"), ("李秀英", "terminated")]


def test_roster_csv_gbk_and_bad_files(client, make_scenario, organiser):
    make_scenario(deputies=1)
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    url = "/desk/congresses/1/roster"
    content = "代表编号,姓名,初始PIN\nLK010,周敏,111111\n".encode("gbk")
    assert upload(client, url, "roster.csv", content).status_code == 302
    assert db.session.query(Deputy).filter_by(code="LK010").one().name == "周敏"
    for name, content, reason in (
        ("roster.pdf", b"%PDF", "请选择 .xlsx 或 .csv 文件"),
        ("roster.xlsx", b"not a zip", "不是可读取的 .xlsx 文件"),
    ):
        r = upload(client, url, name, content)
        assert r.status_code == 422 and f"<td>{reason}</td>" in r.get_data(as_text=True), name
    assert db.session.query(Deputy).count() == 2
    missing = upload(client, url, "r.csv", "姓名\n周敏\n".encode())
    assert missing.status_code == 422 and "代表编号" in missing.get_data(as_text=True)


def test_candidates_import(client, make_scenario, organiser):
    ids = make_scenario(deputies=1, candidates=1, seats=1)
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    url = f"/desk/sessions/{ids['session']}/candidates/import"
    bad = xlsx(
        [
            ["项目名称", "责任单位", "预算（万元）"],
            ["农村饮水安全巩固提升", "区水利局", "1860.505"],
            ["", "区教育局", "300"],
        ]
    )
    r = upload(client, url, "项目.xlsx", bad)
    assert r.status_code == 422 and db.session.query(Candidate).count() == 1
    text = r.get_data(as_text=True)
    assert "<tr><td>2</td><td>预算（万元）</td>" in text  # three decimals
    assert "<tr><td>3</td><td>项目名称</td>" in text  # no title
    good = xlsx(
        [
            ["项目名称", "项目简介", "责任单位", "预算（万元）"],
            ["农村饮水安全巩固提升", "新建水厂一座", "区水利局", "1,860.50"],
            ["城区幼儿园新建", "", "区教育局", 300],
        ]
    )
    assert upload(client, url, "项目.xlsx", good).status_code == 302
    rows = db.session.query(Candidate).order_by(Candidate.id).all()[1:]
    assert [(c.title, str(c.budget_wan)) for c in rows] == [
        ("农村饮水安全巩固提升", "1860.50"),
        ("城区幼儿园新建", "300.00"),
    ]


def test_roster_codes_are_read_from_their_own_column(client, make_scenario, organiser):
    make_scenario(deputies=1)
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    url = "/desk/congresses/1/roster"
    rows = xlsx(
        [
            ["姓名", "代表编号", "初始PIN"],
            ["王芳", "D0001", "111111"],  # a deputy's code already
            ["李强", "organiser", "222222"],
        ]
    )  # a login already
    r = upload(client, url, "名册.xlsx", rows)
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "<td>2</td><td>代表编号</td>" in text and "<td>3</td><td>代表编号</td>" in text
    assert "<td>姓名</td>" not in text  # the names are read as names, and are fine
    assert db.session.query(Deputy).count() == 1  # nothing imported


def test_unreadable_csv_is_refused(client, make_scenario, organiser):
    make_scenario(deputies=1)
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    huge = ('代表编号,姓名,初始PIN\nLK1,"' + "长" * 140000 + '",123456\n').encode()
    r = upload(client, "/desk/congresses/1/roster", "r.csv", huge)
    assert r.status_code == 422 and "<td>无法读取该 .csv 文件</td>" in r.get_data(as_text=True)
    assert db.session.query(Deputy).count() == 1


def test_candidate_budget_must_be_a_real_amount(client, make_scenario, organiser):
    ids = make_scenario(deputies=1, candidates=1, seats=1)
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    url = f"/desk/sessions/{ids['session']}/candidates"
    for bad in ("sNaN", "Infinity", "1e30", "-5", "1.234"):
        r = client.post(url, data={"title": "项目", "budget_wan": bad})
        assert r.status_code == 422, bad
        assert "预算金额：" in r.get_data(as_text=True), bad  # the field refused is named
    assert db.session.query(Candidate).count() == 1


def test_csv_titles_never_become_formulas(client, make_scenario, organiser):
    from votesys.voting.models import Candidate as C

    ids = make_scenario(deputies=3, candidates=1, seats=1)
    db.session.get(C, ids["candidates"]["c1"]).title = '=HYPERLINK("http://x")'
    db.session.commit()
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    for code in ids["deputies"]:
        client.post(f"/desk/sessions/{ids['session']}/checkin", data={"code": code})
    client.post(f"/desk/votes/{ids['votes']['main']}/open")
    client.post(f"/desk/votes/{ids['votes']['main']}/close")
    body = client.get(f"/votes/{ids['votes']['main']}/result.csv").get_data(as_text=True)
    cells = [c.strip('"') for line in body.splitlines() for c in line.split(",")]
    assert "'=HYPERLINK" in body
    assert not any(c.lstrip("\ufeff").startswith(("=", "+", "-", "@")) for c in cells)
