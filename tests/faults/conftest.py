"""Fault tests: the production server in child processes against PostgreSQL. They need
TEST_DATABASE_URL (CI sets it) and make throwaway databases on that server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.faults.live import Server
from votesys.config import normalise_database_url
from votesys.database import throwaway_postgres_database


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(
        reason="fault tests run the production server on PostgreSQL: set TEST_DATABASE_URL"
    )
    for item in items:
        if "tests/faults" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
            if not PG_URL:
                item.add_marker(skip)


@pytest.fixture
def server_db() -> Iterator[str]:
    """A throwaway database (votesys_faults_…) on the test PostgreSQL server."""
    with throwaway_postgres_database(PG_URL, prefix="votesys_faults") as url:
        yield normalise_database_url(url)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    """Servers a test starts are appended here and stopped at its end, whatever happened."""
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()
