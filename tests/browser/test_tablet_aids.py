"""Issue 18 in a real Chromium: the tablet's 长辈模式 at its largest step with high contrast
on a 1280×800 and an 800×1280 tablet (nothing cut off or overlapping, WCAG AA by axe), the
朗读 button where the tablet has a Chinese voice; the countdown on the tablet, the hall and
the desk, with the desk's prompt at zero; the 呼叫工作人员 button lighting up the desk at
1366×768 with the deputy's name. Screenshots in /tmp/shots/T/."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.checks import layout_problems
from tests.browser.conftest import sign_in
from tests.factories import PIN, build_scenario
from votesys import scenario
from votesys.auth.services import create_user
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.extensions import db
from votesys.voting import services as voting
from votesys.voting.models import Vote

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SHOTS = Path("/tmp/shots/T")
TABLETS = {"landscape": (1280, 800), "portrait": (800, 1280)}
T0 = datetime.datetime(2026, 12, 5, 4, 0, 0)

FAKE_VOICE = """
  window.__said = [];
  const voices = %s;
  Object.defineProperty(window, 'speechSynthesis', {value: {
    getVoices: () => voices, speak: u => window.__said.push([u.text, u.lang]), cancel: () => {},
    addEventListener: () => {}}});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""
ZH = "[{lang: 'zh-CN', name: 'z'}]"

# Within each candidate's box, no two parts overlap and no text is cut off (wider than its box).
OVERLAPS = """() => {
  const problems = [];
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 &&
                        a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const name = el => (el.className || el.tagName) + ' "' + el.innerText.trim().slice(0, 20) + '"';
  const seen = el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  document.querySelectorAll('.ballot-item, .review-list li, .tablet-tools, .tablet-bar')
    .forEach(box => {
      const parts = [...box.querySelectorAll(
        '.choice span, legend .title-text, legend .speak, legend small, .title, .mark, ' +
        ':scope > form, :scope > div, :scope > details, :scope > span, summary')].filter(seen);
      parts.forEach((a, i) => parts.slice(i + 1).forEach(b => {
        if (a.contains(b) || b.contains(a)) return;
        // each line box of an inline part (a title over two lines) on its own
        if ([...a.getClientRects()].some(r => [...b.getClientRects()].some(q => hit(r, q)))) {
          problems.push(`${name(a)} overlaps ${name(b)}`);
        }
      }));
      parts.forEach(p => {
        if (p.scrollWidth > p.clientWidth + 1 && getComputedStyle(p).overflowX !== 'visible') {
          problems.push(`${name(p)} is cut off`);
        }
      });
    });
  document.querySelectorAll('.choice span, button, .title-text').forEach(el => {
    if (!seen(el)) return;
    const r = el.getBoundingClientRect();
    if (r.right > document.documentElement.clientWidth + 1) {
      problems.push(`${name(el)} reaches past the screen's edge`);
    }
  });
  return problems;
}"""


def _accessible(page) -> None:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
           .map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    assert violations == [], (page.url, violations)


def _world(app, *, candidates: int = 4, style: str = "per_candidate", long: bool = False) -> dict:
    with app.app_context():
        data = build_scenario(deputies=4, candidates=candidates, seats=2, max_for=2, style=style)
        if long:
            for n, c in enumerate(data["candidates"], 1):
                c["title"] = f"第{n}项 农村饮水安全巩固提升与老旧小区加装电梯民生实事工程"
                c["responsible_unit"] = "区住房和城乡建设局、区水利局"
        ids = scenario.load(data)
        create_user("organiser", "organiser-pass", "organiser")
        sess = db.session.get(CongressSession, ids["session"])
        for code in ids["deputies"]:
            congress.check_in(sess, code)
        db.session.commit()
        return ids


def _open(app, vote_id: int, minutes: int | None = None) -> None:
    with app.app_context():
        voting.open_vote(db.session.get(Vote, vote_id), minutes)
        db.session.commit()


def _tablet(browser, base: str, code: str, size: tuple[int, int], **context):
    width, height = size
    page = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, **context
    ).new_page()
    page.goto(f"{base}/tablet/login?lang=zh")
    page.fill("#code", code)
    page.fill("#pin", PIN)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("#tablet-home")
    return page


