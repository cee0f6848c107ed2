"""The API against its own description (votesys/openapi.json), by schemathesis: generated
requests, valid and invalid, to every operation, in process against the WSGI app with a seeded
database, once anonymously and once as an organiser of the home county.

Every check schemathesis has runs on every answer (as `st run --checks all`): below 500; the
status, headers, content type and body as described; data the schema allows is accepted and
data it forbids is refused; an operation that declares a login refuses a request without one
or with a wrong one. For each operation: the boundary and type cases of every parameter and
body field (schemathesis's coverage phase), then random requests (its fuzzing phase), both
against the home county's objects, and each query parameter sent empty, as an HTML form does;
then linked sequences of operations (its stateful phase), where use_after_free and
ensure_resource_availability have something to compare."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    CHECKS,
    ignored_auth,
    is_check_class,
    load_all_checks,
    positive_data_acceptance,
)
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override

from tests.access_world import PASSWORD, build

SPEC = json.loads(
    (Path(__file__).resolve().parents[1] / "votesys" / "openapi.json").read_text(encoding="utf-8")
)
OPERATIONS = [
    (path, method.upper())
    for path, item in SPEC["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
]
load_all_checks()
# Every check schemathesis registers, whatever its configuration enables. One of them,
# object_level_authorization, compares what several configured identities may read
# (`[auth.wfc]`); with one identity a run it has nothing to compare: a jurisdiction's objects
# against another jurisdiction's users are tests/test_access_matrix.py's.
EVERY_CHECK = [check for check in CHECKS.get_all() if not is_check_class(check)]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
IDENTITIES = {"anonymous": None, "organiser": "organiser"}  # login of access_world's organiser
# Operations that end the token they are called with: each call gets a token of its own.
TOKEN_PER_CALL = {("/api/v1/auth/logout", "POST"), ("/api/v1/auth/pin", "POST")}
# Schema-valid requests refused for what no schema can state: what is stored (which station,
# deputy, project or target exists; an opinion's current step), the configured funding sources,
# today's date, a rule across two query parameters, a file's content. Each is named by its
# operation, the refusal's `error` and its `field` (a glob); positive_data_acceptance forgives
# these and no other refusal, and every other check runs on every answer.
BEYOND_THE_SCHEMA: dict[tuple[str, str], set[tuple[str, str]]] = {
    # which station or jurisdiction exists
    # (and which deputy is stationed at the station: 代表码); the photos' content
    ("/api/v1/opinions", "POST"): {
        ("invalid", "station"),
        ("invalid", "jurisdiction"),
        ("invalid", "deputy"),
        ("invalid", "photos*"),
        ("photo_too_large", ""),
    },
    # which opinions, sessions and candidates exist and may be merged
    ("/api/v1/opinions/merge", "POST"): {
        ("invalid", "opinions"),
        ("invalid", "session"),
        ("invalid", "candidate"),
    },
    # the opinion's current step: which step may come next, and what it needs
    ("/api/v1/opinions/track/{code}/feedback", "POST"): {("feedback_not_expected", "")},
    ("/api/v1/opinions/{opinion_id}/steps", "POST"): {
        ("step_not_allowed", ""),
        ("feedback_not_expected", ""),
        ("invalid", "route"),
        ("invalid", "unit"),
        ("invalid", "reason"),
        ("invalid", "note"),
        ("invalid", "signers"),
    },
    # a mainland mobile (no pattern states it), once per project; a comment's characters
    ("/api/v1/public/projects/{ref}/ratings", "POST"): {
        ("invalid", "phone"),
        ("invalid", "comment"),
        ("already_rated", ""),
    },
    # which jurisdiction exists; not before today; the window's length (at least 30 days, at
    # most a year) and no overlap with the jurisdiction's other campaigns; the negative
    # list's texts (no control characters, not blank, no item twice)
    ("/api/v1/campaigns", "POST"): {
        ("invalid", "jurisdiction"),
        ("invalid", "opens_on"),
        ("invalid", "closes_on"),
        ("campaign_too_short", ""),
        ("campaigns_overlap", ""),
        ("invalid", "negative_list*"),
    },
    # `to` not before `from`
    ("/api/v1/stations/{station_id}/stats", "GET"): {("invalid", "to")},
    ("/api/v1/jurisdictions/{code}/opinion-stats", "GET"): {("invalid", "to")},
    # the project's targets, the funding sources, not after today, the photos' content
    ("/api/v1/projects/{project_id}/reports", "POST"): {
        ("invalid", "values.*"),
        ("unknown_source", ""),
        ("invalid", "reported_on"),
        ("invalid", "photos*"),
    },
    ("/api/v1/projects/{project_id}/milestones/{milestone_id}/done", "POST"): {
        ("invalid", "done_on")
    },
    # the funding sources; the congress's deputies; the project's year, completion and dates
    ("/api/v1/projects/{project_id}/plan", "POST"): {
        ("unknown_source", ""),
        ("invalid", "supervisors*"),
        ("invalid", "stages*"),
        ("invalid", "planned_finish"),
    },
    ("/api/v1/projects/{project_id}/changes", "POST"): {("unknown_source", "")},
    ("/api/v1/projects/{project_id}/supervision", "POST"): {("invalid", "deputy")},
    # which projects the session's jurisdiction has; the jurisdiction's rules of the vote
    ("/api/v1/sessions/{session_id}/rating-votes", "POST"): {
        ("invalid", "projects*"),
        ("rating_vote_not_held", "style"),
        ("invalid", "exception_reason"),
        ("invalid", "base"),
    },
    # which candidates the session has, places and the "for" limit within their number, the
    # combinations of style, mode and practice, the jurisdiction's rules of the vote
    ("/api/v1/sessions/{session_id}/votes", "POST"): {
        ("invalid", "candidates*"),
        ("invalid", "seats"),
        ("invalid", "max_for"),
        ("invalid", "mode"),
        ("invalid", "base"),
        ("invalid", "practice"),
        ("invalid", "exception_reason"),
        ("too_few_candidates", "candidates"),
        ("rating_vote_not_held", "style"),
    },
    # which deputies the congress has, their mandates; which staff manage the session
    ("/api/v1/sessions/{session_id}/scrutineers", "PUT"): {
        ("invalid", "deputy_codes"),
        ("invalid", "required"),
    },
    ("/api/v1/sessions/{session_id}/tellers", "PUT"): {("invalid", "logins")},
    # the file: a spreadsheet with the right columns and good rows
    ("/api/v1/jurisdictions/{code}/projects/import", "POST"): {
        ("import_refused", ""),
        ("invalid", "file"),
    },
}
# The home project's target, reached at 146 % (2921 of 2000: the example of docs/api.md), so
# that answers carry a target with every field.
TARGET = {"name": "产业工人技能培训", "unit": "人", "target": "2000.00"}


@pytest.fixture
def world(app, fresh_user_per_request):
    from votesys.extensions import db
    from votesys.projects import queries, register, reports

    world = build()
    project = queries.get_project(world.ids["project_id"])
    register.set_plan(project, {"targets": [TARGET]})
    reports.add_report(
        project, {"status": "in_progress", "progress": 50, "values": {TARGET["name"]: "2921"}}
    )
    db.session.commit()
    for key in (
        "OPINION_RATE_LIMIT",
        "LOGIN_RATE_LIMIT_CLIENT",
        "LOGIN_RATE_LIMIT_ACCOUNT",
        "RECEIPT_RATE_LIMIT",
        "TRACK_DATA_RATE_LIMIT",
        "RATING_RATE_LIMIT",
    ):
        app.config[key] = "100000 per minute"
    return world


@pytest.fixture
def schema(app, world):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.parametrize("who", IDENTITIES)
def test_api_matches_its_description(app, world, schema, who):
    """One seeded database for every operation (a fresh one per operation is most of the time
    on PostgreSQL); every operation runs, and the failures are reported together."""
    failures: list[str] = []
    for path, method in OPERATIONS:
        failures += exercise(app, world, schema, path, method, who)
    failures += stateful(app, schema, who)
    assert not failures, "\n\n".join(failures)


def token(app, who: str) -> dict[str, str]:
    """The headers of a request by ``who``: a fresh bearer token, or none."""
    if IDENTITIES[who] is None:
        return {}
    r = app.test_client().post(
        "/api/v1/auth/token", json={"login": IDENTITIES[who], "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def known(world, path: str) -> dict[str, object]:
    """The path's parameters, naming the home county's objects."""
    ids = world.ids | {
        "code": world.ids["tracking_code" if "/track/" in path else "jurisdiction_code"]
    }
    return {name: value for name, value in ids.items() if "{" + name + "}" in path}


def needs_login(operation) -> bool:
    security = operation.definition.raw.get("security", [])
    return bool(security) and {} not in security


class Failures(dict):
    """Failures of one identity, each told once (by title and message), with a request
    that shows it."""

    def add(self, who: str, case, group: FailureGroup) -> None:
        for failure in group.exceptions:
            key = f"{case.operation.label} ({who}): {failure.title}: {failure.message}"
            self.setdefault(key, f"{key}\n{case.as_curl_command()}")


def checks_for(operation) -> list:
    """Every check, positive_data_acceptance forgiving the operation's BEYOND_THE_SCHEMA, and
    ignored_auth once per operation on a successful answer, as schemathesis's runner does
    ("enforcement is a property of the operation"): it sends each request twice more."""
    key = (operation.path, operation.method.upper())
    allowed = BEYOND_THE_SCHEMA.get(key, set())
    confirmed: list[bool] = []

    def accepted_unless_beyond_the_schema(ctx, response, case):
        try:
            return positive_data_acceptance(ctx, response, case)
        except Failure:
            body = as_json(response)
            error, field = body.get("error", ""), body.get("field", "")
            if any(error == e and fnmatchcase(field, f) for e, f in allowed):
                return None
            raise

    def auth_enforced_once(ctx, response, case):
        if confirmed:
            return None
        result = ignored_auth(ctx, response, case)
        if 200 <= response.status_code < 300:
            confirmed.append(True)
        return result

    accepted_unless_beyond_the_schema.__name__ = positive_data_acceptance.__name__
    auth_enforced_once.__name__ = ignored_auth.__name__
    special = {positive_data_acceptance: accepted_unless_beyond_the_schema}
    special[ignored_auth] = auth_enforced_once
    return [special.get(check, check) for check in EVERY_CHECK]


def exercise(app, world, schema, path: str, method: str, who: str) -> list[str]:
    operation = schema[path][method]
    shared = token(app, who)
    checks = checks_for(operation)
    found = Failures()

    def call(case) -> None:
        headers = token(app, who) if (path, method) in TOKEN_PER_CALL else shared
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except FailureGroup as group:
            found.add(who, case, group)

    path_parameters = known(world, path)
    anonymous_refused = IDENTITIES[who] is None and needs_login(operation)
    # The coverage phase: the path's own invalid values as generated, every other case with
    # the path naming the home county's objects. Anonymously, an operation that needs a login
    # answers 401 whatever is sent: the fuzzing phase below shows it.
    if not anonymous_refused:
        for case in CoverageGenerator(
            operation=operation,
            generation_modes=MODES,
            generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
            auth_storage=None,
            override=Override(),
            feedback=FeedbackSources(),
        ):
            if not case.meta.is_negative_at(ParameterLocation.PATH):
                case.path_parameters = {**(case.path_parameters or {}), **path_parameters}
            call(case)

    @given(
        case=st.one_of(
            [operation.as_strategy(mode, path_parameters=path_parameters) for mode in MODES]
        )
    )
    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case):
        call(case)

    fuzz()
    if not anonymous_refused:
        found.update(empty_parameters(operation, path_parameters, shared, who))
    return list(found.values())


def empty_parameters(operation, path_parameters, headers, who) -> dict[str, str]:
    """schemathesis never sends a query parameter empty (`?status=`), as an HTML form does:
    each one is sent so, alone. One whose schema refuses "" must be refused (422 `invalid`
    naming it), one whose schema allows "" accepted."""
    problems = {}
    for parameter in operation.query:
        name = parameter.name
        allowed = jsonschema_rs.validator_for(
            parameter.definition["schema"] | {"components": SPEC["components"]},
            validate_formats=True,
        ).is_valid("")
        query = {p.name: example(p.definition["schema"]) for p in operation.query if p.is_required}
        case = operation.Case(path_parameters=path_parameters, query=query | {name: ""})
        response = case.call(headers=headers)
        body = as_json(response)
        refused = response.status_code == 422 and body.get("field") == name
        if allowed == refused or response.status_code >= 500:
            key = f"{operation.label} ({who}): ?{name}= is {'valid' if allowed else 'invalid'}"
            problems[key] = f"{key} by the schema; answered {response.status_code} {body}"
    return problems


def as_json(response) -> dict:
    return response.json() if "json" in response.headers.get("content-type", [""])[0] else {}


def example(schema: dict) -> str:
    """A valid value of a simple query parameter, as sent."""
    if "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].split("/")[-1]]
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return str(max(schema.get("minimum", 2026), 2026))
    return "x"


def stateful(app, schema, who: str) -> list[str]:
    """schemathesis's stateful phase: sequences of operations, linked by what an answer gives
    the next request (inferred from the schema), with every check and the recorded sequence,
    which use_after_free and ensure_resource_availability need."""
    headers = token(app, who)
    checks = {}
    found = Failures()

    class Sequences(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            if case.operation.label not in checks:
                checks[case.operation.label] = checks_for(case.operation)
            try:
                case.validate_response(
                    response,
                    checks=checks[case.operation.label],
                    headers=headers,
                    transport_kwargs=kwargs or None,
                    recorder=self.recorder,
                )
            except FailureGroup as group:
                found.add(who, case, group)

    Sequences.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    return list(found.values())


def test_every_operation_and_check_is_exercised():
    assert len(OPERATIONS) >= 47 and ("/api/v1/auth/token", "POST") in OPERATIONS
    assert {check.__name__ for check in EVERY_CHECK} >= {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
        "allow_header_conformance",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
        "object_level_authorization",
    }
