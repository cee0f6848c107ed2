"""The public pages: what they show, their filters, their metadata, their errors."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from votesys.extensions import db
from votesys.projects import register
from votesys.projects.models import Project

WATER = "农村饮水安全巩固提升工程"


def text(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


def test_home_shows_the_year_its_totals_chart_votes_and_receptions(client, demo):
    page = text(client, "/")
    assert "株洲市渌口区" in page and "2026" in page
    assert WATER in page and 'progress class="bar"' in page
    assert "19,437.90" in page  # the ten projects' planned investment (万元)
    assert '<svg class="chart"' in page and "<desc" in page  # the chart, and its numbers
    assert "2026年渌口区民生实事项目票决" in page  # the latest published vote
    assert "渌口镇人大代表联络站" in page  # a coming reception day
    assert "<table" in page  # the chart's table beside it


def test_home_of_a_township_rolls_up_only_its_subtree(client, demo):
    page = text(client, "/?jurisdiction=430212105")
    assert WATER not in page  # a county project is not the township's


def test_every_page_has_title_description_and_open_graph(client, demo, refs):
    for url in ("/", "/projects", f"/projects/{refs[WATER]}", "/votes", "/statistics"):
        page = text(client, url)
        assert "<title>" in page and "</title>" in page
        assert '<meta name="description" content="' in page
        description = page.split('<meta name="description" content="')[1].split('"')[0]
        assert len(description) > 20, url
        for prop in ("og:title", "og:description", "og:url", "og:image", "og:site_name"):
            assert f'property="{prop}"' in page, (url, prop)
    page = text(client, f"/projects/{refs[WATER]}")
    assert f'<meta property="og:title" content="{WATER}">' in page


def test_the_list_filters_by_subtree_year_category_status_completion_and_text(client, demo):
    def titles(query: str) -> list[str]:
        data = client.get(f"/api/v1/public/projects?{query}").get_json()
        return [p["title"] for p in data["projects"]]

    assert len(titles("year=2026")) == 10
    # a Chinese substring, no word splitting; newest year first (龙门镇's 2027 project)
    assert titles("q=饮水") == ["村级饮水管网延伸工程", WATER]
    assert titles("q=安全") == [WATER, "农村公路安全生命防护工程"]
    assert titles("category=water") == [WATER]
    assert titles("status=completed") == ["“一户一产业工人”培训项目"]
    for completion in ("this_year", "two_years", "long_term"):
        expected = db.session.scalars(
            db.select(Project.title).where(Project.completion == completion)
        ).all()
        assert sorted(titles(f"completion={completion}")) == sorted(expected)
    assert titles("jurisdiction=430212&year=2025") == []
    assert len(titles("jurisdiction=430212")) == 14  # with 龙门镇's four of 2027 under it
    # LIKE's wildcards are plain text: % finds only texts with a per cent sign in them.
    with_percent = [
        p.title for p in db.session.scalars(db.select(Project)) if "%" in p.title + p.summary
    ]
    assert len(with_percent) < 10 and sorted(titles("q=%25")) == sorted(with_percent)
    assert titles("q=_") == []
    by_progress = [
        p["progress"]
        for p in client.get("/api/v1/public/projects?sort=progress").get_json()["projects"]
    ]
    assert by_progress == sorted(by_progress, reverse=True)
    by_money = [
        float(p["investment_wan"])
        for p in client.get("/api/v1/public/projects?sort=investment").get_json()["projects"]
    ]
    assert by_money == sorted(by_money, reverse=True)


def test_the_list_pages_twenty_at_a_time(client, demo):
    node = db.session.scalar(db.select(Project)).jurisdiction
    for i in range(15):
        register.create_project(node, year=2026, title=f"测试项目{i:02d}")
    db.session.commit()
    first = client.get("/api/v1/public/projects?year=2026").get_json()
    assert (first["total"], first["pages"], len(first["projects"])) == (25, 2, 20)
    second = client.get("/api/v1/public/projects?year=2026&page=2").get_json()
    assert len(second["projects"]) == 5
    assert not {p["ref"] for p in first["projects"]} & {p["ref"] for p in second["projects"]}
    page = text(client, "/projects?year=2026")
    assert "第 1 页，共 2 页" in page and 'rel="next"' in page
    beyond = client.get("/api/v1/public/projects?year=2026&page=9").get_json()
    assert beyond["page"] == 2  # past the end: the last page


def test_bad_filters_get_a_clear_message_not_a_500(client, demo):
    for query in (
        "status=foo",
        "year=abc",
        "year=1800",
        "page=0",
        "page=x",
        "sort=drop",
        "category=<b>",
    ):
        r = client.get(f"/projects?{query}")
        assert r.status_code == 422, query
        assert "<b>" not in r.get_data(as_text=True)
        assert client.get(f"/api/v1/public/projects?{query}").status_code == 422
    assert "没有这个行政区划" in text(client, "/projects?jurisdiction=NOPE", 404)


def test_project_page_shows_the_whole_trace(client, demo, refs):
    page = text(client, f"/projects/{refs[WATER]}")
    assert "2 条群众意见促成了这个项目" in page  # the opinions it came from…
    assert "农村自来水水压不足，夏天经常停水" in page  # …by title, never by name
    assert "2026年渌口区民生实事项目票决" in page and "赞成 163" in page  # the vote
    assert "760.50" in page and '<svg class="chart"' in page  # funding by source
    assert "巩固提升受益人口" in page  # a target with its actual value
    training = text(client, f"/projects/{refs['“一户一产业工人”培训项目']}")
    assert "146" in training  # 2,921 trained of 2,000
    assert "视察渌口月嫂培训班" in training  # deputies' supervision
    school = text(client, f"/projects/{refs['城区学校扩容工程']}")
    assert "渌口区人大常委会〔2026〕15号" in school  # the approved postponement
    road = text(client, f"/projects/{refs['农村公路安全生命防护工程']}")
    assert "增加3处临水临崖路段防护" not in road  # a pending change is not public


def test_project_page_states_the_rule_of_the_votes_own_base(client, demo, refs):
    """The rule in words is the vote's own (voting.rule_words.rule_text), whatever its base."""
    from votesys.voting.models import Vote

    page = text(client, f"/projects/{refs[WATER]}")
    assert "全体代表的过半数" in page and "出席代表的过半数" not in page
    vote = db.session.scalar(db.select(Vote).where(Vote.state == "published"))
    present = vote.present_at_open
    vote.base, vote.threshold = "present", present // 2 + 1
    db.session.commit()
    page = text(client, f"/projects/{refs[WATER]}?base=present")  # a URL the cache has not seen
    assert "开始投票时出席代表的过半数" in page and "全体代表的过半数" not in page
    assert f"（基数 {present}，即至少 {present // 2 + 1} 票）" in page


