"""Fixtures of the login tests."""

from __future__ import annotations

import pytest

from votesys.auth.services import create_user
from votesys.extensions import db


@pytest.fixture
def two_counties(make_scenario, organiser):
    """County 430212 (deputies D…) and county 430299 (deputies E…), each with its organiser."""
    here = make_scenario(deputies=4, candidates=2, seats=1)
    there = make_scenario(deputies=4, candidates=2, seats=1, code_prefix="E", jurisdiction="430299")
    from votesys.congress.services import jurisdiction_by_code

    create_user(
        "org-here", "org-here-pass", "organiser", jurisdiction_id=jurisdiction_by_code("430212").id
    )
    create_user(
        "org-there",
        "org-there-pass",
        "organiser",
        jurisdiction_id=jurisdiction_by_code("430299").id,
    )
    db.session.commit()
    return here, there


@pytest.fixture(autouse=True)
def _fresh(fresh_user_per_request):
    """Each request loads its principal afresh, as in production: these tests sign several
    clients in and out within one app context."""
    return None