@pytest.mark.parametrize("shape", sorted(TABLETS))
@pytest.mark.parametrize("style", ["rating", "per_candidate"])
def test_elder_mode_at_its_largest_with_high_contrast_fits_the_tablet(
    live_app, browser, shape, style
):
    ids = _world(live_app, candidates=12, style=style, long=True)
    vid = ids["votes"]["main"]
    _open(live_app, vid)
    base = live_app.config["LIVE_URL"]
    tablet = _tablet(browser, base, "D0001", TABLETS[shape], bypass_csp=True)
    tablet.add_init_script(FAKE_VOICE % ZH)  # a Chinese voice: the 朗读 buttons show
    tablet.evaluate("window.sameDocument = true")
    tablet.click("#elder summary")
    tablet.click("#elder-form button[value=largest]")
    expect(tablet.locator("body")).to_have_class("tablet text-largest")
    tablet.click("#contrast-toggle")
    expect(tablet.locator("body")).to_have_class("tablet text-largest contrast")
    assert tablet.evaluate("window.sameDocument") is True  # changed in place, no reload
    assert tablet.get_attribute("#contrast-toggle", "aria-pressed") == "true"
    # the server keeps it: a new page shows it from its first paint, without the script
    tablet.get_by_role("link", name="开始投票").click()
    tablet.wait_for_selector("#ballot")
    assert tablet.evaluate("document.body.className") == "tablet text-largest contrast"
    assert tablet.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 24
    items = tablet.locator(".ballot-item")
    assert items.count() == 12
    for k, i in enumerate((0, 5, 11)):  # one of each mark: no refusal on the screen
        items.nth(i).locator(".choice").nth(k).tap()
    expect(items.nth(0).locator("button.speak")).to_be_visible()
    assert layout_problems(tablet) == []
    assert tablet.evaluate(OVERLAPS) == []
    _accessible(tablet)
    tablet.screenshot(
        path=str(SHOTS / f"ballot-{style}-{shape}-largest-contrast.png"), full_page=True
    )
    tablet.screenshot(path=str(SHOTS / f"ballot-{style}-{shape}-largest-contrast-view.png"))
    tablet.click("#to-review")
    tablet.wait_for_selector("#cast-form")
    assert layout_problems(tablet) == []
    assert tablet.evaluate(OVERLAPS) == []
    _accessible(tablet)
    tablet.screenshot(
        path=str(SHOTS / f"review-{style}-{shape}-largest-contrast.png"), full_page=True
    )
    tablet.click("#cast")
    tablet.wait_for_selector("#receipt")
    assert layout_problems(tablet) == [] and tablet.evaluate(OVERLAPS) == []
    _accessible(tablet)
    # kept across signing out and in again
    tablet.click("form[action$='/logout'] button")
    tablet.wait_for_selector("#pin")
    assert "text-largest" not in tablet.evaluate("document.body.className")
    tablet.fill("#code", "D0001")
    tablet.fill("#pin", PIN)
    tablet.get_by_role("button", name="登录").click()
    tablet.wait_for_selector("#tablet-home")
    assert tablet.evaluate("document.body.className") == "tablet text-largest contrast"
    assert layout_problems(tablet) == [] and tablet.evaluate(OVERLAPS) == []
    _accessible(tablet)
    tablet.screenshot(path=str(SHOTS / f"home-{style}-{shape}-largest-contrast.png"))
    for page, url in (("pin", "/tablet/pin"), ("record", "/desk/me")):  # the other pages
        tablet.goto(f"{base}{url}")
        assert tablet.evaluate("document.body.className") == "tablet text-largest contrast"
        assert layout_problems(tablet) == [] and tablet.evaluate(OVERLAPS) == []
        _accessible(tablet)
        tablet.screenshot(path=str(SHOTS / f"{page}-{shape}-largest-contrast.png"), full_page=True)


