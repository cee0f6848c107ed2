"""Numbers, dates and punctuation as the demo's readers see them (issue 17 item 16): money
with two decimals and thousands separators in tables and charts alike, people without
decimals, the announcement dated 2026年1月9日, full-width punctuation in Chinese, number
columns right-aligned under right-aligned headers, and a favicon. What machines read — the
CSV and the API — keeps plain values."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

WATER = "农村饮水安全巩固提升工程"
TRAINING = "“一户一产业工人”培训项目"
CJK = "\u4e00-\u9fff"
# An ASCII mark touching Chinese text: "节点: 首期", "推进中, 80%", "代表 (179)", "员,开展".
ASCII_IN_CHINESE = re.compile(rf"[{CJK}%]\s?[:,;(]|[:,;)]\s?[{CJK}]")


def page(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True)


def visible(html: str) -> str:
    """The page's text as read: no markup, no scripts or styles, no attribute values."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"<[^>]+>", "\n", html)
    return re.sub(r"\n\s*", "\n", html.replace("&#39;", "'").replace("&amp;", "&"))


def sign_in(client, login: str) -> None:
    r = client.post("/login", data={"login": login, "password": "votesys-demo"})
    assert r.status_code == 302, r.status_code


class Tables(HTMLParser):
    """Each table's header row and first body row: (classes, text) of every cell."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.part = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"head": [], "body": [], "rows": 0})
        elif not self.tables:
            return
        t = self.tables[-1]
        if tag in ("thead", "tbody"):
            self.part = tag
        elif tag == "tr":
            t["rows"] += 1
            if self.part == "thead":
                t["head"] = []
        elif tag in ("th", "td") and self.part:
            row = t["head"] if self.part == "thead" else t["body"]
            if self.part == "tbody" and t.get("done"):
                self.cell = None
                return
            self.cell = [set((a.get("class") or "").split()), "", int(a.get("colspan") or 1)]
            row.append(self.cell)

    def handle_endtag(self, tag):
        if not self.tables:
            return
        t = self.tables[-1]
        if tag == "tr" and self.part == "tbody" and t["body"]:
            t["done"] = True
        elif tag in ("thead", "tbody"):
            self.part = None
        elif tag in ("th", "td"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data.strip()


def misaligned(html: str) -> list[tuple[str, str]]:
    """(header, first cell) of every column whose number cells sit under a header that is
    not right-aligned as they are, or whose header is right-aligned over text."""
    parser = Tables()
    parser.feed(html)
    out = []
    for t in parser.tables:
        if not t["head"] or not t["body"] or any(c[2] != 1 for c in t["head"] + t["body"]):
            continue
        for (h_class, h_text, _), (d_class, d_text, _) in zip(t["head"], t["body"], strict=False):
            if d_text and ("num" in h_class) != ("num" in d_class):
                out.append((h_text, d_text))
    return out


# -- money and people -----------------------------------------------------------------------


def test_money_has_thousands_separators_in_tables_and_charts_and_people_no_decimals(
    client, demo, refs
):
    home = page(client, "/")
    assert "19,437.90" in home and "19437.90" not in home  # the year's investment
    assert "5,757.60" in home  # spent
    # the chart's bar and its table give the provincial funds alike
    assert "6,300.00 万元（32.4%）" in home and '<td class="num">6,300.00</td>' in home
    assert "6300.00" not in home
    listed = page(client, "/projects")
    assert "3,280.00 万元" in listed and "3280.00" not in listed
    project = page(client, f"/projects/{refs[WATER]}")
    assert "1,860.50 万元" in project and "1,200.00 万元" in project
    statistics = page(client, "/statistics")
    assert "19,437.90" in statistics and "11,037.90" in statistics
    assert "11037.90" not in statistics
    # people, without decimals
    water = visible(page(client, f"/projects/{refs[WATER]}"))
    assert "36,000 人" in water and "29,000 人" in water
    assert "36000.00" not in water and ".00 人" not in water
    training = visible(page(client, f"/projects/{refs[TRAINING]}"))
    assert "2,000 人" in training and "2,921 人" in training


def test_the_desk_shows_money_and_counts_the_same_way(client, demo, refs):
    sign_in(client, "organiser")
    session = page(client, "/desk/sessions/2")  # the 2027 candidates and their budgets
    assert '<td class="num">1,320.00</td>' in session and "1320.00" not in session
    register = page(client, "/desk/projects/")
    assert "4,850.00" in register and "4850.00" not in register
    from votesys.extensions import db
    from votesys.projects.models import Project

    water = db.session.scalar(db.select(Project.id).where(Project.ref == refs[WATER]))
    desk = page(client, f"/desk/projects/{water}")
    assert '<td class="num">36,000</td>' in desk and '<td class="num">29,000</td>' in desk
    assert '<th class="num">1,860.50</th>' in desk  # the plan's total
    assert "县级资金 500.00 万元；省级资金 700.00 万元" in visible(desk)


def test_csv_and_api_keep_plain_numbers(client, demo, refs):
    rows = list(csv.reader(io.StringIO(page(client, "/projects/export.csv").lstrip("\ufeff"))))
    flat = [c for r in rows for c in r]
    assert "1860.50" in flat and not any(re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", c) for c in flat)
    data = client.get(f"/api/v1/public/projects/{refs[WATER]}").get_json()
    assert data["investment_wan"] == "1860.50"
    assert {t["target"] for t in data["targets"]} == {"36000.00"}


# -- formal dates ----------------------------------------------------------------------------


def test_the_announcement_is_dated_as_a_formal_document(client, demo):
    zh = visible(page(client, "/votes/1/announcement"))
    assert re.search(r"\n2026年1月\d{1,2}日\n", zh), zh[-800:]
    assert not re.search(r"\n2026-\d\d-\d\d\n", zh)
    en = visible(page(client, "/votes/1/announcement?lang=en"))
    assert re.search(r"\n\d{1,2} January 2026\n", en)


# -- punctuation -----------------------------------------------------------------------------


def test_chinese_pages_use_chinese_punctuation(client, demo, refs):
    public = ["/", "/projects", f"/projects/{refs[WATER]}", f"/projects/{refs[TRAINING]}"]
    for url in [*public, "/statistics", "/votes", "/votes/1/announcement"]:
        found = ASCII_IN_CHINESE.findall(visible(page(client, url)))
        assert not found, (url, found)
    text = visible(page(client, f"/projects/{refs[WATER]}"))
    assert "进度报告：推进中，80%" in text
    training = visible(page(client, f"/projects/{refs[TRAINING]}"))
    assert "节点：首期开班" in training and "代表监督：视察" in training
    english = visible(page(client, f"/projects/{refs[WATER]}?lang=en"))
    assert "Progress report: in progress, 80%" in english
    page(client, "/?lang=zh")  # the language chosen stays with the session: back to Chinese
    sign_in(client, "organiser")
    for url in ("/desk/congresses/1", "/desk/sessions/1", "/desk/figures", "/desk/opinions"):
        found = ASCII_IN_CHINESE.findall(visible(page(client, url)))
        assert not found, (url, found)


# -- alignment -------------------------------------------------------------------------------


def test_number_columns_sit_under_right_aligned_headers_on_every_kind_of_page(client, demo, refs):
    for url in (
        "/",
        "/statistics",
        f"/projects/{refs[WATER]}",
        f"/projects/{refs[TRAINING]}",
        "/votes/1/announcement",
    ):
        assert misaligned(page(client, url)) == [], url
    sign_in(client, "organiser")
    for url in (
        "/desk/sessions/1",
        "/desk/votes/1",
        "/desk/votes/1/paper-ballot",
        "/desk/projects/",
        "/desk/projects/1",
        "/desk/figures",
        "/desk/stations",
        "/hall/1",
    ):
        assert misaligned(page(client, url)) == [], url


# -- favicon -----------------------------------------------------------------------------------


def test_a_favicon_is_linked_and_answers(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert b"<svg" in r.data
    for url in ("/", "/projects", "/login", "/tablet/login"):
        assert 'rel="icon" href="/static/favicon.svg"' in page(client, url), url
    assert client.get("/static/favicon.svg").status_code == 200


# -- charts ------------------------------------------------------------------------------------


def test_a_chart_cuts_no_label_and_keeps_its_text_inside_the_drawing(app):
    from decimal import Decimal

    from votesys.portal import charts

    long = "Ecological environment and rural living conditions improvement"
    bars = [
        charts.Bar(long, Decimal("11037.90"), "11,037.90 万元 (56.8%)"),
        charts.Bar("城乡垃圾收运体系提质和农村人居环境整治提升工程", 5, "5"),
        charts.Bar("none", 0, "0.00 万元"),
    ]
    with app.test_request_context("/"):
        svg = str(charts.bar_chart("Investment", bars))
    texts = re.findall(r'<text x="(\d+)" y="(\d+)"[^>]*font-size="(\d+)"[^>]*>([^<]*)</text>', svg)
    assert "…" not in svg
    shown = "".join(t[3] for t in texts)
    for bar in bars:  # every word of every label is there, in order
        assert all(word in shown for word in bar.label.split(" "))
    assert all(int(size) >= 15 for *_, size, _ in texts)
    width = charts.WIDTH
    for _x, _y, _size, text in texts:
        assert charts._width(text) <= width, text
    assert re.search(r'viewBox="0 0 340 \d+"', svg)
