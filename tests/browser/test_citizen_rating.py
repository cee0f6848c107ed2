"""群众满意度 in a browser: a citizen scans a project's poster (the code's address) on a
phone, rates it, is thanked and sees the counts on the project's page; the same phone again
is refused beside its field; the organiser prints the A4 poster and reads the comments."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from tests.browser.checks import layout_problems
from tests.browser.conftest import sign_in
from votesys.extensions import db
from votesys.projects.models import Project

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = Path("/tmp/shots/Q")


def _shot(page, name: str, tmp_path) -> None:
    folder = SHOTS if SHOTS.parent.exists() else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def _road(app) -> Project:
    with app.app_context():
        found = db.session.scalar(select(Project).where(Project.title == "龙门镇太长线拓宽改造"))
        db.session.expunge(found)
        return found


def test_scan_rate_thanks_and_counts_on_a_phone(browser, demo_app, tmp_path):
    base, road = demo_app.config["LIVE_URL"], _road(demo_app)
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{base}/projects/{road.ref}/rate")  # where the poster's code leads
    assert page.locator("h2.rate-title").inner_text() == road.title
    assert page.locator(".rate-choice").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not layout_problems(page)
    _shot(page, "phone-rate-form.png", tmp_path)

    page.click("button.primary")  # nothing chosen, no phone: both said at once
    assert page.locator("#choice-error1").count() == 1
    assert page.locator("#phone-error1").count() == 1
    _shot(page, "phone-rate-errors.png", tmp_path)

    page.locator(".rate-satisfied").click()
    page.fill("#phone", "+86 139 1234 5678")
    page.fill("#comment", "路宽了，去镇上方便多了，就是晚上路灯还不够亮。")
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/rate/thanks$"))
    assert page.locator("#thanks").count() == 1
    assert page.locator('td[data-choice="satisfied"]').inner_text() == "22"  # the demo's 21 + 1
    _shot(page, "phone-rate-thanks.png", tmp_path)

    page.click("#thanks a.button")
    page.wait_for_url(re.compile(rf"/projects/{road.ref}#citizens$"))
    section = page.locator("#citizens-section")
    assert section.locator('td[data-choice="satisfied"]').inner_text() == "22"
    assert section.locator('td[data-choice="basically_satisfied"]').inner_text() == "17"
    assert section.locator('td[data-choice="unsatisfied"]').inner_text() == "9"
    assert "81.3%" in section.inner_text()  # (22 + 17) / 48 = 81.25, rounded half up
    assert "路灯还不够亮" not in page.content()  # the comment is for staff only
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not layout_problems(page)
    section.scroll_into_view_if_needed()
    page.screenshot(
        path=str((SHOTS if SHOTS.exists() else tmp_path) / "phone-project-citizens.png")
    )
    _shot(page, "phone-project-page.png", tmp_path)

    page.goto(f"{base}/projects/{road.ref}/rate")
    page.locator(".rate-unsatisfied").click()
    page.fill("#phone", "139-1234-5678")  # the same number, written otherwise
    page.click("button.primary")
    said = page.locator("#phone-error1").inner_text()  # beside the number
    assert "已" in said or "already rated" in said  # (Chinese once the catalog has it)
    _shot(page, "phone-rate-again.png", tmp_path)

    page.goto(f"{base}/satisfaction")
    assert "区交通运输局" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "phone-satisfaction.png", tmp_path)


def test_the_organiser_prints_the_a4_poster_and_reads_the_comments(browser, demo_app, tmp_path):
    base, road = demo_app.config["LIVE_URL"], _road(demo_app)
    page = sign_in(browser, base, "organiser")
    page.goto(f"{base}/desk/projects/{road.id}")
    page.click(".citizens-link a")
    assert "施工扬尘大" in page.inner_text("main")  # a citizen's comment, staff only
    assert not layout_problems(page)
    _shot(page, "desk-citizens.png", tmp_path)

    page.goto(f"{base}/desk/projects/{road.id}/poster")
    svg = page.locator(".poster-code svg")
    assert svg.count() == 1
    assert f"/projects/{road.ref}/rate" in page.inner_text(".poster-url")
    _shot(page, "desk-poster-screen.png", tmp_path)
    page.emulate_media(media="print")
    folder = SHOTS if SHOTS.exists() else tmp_path
    pdf = page.pdf(
        path=str(folder / "poster-a4.pdf"),
        format="A4",
        print_background=True,
        prefer_css_page_size=True,
    )
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the poster is one A4 page"
    # the printed page, as an image, at A4's proportions (210 × 297 mm at 96 dpi)
    a4 = browser.new_context(viewport={"width": 794, "height": 1123}).new_page()
    a4.context.add_cookies(page.context.cookies())
    a4.goto(f"{base}/desk/projects/{road.id}/poster")
    a4.emulate_media(media="print")
    box = a4.locator(".poster-code svg").bounding_box()
    assert box["width"] >= 300  # about 95 mm: scanned from a step back
    a4.screenshot(path=str(folder / "poster-a4-print.png"))

    page.goto(f"{base}/desk/projects/satisfaction")
    assert "区交通运输局" in page.inner_text("#desk-units")
    _shot(page, "desk-satisfaction.png", tmp_path)
