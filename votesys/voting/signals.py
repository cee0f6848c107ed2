"""What the vote tells the rooms above it (they listen; the vote does not know them)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A vote's result was published and stands (not void), in the publishing transaction:
#: ``result_published.send(vote)``. The register enters the approved candidates as the
#: year's projects, or applies a rating vote's ratings (projects.register.on_publish).
result_published = _signals.signal("result-published")
