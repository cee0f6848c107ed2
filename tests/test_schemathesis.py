"""The API against its own description (votesys/openapi.json), by schemathesis: generated
requests, valid and invalid, to every operation, in process against the WSGI app with a seeded
database; every check of schemathesis runs on every answer: below 500, and the status,
headers, content type and body as described."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.access_world import PASSWORD, build

SPEC = Path(__file__).resolve().parents[1] / "votesys" / "openapi.json"
OPERATIONS = [
    (path, method.upper())
    for path, item in json.loads(SPEC.read_text(encoding="utf-8"))["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
]
# Operations that end the token every other call uses: run as themselves, unauthenticated.
WITHOUT_TOKEN = {("/api/v1/auth/logout", "POST"), ("/api/v1/auth/pin", "POST")}
# Bodies that name stored objects (a station or jurisdiction, opinions to merge): a schema
# cannot know which exist, and an unknown one is refused as invalid (422) by design. Every
# other check still runs on these operations.
NAMES_STORED_OBJECTS = {("/api/v1/opinions", "POST"), ("/api/v1/opinions/merge", "POST")}


@pytest.fixture
def schema(app, fresh_user_per_request):
    build()
    for key in ("OPINION_RATE_LIMIT", "LOGIN_RATE_LIMIT_CLIENT", "LOGIN_RATE_LIMIT_ACCOUNT"):
        app.config[key] = "100000 per minute"
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def token(app) -> str:
    r = app.test_client().post("/api/v1/auth/token", json={"login": "admin", "password": PASSWORD})
    return r.get_json()["token"]


def test_api_matches_its_description(app, schema):
    """One seeded database for every operation (a fresh one per operation is most of the time
    on PostgreSQL); every operation runs, and the failures are reported together."""
    failures = []
    for path, method in OPERATIONS:
        try:
            exercise(app, schema, path, method)
        except Exception as err:  # noqa: BLE001 - reported with the operation's name
            failures.append(f"{method} {path}: {err}")
    assert not failures, "\n\n".join(failures)


def exercise(app, schema, path: str, method: str) -> None:
    operation = schema[path][method]
    headers = {} if (path, method) in WITHOUT_TOKEN else {"Authorization": f"Bearer {token(app)}"}
    excluded = [positive_data_acceptance] if (path, method) in NAMES_STORED_OBJECTS else []
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    run()


def test_every_operation_is_exercised():
    assert len(OPERATIONS) >= 47 and ("/api/v1/auth/token", "POST") in OPERATIONS
