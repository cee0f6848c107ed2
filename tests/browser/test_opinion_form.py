"""A citizen on a phone fills in the public opinion form badly: every error shows at once, each
under its field, in plain words naming the field's label; the long text counts the
characters left. Issue: the form spoke developer ("category：须为以下之一：education, …",
"title：不能为空"), one error per submit."""

from __future__ import annotations

import re

from votesys.categories import Category

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
FIELDS = ("station", "category", "title", "content", "citizen_phone")


def test_every_error_at_once_beside_its_field(browser, demo, tmp_path):
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{demo}/opinions/new")
    options = page.locator("#category option").all_inner_texts()
    assert not set(options) & {c.value for c in Category}  # choices by their labels
    counter = page.locator("#content-count")
    assert counter.count() == 1, "no character counter on the long text"
    assert "5000" in counter.inner_text()  # the counter starts at the limit
    page.fill("#content", "北街路灯坏了")
    assert "4994" in counter.inner_text()  # and counts down as the citizen types
    page.fill("#content", "很" * 5003)
    assert "3" in counter.inner_text() and "over" in counter.get_attribute("class")
    page.fill("#citizen_phone", "123")
    page.click("button.primary")

    summary = page.locator(".error-summary")
    assert summary.count() == 1
    labels = {"station": "提交至联络站", "category": "类别", "title": "标题", "content": "内容"}
    labels["citizen_phone"] = "您的电话"
    for name in FIELDS:
        field, error = page.locator(f"#{name}"), page.locator(f"#{name}-error1")
        assert field.get_attribute("aria-invalid") == "true", name
        assert f"{name}-error1" in field.get_attribute("aria-describedby").split(), name
        text = error.inner_text()
        assert labels[name] in text, (name, text)
        # beside its field: just under it, in the same column
        box, below = field.bounding_box(), error.bounding_box()
        assert 0 <= below["y"] - (box["y"] + box["height"]) < 40, (name, box, below)
        assert abs(below["x"] - box["x"]) < 4, (name, box, below)
    shown = "\n".join(page.locator(".field-error, .error-summary").all_inner_texts())
    for internal in (*FIELDS, "education", "elderly_care"):
        assert not re.search(rf"\b{internal}\b", shown), (internal, shown)
    assert page.locator("#place-error1").count() == 0  # a good field has no error
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "phone-opinion-errors.png"), full_page=True)

    # put right, it goes through
    page.select_option("#station", label="株洲市渌口区 · 渌口镇人大代表联络站")
    page.select_option("#category", label="道路交通")
    page.fill("#title", "北街路灯坏了")
    page.fill("#content", "北街12号到20号的路灯坏了三个月。")
    page.fill("#citizen_phone", "139 1234 5678")
    page.click("button.primary")
    assert len(page.inner_text("#tracking-code").strip()) == 15