def test_a_ref_survives_a_rename_and_unknown_refs_are_a_404_page(client, demo, refs):
    project = db.session.scalar(db.select(Project).where(Project.ref == refs[WATER]))
    project.title = "农村饮水安全工程（更名）"
    db.session.commit()
    assert "农村饮水安全工程（更名）" in text(client, f"/projects/{refs[WATER]}")
    page = text(client, "/projects/2099-000000-01", 404)
    assert "页面不存在" in page and 'class="public-bar"' in page  # the site's own 404
    assert client.get("/api/v1/public/projects/2099-000000-01").status_code == 404


def test_404_and_500_pages_in_both_languages(client, demo, app, monkeypatch):
    assert "页面不存在" in text(client, "/no/such/page", 404)
    client.get("/?lang=en")
    assert "Page not found" in text(client, "/no/such/page", 404)

    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "portal.votes", boom)
    page = text(client, "/votes", 500)
    assert "Something went wrong on our side" in page and "Traceback" not in page


def test_downloads_are_csv_with_bom_and_xlsx(client, demo, refs):
    for url in (
        "/projects/export.csv?year=2026",
        "/projects/funding.csv",
        "/projects/progress.csv",
        f"/projects/{refs[WATER]}/data.csv",
        "/statistics/data.csv?jurisdiction=430212&year=2026",
    ):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "text/csv", url
        assert r.data.startswith("\ufeff".encode()), url
        rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
        assert len(rows) > 1, url
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/projects/export.csv?q=饮水安全")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert len(rows) == 2 and rows[1][3] == WATER and rows[1][0] == refs[WATER]
    book = load_workbook(io.BytesIO(client.get("/projects/funding.xlsx?q=饮水安全").data))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert [r[2] for r in values[1:]] == ["县级资金", "省级资金", "乡镇资金"]


