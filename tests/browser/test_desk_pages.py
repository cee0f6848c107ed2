"""The desk at a desktop's size (1366×768), with the demo's accounts: each role's menu leads
only where it may go; the station's checkboxes sit with their labels; steps and dates stay
on one line; an opinion's history speaks local time and people's names. Issue items 13, 14:
a unit's menu led to refusals, 值班代表 checkboxes drifted into the wrong column, 环节 and
dates wrapped one character a line, and the history showed "时间（UTC）" and
"user:lukou-station"."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

# The menu each demo account sees, in order (its entries by their Chinese names; None: any).
MENUS = {
    "renshe": [("我的项目", "My projects")],
    "lukou-station": [None, ("意见建议",), ("统计",)],  # its own station, then its opinions
    "organiser": [("人民代表大会",), None, ("联络站",), ("意见建议",), ("项目征集",), ("统计",)],
    "longmen": [("人民代表大会",), None, ("联络站",), ("意见建议",), ("项目征集",), ("统计",)],
}
# The number of lines an element's content takes: its height over the line's.
LINES = """el => { const range = document.createRange(); range.selectNodeContents(el);
  return Math.round(range.getBoundingClientRect().height
    / parseFloat(getComputedStyle(el).lineHeight)); }"""


@pytest.mark.parametrize("login", sorted(MENUS))
def test_each_roles_menu_leads_only_where_it_may_go(browser, demo, login, tmp_path):
    page = sign_in(browser, demo, login)
    page.screenshot(path=str(tmp_path / f"desk-menu-{login}.png"))
    links = page.eval_on_selector_all(
        "nav.desk-nav a", "els => els.map(a => [a.textContent.trim(), a.href])"
    )
    names = [name for name, _ in links]
    assert len(names) == len(MENUS[login]), names
    for name, expected in zip(names, MENUS[login], strict=True):
        assert expected is None or name in expected, names
    for name, href in links:
        answer = page.request.get(href, max_redirects=0)  # the page itself, not a redirect
        assert answer.status == 200, (login, name, href, answer.status)
        page.goto(href)
        assert "/login" not in page.url, (login, name, href)


def test_the_station_desk_checkboxes_sit_with_their_labels(browser, demo, tmp_path):
    page = sign_in(browser, demo, "lukou-station")  # starts on its station's page
    station_url = page.url
    for url, legend in ((station_url, "值班代表"), (f"{station_url}/opinions/new", "到场代表")):
        page.goto(url)
        items = page.locator("fieldset.checklist", has_text=legend).locator("li")
        assert items.count() >= 5
        for i in range(items.count()):
            box = items.nth(i).locator("input[type=checkbox]").bounding_box()
            label = items.nth(i).locator("label").bounding_box()
            middle = label["y"] + label["height"] / 2
            assert box["y"] <= middle <= box["y"] + box["height"], (url, i, box, label)
            gap = label["x"] - (box["x"] + box["width"])
            assert 0 <= gap < 24, (url, i, box, label)  # right after its own box
        page.screenshot(path=str(tmp_path / f"desk-checklist-{legend}.png"), full_page=True)


def test_steps_and_dates_stay_on_one_line(browser, demo, tmp_path):
    page = sign_in(browser, demo, "organiser")
    for lang in ("zh", "en"):
        page.goto(f"{demo}/desk/opinions?lang={lang}")
        heads = page.locator("table.table thead th").all_inner_texts()
        wanted = ("环节", "接收日期", "办理期限") if lang == "zh" else ("Step", "Received", "Due")
        columns = [heads.index(name) + 1 for name in wanted]
        rows = page.locator("table.table tbody tr")
        assert rows.count() >= 10
        for column in columns:
            cells = page.locator(
                f"table.table thead th:nth-child({column}), "
                f"table.table tbody td:nth-child({column})"
            )
            for i in range(cells.count()):
                if cells.nth(i).inner_text().strip():
                    lines = cells.nth(i).evaluate(LINES)
                    assert lines == 1, (lang, heads[column - 1], cells.nth(i).inner_text())
        page.screenshot(path=str(tmp_path / f"desk-opinions-{lang}.png"), full_page=True)


def test_an_opinions_history_speaks_local_time_and_names(browser, demo, tmp_path):
    page = sign_in(browser, demo, "lukou-station")
    page.goto(f"{demo}/desk/opinions")
    page.click("text=孩子上学路口缺少红绿灯")
    page.select_option("#to", "replied")
    page.fill("#note", "路口信号灯已安装，交警上下学时段值守。")
    page.click("form[action$='/move'] button.primary")
    assert page.locator(".flash.ok").count() == 1
    steps = page.locator("section", has=page.locator("h2", has_text="办理环节")).locator("table")
    history = steps.inner_text()
    assert "UTC" not in history and "user:" not in history, history
    assert "渌口镇联络站" in history  # the account's name
    assert "北京时间" in history or "Beijing" in history
    # the demo's steps were made at 01:30 UTC: 09:30 in Beijing
    assert "09:30" in history and "01:30" not in history, history
    page.screenshot(path=str(tmp_path / "desk-opinion-history.png"), full_page=True)