def test_the_large_step_and_standard_contrast_pass_too(live_app, browser):
    ids = _world(live_app, candidates=6, long=True)
    _open(live_app, ids["votes"]["main"])
    base = live_app.config["LIVE_URL"]
    tablet = _tablet(browser, base, "D0002", TABLETS["portrait"], bypass_csp=True)
    tablet.click("#elder summary")
    tablet.click("#elder-form button[value=large]")
    expect(tablet.locator("body")).to_have_class("tablet text-large")
    tablet.get_by_role("link", name="开始投票").click()
    tablet.wait_for_selector("#ballot")
    assert layout_problems(tablet) == [] and tablet.evaluate(OVERLAPS) == []
    _accessible(tablet)
    tablet.screenshot(path=str(SHOTS / "ballot-portrait-large.png"), full_page=True)


@pytest.mark.parametrize(
    ("voices", "shown"),
    [
        ("[{lang: 'en-US', name: 'e'}, {lang: 'zh-CN', name: 'z'}]", True),
        ("[{lang: 'zh_CN', name: 'android'}]", True),
        ("[{lang: 'en-US', name: 'e'}]", False),
        ("[]", False),
    ],
)
def test_read_aloud_shows_only_with_a_chinese_voice_and_reads_the_title(
    live_app, browser, voices, shown
):
    ids = _world(live_app, candidates=3)
    _open(live_app, ids["votes"]["main"])
    base = live_app.config["LIVE_URL"]
    tablet = _tablet(browser, base, "D0001", TABLETS["landscape"])
    tablet.add_init_script(FAKE_VOICE % voices)
    tablet.goto(f"{base}/tablet/votes/{ids['votes']['main']}")
    speak = tablet.locator(".ballot-item").nth(1).locator("button.speak")
    if not shown:
        expect(speak).to_be_hidden()
        return
    expect(speak).to_be_visible()
    title = tablet.locator(".ballot-item").nth(1).locator(".title-text").inner_text()
    speak.tap()
    said = tablet.evaluate("window.__said")
    assert said == [[title, said[0][1]]] and said[0][1].replace("_", "-") == "zh-CN"
    assert tablet.locator(".ballot-item input:checked").count() == 0  # reading marks nothing


def test_the_countdown_on_tablet_hall_and_desk_and_the_prompt_at_zero(live_app, browser):
    live_app.config["VOTESYS_NOW"] = T0.isoformat()
    ids = _world(live_app)
    vid, sid = ids["votes"]["main"], ids["session"]
    base = live_app.config["LIVE_URL"]
    desk = sign_in(browser, base, "organiser", "organiser-pass")
    desk.goto(f"{base}/desk/votes/{vid}")
    desk.fill("input[name=time_limit_minutes]", "2")
    desk.screenshot(path=str(SHOTS / "desk-open-with-limit.png"))
    desk.click("form[action$='/open'] button")
    expect(desk.locator("#desk-countdown [data-clock]")).to_have_text("2:00")
    expect(desk.locator("#time-up")).to_be_hidden()
    desk.screenshot(path=str(SHOTS / "desk-countdown.png"))
    hall = browser.new_page(viewport={"width": 1280, "height": 720})
    hall.goto(f"{base}/hall/{sid}")
    expect(hall.locator("#h-countdown [data-clock]")).to_have_text("2:00")
    hall.screenshot(path=str(SHOTS / "hall-countdown.png"))
    tablet = _tablet(browser, base, "D0001", TABLETS["landscape"])
    expect(tablet.locator("#tablet-countdown [data-clock]")).to_have_text("2:00")
    tablet.get_by_role("link", name="开始投票").click()
    tablet.wait_for_selector("#ballot")
    expect(tablet.locator("#tablet-countdown")).to_be_visible()
    tablet.screenshot(path=str(SHOTS / "tablet-ballot-countdown.png"))

    # The server's clock moves to 3 s before the end: pages count down from what it says
    # (their own clocks are not asked), and at zero each says so.
    live_app.config["VOTESYS_NOW"] = (T0 + datetime.timedelta(seconds=117)).isoformat()
    tablet.reload()
    expect(tablet.locator("#tablet-countdown [data-clock]")).to_have_text("0:03")
    expect(tablet.locator("#tablet-countdown .countdown-up")).to_be_visible(timeout=5000)
    expect(tablet.locator("#tablet-countdown [data-clock]")).to_have_text("0:00")
    tablet.screenshot(path=str(SHOTS / "tablet-time-up.png"))
    desk.reload()
    expect(desk.locator("#time-up")).to_be_hidden()
    expect(desk.locator("#time-up")).to_be_visible(timeout=5000)  # the prompt to close
    desk.screenshot(path=str(SHOTS / "desk-time-up-prompt.png"))
    live_app.config["VOTESYS_NOW"] = (T0 + datetime.timedelta(seconds=125)).isoformat()
    expect(hall.locator("#h-countdown .countdown-up")).to_be_visible(timeout=4000)
    expect(hall.locator("#h-countdown [data-clock]")).to_have_text("0:00")
    hall.screenshot(path=str(SHOTS / "hall-time-up.png"))
    # nothing closed by itself: the deputy still casts, and it counts
    tablet.locator(".ballot-item").nth(0).locator(".choice-for").tap()
    tablet.click("#to-review")
    tablet.click("#cast")
    tablet.wait_for_selector("#receipt")
    with live_app.app_context():
        assert db.session.get(Vote, vid).state == "open"
    desk.once("dialog", lambda d: d.accept())
    desk.click("#time-up-close")
    desk.wait_for_selector("text=结束")
    with live_app.app_context():
        vote = db.session.get(Vote, vid)
        assert vote.state == "closed" and vote.ballots_cast == 1
    expect(hall.locator("#h-countdown")).to_be_hidden(timeout=4000)


