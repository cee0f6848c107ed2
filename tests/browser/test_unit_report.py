"""A responsible unit reports progress on its page, at a desktop's size: the form starts from
the last report, a field left blank changes nothing, and the public page's money spent only
grows (issue: a report of one source erased the others, on the public site too)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from votesys.extensions import db

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _training(app):
    from votesys.projects.models import Project

    with app.app_context():
        project = db.session.scalar(
            db.select(Project).where(Project.title.contains("一户一产业工人"))
        )
        return project.id, project.ref


def _public_spent(page, base, ref) -> Decimal:
    page.goto(f"{base}/projects/{ref}")
    text = page.locator("dd", has_text="万元").first.inner_text()
    return Decimal(re.search(r"已支出\s*([\d.]+)", text).group(1))


def test_a_report_of_one_source_keeps_the_others(browser, demo_app, tmp_path):
    base = demo_app.config["LIVE_URL"]
    pid, ref = _training(demo_app)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    before = _public_spent(page, base, ref)
    page.goto(f"{base}/login")
    page.fill("#login", "renshe")
    page.fill("#password", "votesys-demo")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/desk/projects/{pid}")
    county = page.locator("#spent_county")
    provincial = page.locator("#spent_provincial")
    assert provincial.input_value() != ""  # the form shows the last figures
    assert page.locator("#status").input_value() == "completed"  # the last report's, as the project
    last_county = Decimal(county.input_value() or "0")
    new_county = last_county + Decimal("7.60")
    county.fill(str(new_county))
    provincial.fill("")  # a blank field means "unchanged", not "none"
    page.screenshot(path=str(tmp_path / "unit-report.png"), full_page=True)
    page.get_by_role("button", name="保存报告").click()
    page.wait_for_load_state()
    assert "进度报告已保存" in page.content()
    assert _public_spent(page, base, ref) == before + Decimal("7.60")
    context.close()
