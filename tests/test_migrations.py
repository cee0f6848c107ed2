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