def test_exports_neutralise_formula_cells(client, demo):
    node = db.session.scalar(db.select(Project)).jurisdiction
    register.create_project(node, year=2026, title='=HYPERLINK("http://x")')
    db.session.commit()
    body = client.get("/projects/export.csv?year=2026").get_data(as_text=True)
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_empty_site_has_empty_states(client, app):
    for url in ("/", "/projects", "/votes", "/statistics"):
        page = text(client, url)
        assert 'class="card empty"' in page, url


def test_english_pages(client, demo, refs):
    client.get("/?lang=en")
    assert "This year at a glance" in text(client, "/")
    assert "From the citizens' opinions to the result" in text(client, f"/projects/{refs[WATER]}")


def test_statistics_by_year_and_quarter(client, demo):
    year = client.get("/api/v1/public/statistics?jurisdiction=430212&year=2026").get_json()
    quarters = [
        client.get(
            f"/api/v1/public/statistics?jurisdiction=430212&year=2026&quarter={q}"
        ).get_json()["opinions"]["opinions_collected"]
        for q in (1, 2, 3, 4)
    ]
    assert sum(quarters) == year["opinions"]["opinions_collected"] > 0
    assert quarters[3] == year["opinions"]["opinions_collected"]  # the demo's are Oct–Nov
    assert year["projects"]["projects"] == 10 and year["quarter"] is None
    last_year = client.get("/api/v1/public/statistics?jurisdiction=430212&year=2025").get_json()
    assert last_year["opinions"]["opinions_collected"] == 3  # the three that became projects
    page = text(client, "/statistics?jurisdiction=430212&year=2026&quarter=4")
    assert "第 4 季度" in page and 'value="4" selected' in page
    rows = client.get("/statistics/data.csv?jurisdiction=430212&year=2026&quarter=1")
    assert "收集数" in rows.get_data(as_text=True)


def test_votes_of_every_jurisdiction_or_of_one(client, demo):
    every = client.get("/api/v1/public/votes").get_json()["votes"]
    township = client.get("/api/v1/public/votes?jurisdiction=430212105").get_json()["votes"]
    county = client.get("/api/v1/public/votes?jurisdiction=430212").get_json()["votes"]
    assert {v["jurisdiction"] for v in township} <= {"430212105"}
    assert len(county) == len(every) >= 1  # the county's subtree is everything here
    page = text(client, "/votes")
    assert '<option value="">全部</option>' in page


def test_the_api_wants_a_value_or_no_parameter_the_page_takes_empty_fields(client, demo):
    assert client.get("/projects?status=&year=&sort=").status_code == 200  # a form's "any"
    for query in ("status=", "year=", "jurisdiction=", "q=" + "字" * 51):
        r = client.get(f"/api/v1/public/projects?{query}")
        assert r.status_code == 422 and r.get_json()["field"] == query.split("=")[0], query
    assert client.get("/api/v1/public/statistics?quarter=5").status_code == 422
    assert client.get("/api/v1/public/statistics?year=1800").status_code == 422
    assert client.get("/api/v1/public/votes?jurisdiction=").status_code == 422
    assert client.get("/api/v1/public/statistics?quarter=4&year=2026").status_code == 200
