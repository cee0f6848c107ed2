"""Each request loads its user afresh (see ``fresh_user_per_request`` in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh(fresh_user_per_request):
    return None
