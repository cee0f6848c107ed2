"""QR codes as inline SVG, made on the server (segno, no network): the posters of stations,
deputies (代表码) and projects (民生码) share this one helper."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, *, error: str = "q", scale: int = 4, svgclass: str = "poster-qr") -> Markup:
    """The code of ``url`` as inline SVG; quartile error correction by default, since a
    poster on a wall gets dirty and torn."""
    svg = segno.make(url, error=error).svg_inline(
        scale=scale, title=url, omitsize=True, svgclass=svgclass
    )
    return Markup(svg)  # segno's own markup of an address made here (it escapes the title)