def test_the_call_button_lights_up_the_desk_with_the_deputys_name(live_app, browser):
    ids = _world(live_app)
    vid, sid = ids["votes"]["main"], ids["session"]
    _open(live_app, vid)
    base = live_app.config["LIVE_URL"]
    desk = sign_in(browser, base, "organiser", "organiser-pass")
    desk.goto(f"{base}/desk/votes/{vid}")
    expect(desk.locator("#staff-calls")).to_be_hidden()
    checkin = sign_in(browser, base, "organiser", "organiser-pass")
    checkin.goto(f"{base}/desk/sessions/{sid}/checkin")
    desk.evaluate("window.sameDocument = true")
    tablet = _tablet(browser, base, "D0003", TABLETS["landscape"])
    tablet.get_by_role("link", name="开始投票").click()
    tablet.wait_for_selector("#ballot")
    tablet.locator(".ballot-item").nth(0).locator(".choice-for").tap()
    tablet.evaluate("window.sameDocument = true")
    expect(tablet.locator("#call-open")).to_be_hidden()
    tablet.click("#call-staff")
    expect(tablet.locator("#call-open")).to_be_visible()
    expect(tablet.locator("#call-form")).to_be_hidden()
    assert tablet.evaluate("window.sameDocument") is True  # the ballot stays as marked
    assert tablet.locator(".ballot-item").nth(0).locator("input[value=for]").is_checked()
    tablet.screenshot(path=str(SHOTS / "tablet-called.png"))
    for page in (desk, checkin):
        expect(page.locator("#staff-calls")).to_be_visible(timeout=5000)
        expect(page.locator("#staff-calls [data-list] li")).to_contain_text("代表3")
        expect(page.locator("#staff-calls [data-list] li")).to_contain_text("D0003")
    assert desk.evaluate("window.sameDocument") is True  # lit up live, no reload
    assert layout_problems(desk) == []
    desk.screenshot(path=str(SHOTS / "desk-call-lit.png"))
    checkin.screenshot(path=str(SHOTS / "checkin-call-lit.png"))
    # the tablet presses again: still one call
    tablet.click("#call-cancel button")
    expect(tablet.locator("#call-form")).to_be_visible()
    expect(desk.locator("#staff-calls")).to_be_hidden(timeout=5000)
    tablet.wait_for_timeout(10_500)  # one new call every 10 s
    tablet.click("#call-staff")
    expect(desk.locator("#staff-calls [data-list] li")).to_have_count(1, timeout=5000)
    desk.locator("#staff-calls [data-list] li button").click()  # answered
    desk.wait_for_load_state()
    expect(desk.locator("#staff-calls")).to_be_hidden()
    expect(tablet.locator("#call-form")).to_be_visible(timeout=7000)  # the tablet learns it
    expect(checkin.locator("#staff-calls")).to_be_hidden(timeout=5000)
