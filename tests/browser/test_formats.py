"""Charts on a phone (390×844), in Chinese and in English: every label and value whole (no
"…", nothing outside the drawing) and at least 12 px high as shown; the chart's figures
written as its table writes them. On a desk-sized screen, every number column of the
public, desk and printed pages sits right-aligned under a right-aligned header. Issue 17
item 16: English labels were cut ("provincial f…"), the text was 11 px on a phone, and
headers sat left of their numbers."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESK, sign_in

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Each chart's texts as shown: its content, its size on the screen, and whether it lies
# inside the drawing (the drawing's own box, in its units).
CHART_TEXTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBBox();
    return {text: t.textContent, px: parseFloat(t.getAttribute('font-size')) * scale,
            inside: b.x >= box.x - 0.5 && b.x + b.width <= box.x + box.width + 0.5
                    && b.y >= box.y - 0.5 && b.y + b.height <= box.y + box.height + 0.5};
  });
}).flat()"""
# Each chart's table: its row headers and cells, as read.
TABLE_CELLS = """() => [...document.querySelectorAll('figure.chart-box tbody tr')].map(
  tr => [...tr.cells].map(c => c.textContent.trim()))"""
# Every column of every table whose header and first cell are not aligned alike.
MISALIGNED = """() => { const norm = a => a === 'start' ? 'left' : a === 'end' ? 'right' : a;
  const bad = [];
  for (const t of document.querySelectorAll('table')) {
    if (!t.tHead || !t.tBodies.length || !t.tBodies[0].rows.length) continue;
    const head = t.tHead.rows[t.tHead.rows.length - 1], body = t.tBodies[0].rows[0];
    if ([...head.cells, ...body.cells].some(c => c.colSpan !== 1)) continue;
    [...head.cells].forEach((th, i) => {
      const td = body.cells[i];
      if (!td || !td.textContent.trim()) return;
      const h = norm(getComputedStyle(th).textAlign), d = norm(getComputedStyle(td).textAlign);
      if (h !== d) bad.push([th.textContent.trim(), h, td.textContent.trim(), d]);
    });
  }
  return bad; }"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_are_whole_and_readable_on_a_phone(browser, demo, lang, tmp_path):
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{demo}/?lang={lang}")
    ref = page.eval_on_selector("a[href^='/projects/2026-']", "a => a.getAttribute('href')")
    for path in ("/", "/statistics", ref):
        page.goto(f"{demo}{path}")
        page.screenshot(path=str(tmp_path / f"chart-{lang}-{path.strip('/') or 'home'}.png"))
        texts = page.evaluate(CHART_TEXTS)
        assert texts, path
        small = [t for t in texts if t["px"] < 12]
        assert not small, (path, small)
        outside = [t for t in texts if not t["inside"]]
        assert not outside, (path, outside)
        assert not [t for t in texts if "…" in t["text"]], path
        # each bar's label and value is its table row's, whole and formatted alike
        shown = {t["text"] for t in texts}
        for row in page.evaluate(TABLE_CELLS):
            assert row[0] in shown, (path, row[0])
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    if lang == "zh":
        page.goto(f"{demo}/")
        assert "6,300.00 万元（32.4%）" in {t["text"] for t in page.evaluate(CHART_TEXTS)}


def test_number_columns_are_right_aligned_under_their_headers(browser, demo):
    public = browser.new_context(**DESK).new_page()
    for path in ("/", "/statistics", "/projects/2026-430212-03", "/votes/1/announcement"):
        public.goto(f"{demo}{path}")
        assert public.evaluate(MISALIGNED) == [], path
    desk = sign_in(browser, demo, "organiser")
    for path in (
        "/desk/sessions/1",
        "/desk/sessions/2",
        "/desk/votes/1",
        "/desk/votes/1/paper-ballot",
        "/desk/projects/",
        "/desk/projects/3",
        "/desk/figures",
        "/desk/stations",
        "/hall/1",
    ):
        desk.goto(f"{demo}{path}")
        assert desk.evaluate(MISALIGNED) == [], path


def test_the_page_has_its_icon(browser, demo):
    page = browser.new_context(**DESK).new_page()
    page.goto(f"{demo}/")
    href = page.eval_on_selector("link[rel=icon]", "l => l.href")
    assert href.endswith("/static/favicon.svg")
    size = page.evaluate(
        """async href => { const img = new Image(); img.src = href; await img.decode();
           return [img.naturalWidth, img.naturalHeight]; }""",
        href,
    )
    assert size[0] > 0 and size[1] > 0
    assert page.request.get(f"{demo}/favicon.ico").status == 200
