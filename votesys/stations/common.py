"""What the stations' services share: today's date at the congress."""

from __future__ import annotations

from datetime import date

from votesys import clock


def today() -> date:
    """The date at the congress (Asia/Shanghai); see ``votesys.clock``."""
    return clock.today()
