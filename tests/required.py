"""What some tests need from outside Python (Redis, openssl, nginx), and what a missing one
means: on a developer's machine the test is skipped, with its reason printed (pytest -rs);
in CI (VOTESYS_REQUIRE_BROWSER, set by scripts/test, or CI set) it fails, as a skip there
would pass a run in which those tests never ran."""

from __future__ import annotations

import os
import shutil

import pytest

# The one variable naming the tests' Redis. The tests' keys carry a prefix (or a client
# address) of their own and are deleted afterwards, so the tests share one database number.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def in_ci() -> bool:
    return bool(os.environ.get("VOTESYS_REQUIRE_BROWSER") or os.environ.get("CI"))


def missing(reason: str) -> None:
    """Skip, or in CI fail, with ``reason``."""
    if in_ci():
        pytest.fail(f"{reason} (required when VOTESYS_REQUIRE_BROWSER or CI is set)", pytrace=False)
    pytest.skip(reason)


def redis():
    """A client of the tests' Redis, which answers; else skipped, or failed in CI."""
    import redis as redis_py

    client = redis_py.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis_py.exceptions.ConnectionError:
        client.close()
        missing(f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL)")
    return client


def program(name: str, package: str) -> str:
    """The path of a program on PATH; else skipped, or failed in CI."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is not installed (apt-get install {package})")
    return path
