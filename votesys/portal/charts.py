"""Charts drawn on the server as SVG: no script, no external request, readable by a screen
reader (role="img" with a title and a description), and always shown beside a table of the
same numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

# Colours with at least 3:1 contrast against white (WCAG 2.1 non-text contrast).
PALETTE = ("#1f5f99", "#b3541e", "#2e7d32", "#7b3fa0", "#8a6d00", "#c62828", "#00695c")
TEXT = "#1d1d1d"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    shown: str  # the value as written beside the bar, e.g. "3,140.50 万元 (28.7%)"


def bar_chart(title: str, bars: Sequence[Bar], *, width: int = 440) -> Markup:
    """Horizontal bars, one per row, scaled to the largest value."""
    row_h, gap, label_w, value_w = 26, 8, 96, 168
    plot_w = max(60, width - label_w - value_w)
    height = max(1, len(bars)) * (row_h + gap) + gap
    top = max((Decimal(b.value) for b in bars), default=Decimal(0))
    desc = "; ".join(f"{b.label}: {b.shown}" for b in bars)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{_id(title)}-t {_id(title)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_id(title)}-t">{escape(title)}</title>',
        f'<desc id="{_id(title)}-d">{escape(desc)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = gap + i * (row_h + gap)
        share = (Decimal(bar.value) / top) if top else Decimal(0)
        w = int(share * plot_w) if bar.value else 0
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row_h * 0.68:.0f}" text-anchor="end" '
            f'font-size="15" fill="{TEXT}">{escape(_fit(bar.label, label_w - 12))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 2)}" height="{row_h}" '
            f'fill="{colour}" rx="3"/>'
            f'<text x="{label_w + max(w, 2) + 6}" y="{y + row_h * 0.68:.0f}" font-size="15" '
            f'fill="{TEXT}">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _fit(text: str, room: float, size: float = 15) -> str:
    """The label cut (with …) to the room beside the bar; the table beside has it whole."""

    def width(ch: str) -> float:
        return size if ord(ch) >= 0x2E80 else size * 0.56

    if sum(map(width, text)) <= room:
        return text
    out, used = "", width("…")
    for ch in text:
        if used + width(ch) > room:
            break
        out, used = out + ch, used + width(ch)
    return out + "…"


def _id(title: str) -> str:
    """A stable element id for a chart, from its title."""
    return "c" + hashlib.sha1(title.encode()).hexdigest()[:10]
