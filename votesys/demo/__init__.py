"""The demo data a newcomer sees: 渌口区's congress, 179 deputies, 15 candidates for 10 places."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from votesys.extensions import db

SCENARIO = Path(__file__).with_name("lukou.json")
ORGANISER = ("organiser", "votesys-demo")


def load_if_empty() -> bool:
    """Load the demo when no congress exists yet; commit. Returns whether it loaded."""
    from votesys import scenario
    from votesys.auth.services import create_user
    from votesys.congress.models import Congress

    if db.session.scalar(select(func.count(Congress.id))):
        return False
    scenario.load(json.loads(SCENARIO.read_text(encoding="utf-8")))
    create_user(ORGANISER[0], ORGANISER[1], "organiser", name="区人大常委会办公室")
    db.session.commit()
    return True
