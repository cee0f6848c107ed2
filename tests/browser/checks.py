"""Layout checks run inside a page: nothing overflows the viewport sideways, every table's
headers sit as their columns' first cells do, and no column is squeezed to a character a
line. Each returns the defects it finds, in
words that name the page, the element, the table and the column."""

from __future__ import annotations

# (a) The page does not scroll sideways, and no visible element reaches past the
# viewport's right edge unless a scroll (or clipping) container of its own holds it: a wide
# table in an overflow-x: auto wrapper is the designed behaviour on a phone.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  // clientWidth, the layout viewport's: on a phone, innerWidth grows with a page too wide
  const doc = document.documentElement.scrollWidth;
  if (doc > width + 1) {
    problems.push(`the page is ${doc}px wide in a ${width}px viewport`);
  }
  const name = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) {
      s += '.' + el.className.trim().split(/\\s+/).join('.');
    }
    const text = (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ');
    return text ? `${s} "${text.slice(0, 40)}"` : s;
  };
  const held = el => {
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement;
         a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed' && r.left >= width) continue;
    if (held(el)) continue;
    // report the outermost: a child of a reported element adds nothing
    if (problems.some(p => p.el && p.el.contains(el))) continue;
    problems.push({el, text: `${name(el)} reaches ${Math.round(r.right)}px of ${width}px`});
  }
  return problems.map(p => typeof p === 'string' ? p : p.text);
}"""

# (b) In every shown table with a header row and a row of data, each column's header is
# aligned as its first data cell is (start/left and end/right count as one), and a column
# whose first cell is a plain number (not a year) is right-aligned, its header too.
ALIGNMENT = """() => {
  const side = a => ({start: 'left', left: 'left', '-webkit-left': 'left', justify: 'left',
                      end: 'right', right: 'right', '-webkit-right': 'right',
                      center: 'center', '-webkit-center': 'center'})[a] || a;
  const NUMBER = /^[+\\-−]?\\d[\\d,]*(\\.\\d+)?\\s*%?$/;
  const YEAR = /^(19|20)\\d\\d$/;  // a year names a row, as a word does: not a quantity
  const columns = row => {
    const cells = [];
    for (const cell of row.cells) {
      cells.push(cell);
      for (let i = 1; i < cell.colSpan; i++) cells.push(null);  // spanned: not compared
    }
    return cells;
  };
  const problems = [];
  document.querySelectorAll('table').forEach((table, n) => {
    if (!table.tHead || !table.tHead.rows.length || !table.getClientRects().length) return;
    const first = [...table.tBodies].flatMap(b => [...b.rows])
      .find(r => r.cells.length > 1 || (r.cells.length && r.cells[0].colSpan === 1));
    if (!first) return;
    const heads = columns(table.tHead.rows[table.tHead.rows.length - 1]);
    const cells = columns(first);
    const label = table.id ? '#' + table.id
      : (table.caption ? `"${table.caption.innerText.trim()}"` : `table ${n + 1}`);
    heads.forEach((th, i) => {
      const td = cells[i];
      if (!th || !td || th.colSpan > 1 || td.colSpan > 1) return;
      const h = side(getComputedStyle(th).textAlign);
      const d = side(getComputedStyle(td).textAlign);
      const column = `${label}, column ${i + 1} "${th.innerText.trim()}"`;
      if (h !== d) {
        problems.push(`${column}: header ${h}, first cell ${d} ("${td.innerText.trim()}")`);
      } else if (NUMBER.test(td.innerText.trim()) && !YEAR.test(td.innerText.trim())
                 && d !== 'right') {
        problems.push(`${column}: the number "${td.innerText.trim()}" is ${d}-aligned`);
      }
    });
  });
  return problems;
}"""


# (c) No table cell is squeezed to one character a line (a column too narrow for its words,
# as a nine-column table gets on a phone unless it scrolls in a wrapper).
SQUEEZED = """() => {
  const problems = [];
  document.querySelectorAll('table').forEach((table, n) => {
    if (!table.getClientRects().length) return;
    const label = table.id ? '#' + table.id
      : (table.caption ? `"${table.caption.innerText.trim()}"` : `table ${n + 1}`);
    for (const cell of table.querySelectorAll('th, td')) {
      const text = cell.innerText.replace(/\\s+/g, '');
      if ([...text].length < 3 || cell.getBoundingClientRect().width < 2) continue;
      const style = getComputedStyle(cell);
      const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
      const range = document.createRange();
      range.selectNodeContents(cell);
      const lines = Math.round(range.getBoundingClientRect().height / line);
      if (lines >= [...text].length) {
        problems.push(`${label}: "${text.slice(0, 20)}" is squeezed to one character a line`);
        return;  // one is enough to name the table
      }
    }
  });
  return problems;
}"""


def layout_problems(page) -> list[str]:
    """What is wrong with the page's layout as shown, each prefixed with its address."""
    found = page.evaluate(OVERFLOW) + page.evaluate(ALIGNMENT) + page.evaluate(SQUEEZED)
    return [f"{page.url}: {p}" for p in found]
