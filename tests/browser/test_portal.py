"""The public portal in Chromium, on a phone and on a desktop: open the home, filter, open a
project, see its whole timeline and its chart, download its CSV — with an automated WCAG 2.1
A/AA check (axe-core) on every page, and keyboard use."""

from __future__ import annotations

from pathlib import Path

import pytest

from votesys.extensions import db

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}
WATER = "农村饮水安全巩固提升工程"


@pytest.fixture
def portal(live_app):
    from votesys.demo import load_if_empty

    live_app.config["VOTESYS_TODAY"] = "2026-11-20"
    with live_app.app_context():
        load_if_empty()
        db.session.commit()
    return live_app.config["LIVE_URL"]


def accessible(page) -> None:
    """axe-core's WCAG 2.1 A and AA rules: no violation on the page as shown."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
           .map(v => ({id: v.id, impact: v.impact,
                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    assert violations == [], (page.url, violations)
    assert page.evaluate("document.documentElement.lang") in ("zh-CN", "en")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_follow_a_project_from_home_to_its_csv(browser, portal, device, tmp_path):
    # bypass_csp: only so that the test can inject axe-core; the pages themselves run no
    # inline script.
    context = browser.new_context(**VIEWPORTS[device], bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{portal}/")
    assert page.title().startswith("株洲市渌口区")
    assert page.locator('meta[property="og:title"]').get_attribute("content")
    assert page.locator("svg.chart").first.is_visible()
    accessible(page)
    page.keyboard.press("Tab")  # the first stop is the skip link, and it works
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main")
    if device == "desktop":
        page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.goto(f"{portal}/projects")
    page.fill("#f-q", "饮水")
    page.select_option("#f-status", "in_progress")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/projects?*q=*")
    assert page.locator(".project-item").count() == 1
    accessible(page)
    if device == "phone":
        page.screenshot(path=str(tmp_path / "list.png"), full_page=True)

    page.click(f"text={WATER}")
    page.wait_for_url("**/projects/2026-*")
    timeline = page.locator(".project-timeline")
    assert timeline.locator(".ev-opinions").count() == 1  # the citizens' opinions…
    assert timeline.locator(".ev-vote").count() == 1  # …the vote…
    assert timeline.locator(".ev-report").count() >= 1  # …and the progress since
    assert "赞成 163" in timeline.inner_text()
    assert page.locator("svg.chart title").text_content() == "本项目资金来源构成"
    assert page.locator("svg.chart").is_visible()
    accessible(page)
    page.screenshot(path=str(tmp_path / "project.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=下载本项目数据（CSV）")
    saved = tmp_path / "project.csv"
    download.value.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith("\ufeff".encode()) and WATER.encode() in content

    for path in ("/votes", "/statistics", "/stations", "/no/such/page"):
        page.goto(f"{portal}{path}")
        accessible(page)
    if device == "desktop":
        page.goto(f"{portal}/statistics")
        page.screenshot(path=str(tmp_path / "statistics.png"), full_page=True)
    page.goto(f"{portal}/?lang=en")
    assert "This year at a glance" in page.inner_text("main")
    accessible(page)
    context.close()


def test_the_accessibility_check_finds_a_violation(browser, portal):
    """The check itself: a page with an image without alt text and no language fails it."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{portal}/votes")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/share.png';"
        " document.querySelector('main').appendChild(i); }"
    )
    with pytest.raises(AssertionError, match="image-alt"):
        accessible(page)
    context.close()
