"""The Alembic revisions build exactly the schema the models describe, on each database."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.conftest import FAST_HASH, PG_URL
from votesys import create_app
from votesys.database import throwaway_postgres_database
from votesys.extensions import db


@pytest.fixture
def empty_database(tmp_path):
    """A brand-new database: a SQLite file, or a throwaway PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    with throwaway_postgres_database(PG_URL, "votesys_migrations") as url:
        yield url


def test_upgrade_matches_models_and_downgrades(empty_database, tmp_path, monkeypatch):
    monkeypatch.setenv("VOTESYS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, **FAST_HASH})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                sql = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = 'ballots'")
                ).scalar()
            assert "WITHOUT ROWID" in sql
        downgrade(revision="base")
        with db.engine.connect() as conn:
            remaining = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_no_schema_is_created_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("VOTESYS_INSTANCE_PATH", str(tmp_path / "instance"))
    url = f"sqlite:///{tmp_path / 'untouched.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        assert db.inspect(db.engine).get_table_names() == []
        db.engine.dispose()
    assert os.path.exists(tmp_path / "instance" / "secret_key")
    assert oct(os.stat(tmp_path / "instance" / "secret_key").st_mode & 0o777) == "0o600"


def test_upgrade_keeps_existing_data(empty_database, tmp_path, monkeypatch):
    """A database in use is upgraded in place: rows already there survive every revision."""
    monkeypatch.setenv("VOTESYS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, **FAST_HASH})
    with app.app_context():
        upgrade(revision="0a84038368b6")  # the first revision
        with db.engine.begin() as conn:
            for sql in (
                "INSERT INTO jurisdictions (id, code, name, level) VALUES (1, 'J', '区', 'county')",
                "INSERT INTO congresses (id, jurisdiction_id, name, term) VALUES (1, 1, '人大', 1)",
                "INSERT INTO sessions (id, congress_id, name, date) VALUES (1, 1, '会议', "
                "'2027-01-01')",
                "INSERT INTO candidates (id, session_id, title, summary, responsible_unit) "
                "VALUES (1, 1, '项目', '', '')",
                "INSERT INTO votes (id, session_id, title, seats, max_for, style, base, mode, "
                "state, runoff_needed, created_at) VALUES (1, 1, '票决', 1, 1, 'per_candidate', "
                "'all_deputies', 'electronic', 'open', false, '2027-01-01 09:00:00')",
                "INSERT INTO vote_candidates (vote_id, candidate_id, position) VALUES (1, 1, 0)",
            ):
                conn.execute(text(sql))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM vote_candidates")).scalar() == 1
            assert conn.execute(text("SELECT state FROM votes")).scalar() == "open"
            assert conn.execute(text("SELECT seq FROM audit_head")).scalar() == 0
        db.engine.dispose()
