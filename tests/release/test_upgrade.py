"""Upgrades keep data: the database of each earlier release (its demo data, committed in
tests/release/data) is upgraded to this version's head, and every row is still there, the
audit chain still verifies, and every published election record still verifies with
`votesys verify`. On SQLite, and on PostgreSQL in the PostgreSQL pass (the same rows copied
into a database at the release's revision)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask_migrate import upgrade
from sqlalchemy import select

from tests.conftest import FAST_HASH, PG_URL
from tests.release.snapshot import RELEASES, copy_sqlite, every_row, load_into_postgres
from votesys import backup, create_app
from votesys.cli import main as votesys_command
from votesys.database import throwaway_postgres_database
from votesys.extensions import db


def test_there_is_a_release_to_upgrade_from():
    assert [p.name for p in RELEASES][:1] == ["votesys-0.1.0.db"]


@pytest.fixture(params=RELEASES, ids=lambda p: p.stem)
def release_app(request, tmp_path, monkeypatch):
    """An app on the release's database, not yet upgraded; yields (app, rows at the start)."""
    monkeypatch.setenv("VOTESYS_INSTANCE_PATH", str(tmp_path / "instance"))
    source: Path = request.param
    if PG_URL:
        with throwaway_postgres_database(PG_URL, "votesys_upgrade") as url:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, **FAST_HASH})
            with app.app_context():
                load_into_postgres(source, db.engine)
                yield app, every_row(db.engine)
                db.session.remove()
                db.engine.dispose()
        return
    app = create_app({"SQLALCHEMY_DATABASE_URI": copy_sqlite(source, tmp_path / "old.db")})
    with app.app_context():
        yield app, every_row(db.engine)
        db.session.remove()
        db.engine.dispose()


def test_upgrade_keeps_every_row(release_app):
    app, before = release_app
    assert sum(t["count"] for t in before.values()) > 1000  # the demo, not an empty file
    upgrade()
    after = every_row(db.engine)
    for table, old in before.items():
        assert table in after, f"table {table} is gone"
        new = after[table]
        kept = [c for c in old["columns"] if c in new["columns"]]
        assert new["count"] == old["count"], f"{table}: {old['count']} rows -> {new['count']}"
        assert _project(old, kept) == _project(new, kept), f"{table}: rows changed"


def test_upgraded_records_and_audit_chain_verify(release_app, tmp_path):
    from votesys.integrity.models import SigningKey
    from votesys.voting.models import VoteRecord

    app, before = release_app
    upgrade()
    summary = backup.summarise()
    assert summary.audit_broken is None
    assert summary.audit_entries == before["audit_entries"]["count"] > 0
    assert summary.records == before["vote_records"]["count"] > 0
    assert summary.records_failed == []
    audit = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert audit.exit_code == 0, audit.output

    records = db.session.scalars(select(VoteRecord)).all()
    for row in records:
        pem = db.session.scalar(
            select(SigningKey.public_pem).where(SigningKey.fingerprint == row.key_fingerprint)
        )
        files = {
            "record": (tmp_path / f"record-{row.vote_id}.json", row.body),
            "sig": (tmp_path / f"record-{row.vote_id}.sig", row.signature),
            "key": (tmp_path / f"key-{row.vote_id}.pem", pem.encode()),
        }
        for path, content in files.values():
            path.write_bytes(content)
        result = CliRunner().invoke(
            votesys_command,
            ["verify", str(files["record"][0]), "--signature", str(files["sig"][0])]
            + ["--key", str(files["key"][0]), "--fingerprint", row.key_fingerprint],
        )
        assert result.exit_code == 0, result.output
        assert result.output.strip().splitlines()[-1] == "OK"
    db.session.remove()


def _project(dump: dict, columns: list[str]) -> list[tuple[str, ...]]:
    index = [dump["columns"].index(c) for c in columns]
    return sorted(tuple(row[i] for i in index) for row in dump["rows"])
