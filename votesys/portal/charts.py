"""Charts drawn on the server as SVG: no script, no external request, readable by a screen
reader (role="img" with a title and a description), and always shown beside a table of the
same numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from votesys.formats import punct

# Colours with at least 3:1 contrast against white (WCAG 2.1 non-text contrast).
PALETTE = ("#1f5f99", "#b3541e", "#2e7d32", "#7b3fa0", "#8a6d00", "#c62828", "#00695c")
TEXT = "#1d1d1d"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    shown: str  # the value as written above the bar, e.g. "3,140.50 万元（28.7%）"


# Sizes in the drawing's units. Drawn 340 wide, the chart shows at its size on a desk and
# shrinks with the phone's width: on a 390-px phone (324 px inside the card) its 15-unit
# text is 14 px, on a 360-px one 13 px — never under 12 px.
WIDTH, FONT, LINE, BAR, GAP = 340, 15, 20, 12, 12


def bar_chart(title: str, bars: Sequence[Bar], *, width: int = WIDTH) -> Markup:
    """Horizontal bars, one per row, scaled to the largest value; above each bar its label
    (left) and its value (right), on one line when both fit, else on two. Nothing is cut:
    a label longer than the chart's width wraps."""
    top = max((Decimal(b.value) for b in bars), default=Decimal(0))
    desc = punct(";").join(f"{b.label}{punct(':')}{b.shown}" for b in bars)
    rows, y = [], GAP // 2
    for i, bar in enumerate(bars):
        lines = _wrap(bar.label, width)
        if _width(lines[-1]) + FONT + _width(bar.shown) <= width:
            values_line = len(lines) - 1  # the value beside the label's last line
        else:
            values_line = len(lines)  # the value on a line of its own
        texts = [(n, t, "start") for n, t in enumerate(lines)] + [(values_line, bar.shown, "end")]
        for n, text, anchor in texts:
            x = 0 if anchor == "start" else width
            rows.append(
                f'<text x="{x}" y="{y + n * LINE + FONT}" text-anchor="{anchor}" '
                f'font-size="{FONT}" fill="{TEXT}">{escape(text)}</text>'
            )
        y += (max(len(lines) - 1, values_line) + 1) * LINE + 4
        share = (Decimal(bar.value) / top) if top else Decimal(0)
        w = max(int(share * width), 2) if bar.value else 2
        rows.append(
            f'<rect x="0" y="{y}" width="{w}" height="{BAR}" '
            f'fill="{PALETTE[i % len(PALETTE)]}" rx="3"/>'
        )
        y += BAR + GAP
    height = max(y, 1)
    return Markup(
        "".join(
            [
                f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
                f'height="{height}" role="img" '
                f'aria-labelledby="{_id(title)}-t {_id(title)}-d" '
                f'xmlns="http://www.w3.org/2000/svg">',
                f'<title id="{_id(title)}-t">{escape(title)}</title>',
                f'<desc id="{_id(title)}-d">{escape(desc)}</desc>',
                *rows,
                "</svg>",
            ]
        )
    )


def _width(text: str, size: float = FONT) -> float:
    """A generous guess of the text's width: a Chinese character is one em, anything else
    0.62 em (the widest Latin letters and digits of the page's fonts are under that)."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.62 for ch in text)


def _wrap(text: str, room: float) -> list[str]:
    """The label in lines that fit ``room``: broken at spaces where there are any, else
    between characters (Chinese)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" ") if " " in text else list(text):
        sep = " " if line and " " in text else ""
        if line and _width(line + sep + word) > room:
            lines.append(line)
            line = word
        else:
            line += sep + word
        while _width(line) > room:  # one word wider than the chart: cut it between letters
            cut = next(i for i in range(len(line), 0, -1) if _width(line[:i]) <= room)
            lines.append(line[:cut])
            line = line[cut:]
    return [*lines, line] if line or not lines else lines


def _id(title: str) -> str:
    """A stable element id for a chart, from its title."""
    return "c" + hashlib.sha1(title.encode()).hexdigest()[:10]
