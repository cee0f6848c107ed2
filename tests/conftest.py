"""Fixtures: app, db, client, runner, login helpers and a scenario factory.

Tests run on SQLite (a fresh file per test) and, when TEST_DATABASE_URL is set, on that
database (PostgreSQL in CI): the schema is created once and every table is emptied after
each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from votesys import create_app
from votesys.config import normalise_database_url
from votesys.extensions import db as _db

PG_URL = os.environ.get("TEST_DATABASE_URL")
FAST_HASH = {"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 8}


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "pg_only" in item.keywords and not PG_URL:
            item.add_marker(skip_pg)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if PG_URL:
        return normalise_database_url(PG_URL)
    return ""


@pytest.fixture
def app(database_url, tmp_path, monkeypatch) -> Iterator:
    monkeypatch.setenv("VOTESYS_INSTANCE_PATH", str(tmp_path / "instance"))
    url = database_url or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            # a tablet's event stream ends soon, so that a test client reading it returns
            "TABLET_STREAM_SECONDS": 0.3,
            **FAST_HASH,
        }
    )
    with app.app_context():
        if database_url:
            _reset_postgres()
        else:
            _db.create_all()
        _rollups_built()
        yield app
        _db.session.remove()
        _every_record_verifies(app)
        _rollups_match()
        if database_url:
            _empty_tables()
        _db.engine.dispose()


def _rollups_built() -> None:
    """Tests start with the roll-ups' cells current, as `votesys db upgrade` leaves them."""
    from votesys.congress import rollups

    rollups.rebuild()
    _db.session.commit()


def _rollups_match() -> None:
    """Whatever a test wrote, the roll-ups' cells, kept on every commit, must equal a count
    from the rows (tests that leave them unbuilt on purpose are exempt)."""
    from votesys.congress import rollups

    if rollups.built(fresh=True):
        assert rollups.differences() == []
    _db.session.remove()


def _every_record_verifies(app) -> None:
    """Whatever a test did, every election record it produced must verify, signature included
    (tests that tamper with stored ballots on purpose compare against the record instead)."""
    from votesys.integrity.models import SigningKey
    from votesys.integrity.services import verify_signature
    from votesys.voting.models import VoteRecord
    from votesys.voting.record import parse_record
    from votesys.voting.record_rules import verify_record

    for row in _db.session.scalars(_db.select(VoteRecord)):
        failed = [c for c in verify_record(parse_record(row.body)) if not c.ok]
        assert not failed, f"record of vote {row.vote_id}: {failed}"
        pem = _db.session.scalar(
            _db.select(SigningKey.public_pem).where(SigningKey.fingerprint == row.key_fingerprint)
        )
        assert verify_signature(row.body, row.signature, pem.encode())
    _db.session.remove()


_pg_schema_ready = False


def _reset_postgres() -> None:
    """Create the schema on the first test; later tests start from emptied tables."""
    global _pg_schema_ready
    if not _pg_schema_ready:
        _db.drop_all()
        with _db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        _db.create_all()
        _pg_schema_ready = True
    _empty_tables()


def _empty_tables() -> None:
    """Empty every table; the audit chain's single head row goes back to the genesis hash."""
    from votesys.integrity.rules import GENESIS

    names = ", ".join(t.name for t in _db.metadata.sorted_tables if t.name != "audit_head")
    with _db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("UPDATE audit_head SET seq = 0, hash = :g"), {"g": GENESIS})


@pytest.fixture
def fresh_user_per_request(app):
    """The tests keep one app context open for the whole test, so Flask's ``g`` (and the user
    Flask-Login caches in it) would outlive a request; with this fixture each request loads
    its user afresh, as in production, so that several clients of one test are told apart."""
    from flask import g

    @app.before_request
    def _forget_cached_user():
        g.pop("_login_user", None)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_scenario(app):
    """Load a scenario built from a few numbers; returns the ids, committed."""
    from tests.factories import build_scenario
    from votesys import scenario

    def make(**kwargs) -> dict:
        ids = scenario.load(build_scenario(**kwargs))
        _db.session.commit()
        return ids

    return make


@pytest.fixture
def organiser(app):
    from votesys.auth.services import create_user

    user = create_user("organiser", "organiser-pass", "organiser", name="办公室")
    _db.session.commit()
    return user


@pytest.fixture
def api(client):
    """JSON calls with a bearer token: api.login(login, secret) then api.post(...)."""
    from tests.factories import ApiClient

    return ApiClient(client)


@pytest.fixture
def setup(make_scenario, organiser):
    """A small congress for the page tests: six deputies, four candidates, two places."""
    return make_scenario(deputies=6, candidates=4, seats=2)
