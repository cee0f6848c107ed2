"""A day of real use on the demo, at the sizes its people meet it: the organiser opens the
2027 vote at a desktop (1366×768), deputies cast on touch tablets (1024×768), the hall screen
(1920×1080) counts, the organiser closes and publishes, a unit reports progress, station
staff move an opinion, and a citizen on a phone (390×844) gives an opinion and follows it.
Then each role's pages at each size its people use. On every page: nothing overflows the
viewport sideways, every table's header is aligned as its column's first cell is, and no
column is squeezed to a character a line (tests/browser/checks.py). Issue 17, "Done when";
a screenshot of every page goes to the test's temporary folder (shots/)."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.checks import layout_problems
from tests.browser.conftest import load_demo, served
from votesys.extensions import db

SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "tablet": {"viewport": {"width": 1024, "height": 768}, "has_touch": True},
    "hall": {"viewport": {"width": 1920, "height": 1080}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
PASSWORD = "votesys-demo"
PIN = "123456"
DEPUTIES = ("LK001", "LK002", "LK003")  # checked in for the 2027 session
VOTE = 2  # the demo's 2027 vote, waiting to be opened
# Links not to follow when walking a role's pages: files, not pages; leaving.
NOT_PAGES = re.compile(r"\.(csv|json|pdf|png|jpe?g|zip|xlsx|ods)$|/(logout|events|export|download)")


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """One demo server for the whole walk: the day goes on from test to test."""
    with served(tmp_path_factory.mktemp("day")) as app:
        load_demo(app)
        yield app


class Walk:
    """Looks at each page it is shown: a screenshot, and the layout checks."""

    def __init__(self, browser, base: str, shots):
        self.browser, self.base, self.shots = browser, base, shots
        self.problems: list[str] = []
        self.contexts = []

    def open(self, size: str, login: str | None = None):
        context = self.browser.new_context(**SIZES[size])
        self.contexts.append(context)
        page = context.new_page()
        page.size = size
        if login:
            page.goto(f"{self.base}/login")
            page.fill("#login", login)
            page.fill("#password", PASSWORD)
            page.click("button.primary")
            page.wait_for_load_state()
            assert "/login" not in page.url, page.inner_text("main")
        return page

    def look(self, page, name: str) -> None:
        page.wait_for_load_state()
        self.shots.mkdir(exist_ok=True)
        page.screenshot(path=str(self.shots / f"{page.size}-{name}.png"), full_page=True)
        self.problems += [f"[{page.size}] {p}" for p in layout_problems(page)]

    def crawl(self, page, starts: list[str], prefix: str, limit: int = 40) -> list[str]:
        """Every kind of page reachable by links under prefix, one of each (a page's kind: its
        path with the numbers taken out), looked at, and each of starts. Returns the paths
        visited."""
        seen_kinds, seen, visited, queue = set(), set(), [], list(starts)
        while queue and len(visited) < limit:
            url = queue.pop(0)
            path = urlsplit(url).path
            kind = re.sub(r"\d+", "N", path) + ("?" if urlsplit(url).query else "")
            if url in seen or (kind in seen_kinds and url not in starts):
                continue
            seen.add(url)
            seen_kinds.add(kind)
            try:
                answer = page.goto(url)
            except PlaywrightError:  # a download, not a page
                continue
            if (
                answer is None
                or answer.status != 200
                or "html" not in answer.headers.get("content-type", "")
            ):
                continue
            visited.append(path)
            self.look(page, re.sub(r"[^\w-]+", "_", url[len(self.base) :].strip("/")) or "home")
            for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
                parts = urlsplit(href)
                if (
                    href.startswith(self.base)
                    and parts.path.startswith(prefix)
                    and (prefix == "/desk" or not parts.path.startswith(("/desk", "/tablet")))
                    and not NOT_PAGES.search(parts.path)
                    and "lang=" not in parts.query
                ):
                    queue.append(href.split("#")[0])
        return visited

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def walk(browser, day, tmp_path):
    w = Walk(browser, day.config["LIVE_URL"], tmp_path / "shots")
    yield w
    w.close()


def _tablet_casts(walk, code: str, marks: int) -> None:
    tablet = walk.open("tablet")
    tablet.goto(f"{walk.base}/tablet/login")
    walk.look(tablet, f"tablet-login-{code}")
    tablet.fill("#code", code)
    tablet.fill("#pin", PIN)
    tablet.get_by_role("button", name="登录").click()
    tablet.get_by_role("link", name="开始投票").click()
    items = tablet.locator(".ballot-item")
    for i in range(marks):
        items.nth(i).locator(".choice-for").click()
    items.nth(marks).locator(".choice-against").click()
    walk.look(tablet, f"tablet-ballot-{code}")
    tablet.get_by_role("button", name="核对选票").click()
    walk.look(tablet, f"tablet-review-{code}")
    tablet.get_by_role("button", name="确认投票").click()
    tablet.wait_for_selector("text=投票成功")
    walk.look(tablet, f"tablet-done-{code}")


def _the_hall_casts(app, vote_id: int) -> int:
    """The rest of the hall votes (at the service: a tablet each would take minutes), ten
    favourites drawing most "for"s so that the result is one a hall would see. Returns the
    ballots cast in all."""
    from votesys.congress.models import Attendance
    from votesys.voting import casting
    from votesys.voting.models import Ballot, Vote

    rng = random.Random(17)
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        ids = [e.candidate_id for e in vote.entries]
        voted = set(DEPUTIES)
        for att in db.session.scalars(
            db.select(Attendance).where(Attendance.session_id == vote.session_id)
        ):
            if att.deputy.code in voted:
                continue
            liked = rng.sample(ids[:12], 10) if rng.random() < 0.9 else rng.sample(ids, 4)
            marks = {
                str(c): "for" if c in liked else rng.choice(("against", "abstain")) for c in ids
            }
            casting.cast_ballot(vote, att.deputy, marks)
            db.session.commit()
        return db.session.scalar(
            db.select(db.func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)
        )


def test_the_vote_of_the_day(walk, day):
    base = walk.base
    desk = walk.open("desktop", "organiser")
    walk.look(desk, "desk-after-login")
    desk.goto(f"{base}/desk/votes/{VOTE}")
    walk.look(desk, "desk-vote-draft")
    desk.goto(f"{base}/desk/sessions/2")
    walk.look(desk, "desk-session")
    hall = walk.open("hall")
    hall.goto(f"{base}/hall/2")
    walk.look(hall, "hall-idle")

    desk.goto(f"{base}/desk/votes/{VOTE}")
    desk.get_by_role("button", name="开始投票").click()
    desk.wait_for_selector("text=投票已开始")
    walk.look(desk, "desk-vote-open")
    expect(hall.locator("#h-vote")).to_be_visible(timeout=5000)

    for n, code in enumerate(DEPUTIES):
        _tablet_casts(walk, code, marks=3 + n)
    expect(hall.locator("#h-cast")).to_have_text(str(len(DEPUTIES)), timeout=5000)
    walk.look(hall, "hall-counting")
    expect(desk.locator("#cast-count [data-cast]")).to_have_text(str(len(DEPUTIES)), timeout=5000)
    walk.look(desk, "desk-vote-cast")
    cast = _the_hall_casts(day, VOTE)
    expect(hall.locator("#h-cast")).to_have_text(str(cast), timeout=5000)
    walk.look(hall, "hall-all-cast")
    expect(desk.locator("#cast-all")).to_be_visible(timeout=5000)
    walk.look(desk, "desk-vote-all-cast")

    desk.once("dialog", lambda d: d.accept())
    desk.get_by_role("button", name="结束投票并计票").click()
    desk.wait_for_selector("text=公布表决结果")
    walk.look(desk, "desk-vote-closed")
    expect(hall.locator("#h-awaiting")).to_be_visible(timeout=5000)
    walk.look(hall, "hall-awaiting")

    desk.once("dialog", lambda d: d.accept())
    desk.get_by_role("button", name="公布表决结果").click()
    expect(desk.locator(".state-published")).to_be_visible()
    walk.look(desk, "desk-vote-published")
    expect(hall.locator("#h-result")).to_be_visible(timeout=5000)
    walk.look(hall, "hall-result")

    for size in ("desktop", "phone"):
        public = walk.open(size)
        for path in ("/votes", f"/votes/{VOTE}/announcement", "/"):
            public.goto(f"{base}{path}")
            walk.look(public, "public-" + (path.strip("/").replace("/", "-") or "home"))
    assert walk.problems == [], "\n".join(walk.problems)


def test_a_unit_reports_and_staff_move_an_opinion(walk, day):
    base = walk.base
    unit = walk.open("desktop", "renshe")
    walk.look(unit, "unit-home")
    unit.click("text=一户一产业工人")
    walk.look(unit, "unit-project")
    county = unit.locator("#spent_county")
    county.fill(f"{Decimal(county.input_value().replace(',', '') or 0) + 5:.2f}")
    unit.get_by_role("button", name="保存报告").click()
    expect(unit.locator(".flash.ok")).to_be_visible()
    walk.look(unit, "unit-reported")

    staff = walk.open("desktop", "lukou-station")
    walk.look(staff, "station-home")
    staff.goto(f"{base}/desk/opinions")
    walk.look(staff, "station-opinions")
    staff.click("text=孩子上学路口缺少红绿灯")
    walk.look(staff, "station-opinion")
    staff.select_option("#to", "replied")
    staff.fill("#note", "路口信号灯已安装，交警上下学时段值守。")
    staff.click("form[action$='/move'] button.primary")
    expect(staff.locator(".flash.ok")).to_be_visible()
    walk.look(staff, "station-opinion-moved")
    assert walk.problems == [], "\n".join(walk.problems)


def test_a_citizen_gives_an_opinion_on_a_phone_and_follows_it(walk, day):
    base = walk.base
    phone = walk.open("phone")
    phone.goto(f"{base}/")
    walk.look(phone, "home")
    phone.goto(f"{base}/opinions/new")
    walk.look(phone, "opinion-form")
    phone.click("button.primary")  # nothing filled in: every error at once
    walk.look(phone, "opinion-form-errors")
    phone.select_option("#station", index=1)
    phone.select_option("#category", "roads")
    phone.fill("#title", "渌口大桥桥头人行道破损")
    phone.fill("#content", "渌口大桥东侧桥头人行道地砖破损松动，雨天积水，老人孩子经过容易滑倒。")
    phone.fill("#citizen_phone", "139 1234 5678")
    phone.click("button.primary")
    code = phone.inner_text("#tracking-code").strip()
    walk.look(phone, "opinion-receipt")
    phone.goto(f"{base}/")
    phone.get_by_role("link", name=re.compile("查询|跟踪|办理进度")).first.click()
    walk.look(phone, "track-form")
    phone.fill("#code", code)
    phone.get_by_role("button", name="查看").click()
    expect(phone.locator("#steps")).to_be_visible()
    walk.look(phone, "tracked")
    assert walk.problems == [], "\n".join(walk.problems)


# Who, at which size, in which language; the pages each starts from besides its first page
# (results of every kind: the demo's 2026 vote, 龙门镇's paper vote, the 2027 one).
ROLES = [
    ("public", "phone", "zh"),
    ("public", "phone", "en"),
    ("public", "tablet", "zh"),
    ("public", "desktop", "zh"),
    ("organiser", "desktop", "zh"),
    ("organiser", "desktop", "en"),
    ("organiser", "tablet", "zh"),
    ("renshe", "desktop", "zh"),
    ("lukou-station", "desktop", "zh"),
    ("lukou-station", "tablet", "zh"),
]
ALSO = {
    "public": ["/votes/1/announcement", "/votes/3/announcement"],
    "organiser": ["/desk/votes/1", "/desk/votes/3", "/desk/projects/1"],
}


@pytest.mark.parametrize(("who", "size", "lang"), ROLES)
def test_each_roles_pages_at_their_sizes(walk, day, who, size, lang):
    page = walk.open(size, None if who == "public" else who)
    first = page.url if who != "public" else f"{walk.base}/"
    page.goto(f"{first}{'&' if '?' in first else '?'}lang={lang}")  # kept for the visit
    starts = [first] + [f"{walk.base}{path}" for path in ALSO.get(who, [])]
    visited = walk.crawl(page, starts, "/" if who == "public" else "/desk")
    assert len(visited) >= 2, visited
    assert walk.problems == [], "\n".join(walk.problems)


def test_the_checks_find_what_they_look_for(walk, day):
    """The checks themselves: a page made wide, a header moved off its numbers and a column
    squeezed are each found; a wide table in a scroll wrapper is not a fault."""
    phone = walk.open("phone")
    phone.goto(f"{walk.base}/votes/1/announcement")  # the demo's 2026 result
    assert layout_problems(phone) == []
    phone.evaluate(
        """() => { const wrap = document.createElement('div');
             wrap.className = 'table-scroll';
             wrap.innerHTML = '<table class="table"><thead><tr><th>a</th></tr></thead>'
               + '<tbody><tr><td style="min-width: 900px">b</td></tr></tbody></table>';
             document.querySelector('main, article, body').appendChild(wrap); }"""
    )
    assert layout_problems(phone) == []
    phone.evaluate(
        """() => { document.querySelector('table.result thead th.num').style.textAlign = 'left';
             const wide = document.createElement('p');
             wide.textContent = '宽'; wide.style.width = '600px';
             document.querySelector('article').appendChild(wide);
             const narrow = document.createElement('table');
             narrow.style.cssText = 'table-layout: fixed; width: 1.5em';
             narrow.innerHTML = '<thead><tr><th>项目</th></tr></thead>'
               + '<tbody><tr><td>村级饮水管网</td></tr></tbody>';
             document.querySelector('article').appendChild(narrow); }"""
    )
    found = "\n".join(layout_problems(phone))
    assert re.search(r"the page is \d+px wide in a 390px viewport", found), found
    assert 'p "宽" reaches' in found, found  # the element
    assert 'column 1 "排名": header left, first cell right' in found, found
    assert "squeezed to one character a line" in found, found
