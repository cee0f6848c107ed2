"""Fixtures of the register: the seeds' 73 projects, a unit account, a small tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from votesys.extensions import db

SEED = Path(__file__).with_name("seed_zhuzhou.json")


@pytest.fixture
def seed(app):
    """株洲市 > 5 counties > 16 towns: the 73 projects of the 17 pilot units."""
    from votesys import scenario

    ids = scenario.load(json.loads(SEED.read_text(encoding="utf-8")))
    db.session.commit()
    return ids


@pytest.fixture
def tree(app):
    """A three-level tree with one project per node, two units, and their accounts."""
    from votesys import scenario
    from votesys.auth.services import create_user
    from votesys.projects.models import Unit

    ids = scenario.load(
        {
            "jurisdictions": [
                {"code": "C", "name": "市", "level": "city"},
                {"code": "D", "name": "区", "level": "county", "parent": "C"},
                {"code": "T", "name": "镇", "level": "township", "parent": "D"},
                {"code": "X", "name": "别区", "level": "county", "parent": "C"},
            ],
            "projects": [
                _project("city", "C", "市交通局", {"city": "100.00"}),
                _project("district", "D", "区人社局", {"county": "200.00", "social": "50.00"}),
                _project("town", "T", "镇人民政府", {"township": "30.00"}, completion="two_years"),
                _project("other", "X", "别区民政局", {"county": "0.10"}, completion="long_term"),
            ],
        }
    )
    units = {u.name: u.id for u in db.session.scalars(db.select(Unit))}
    create_user("renshe", "unit-pass-1", "unit", name="区人社局", unit_id=units["区人社局"])
    create_user("minzheng", "unit-pass-2", "unit", unit_id=units["别区民政局"])
    create_user("organiser", "organiser-pass", "organiser")
    db.session.commit()
    return ids["projects"]


def _project(key, where, unit, funding, completion="this_year"):
    return {
        "key": key,
        "title": f"项目{key}",
        "jurisdiction": where,
        "year": 2026,
        "completion": completion,
        "responsible_unit": unit,
        "funding": funding,
        "targets": [{"name": "培训", "unit": "人", "target": "2000"}],
    }
