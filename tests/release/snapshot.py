"""The database of an earlier release, for the upgrade tests: the committed SQLite file made
by that release (its demo data), loaded as it is or copied row for row into PostgreSQL at
the same revision, and a dump of every row to compare before and after an upgrade.

To add a release: on its tag, `votesys db upgrade && votesys demo` into a new SQLite file
(DATABASE_URL=sqlite:///…), `PRAGMA journal_mode=DELETE`, and commit it here as
``votesys-<version>.db``; every file here is upgraded by tests/release/test_upgrade.py."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, func, select, text
from sqlalchemy.engine import Engine

DATA = Path(__file__).with_name("data")
RELEASES = sorted(DATA.glob("votesys-*.db"))


def revision_of(sqlite_file: Path) -> str:
    """The Alembic revision the release's database was at."""
    engine = create_engine(f"sqlite:///{sqlite_file}")
    with engine.connect() as conn:
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    engine.dispose()
    return revision


def copy_sqlite(source: Path, target: Path) -> str:
    """A copy the test may change (the committed file stays as it is); returns its URL."""
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def load_into_postgres(source: Path, engine: Engine) -> None:
    """The release's data in an empty PostgreSQL database: migrate it to the release's own
    revision, then copy every row of the SQLite file into it (the release's schema on both
    sides), and move each id sequence past the ids copied. Call in an app context on
    ``engine``'s database."""
    upgrade(revision=revision_of(source))
    src_engine = create_engine(f"sqlite:///{source}")
    src, dst = MetaData(), MetaData()
    src.reflect(src_engine)
    dst.reflect(engine)
    tables = [t for t in dst.sorted_tables if t.name != "alembic_version"]
    with src_engine.connect() as read, engine.begin() as write:
        # Rows arrive table by table: foreign keys are checked by the source's own
        # consistency, not in this order (the superuser's replica role skips their triggers).
        write.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(tables):
            write.execute(table.delete())  # rows the migrations seed (the audit head, …)
        for table in tables:
            rows = [dict(r._mapping) for r in read.execute(select(src.tables[table.name]))]
            if rows:
                write.execute(table.insert(), rows)
        for table in tables:
            for column in table.primary_key.columns:
                sequence = write.scalar(
                    text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": table.name, "c": column.name},
                )
                if sequence:
                    last = f"SELECT coalesce(max({column.name}), 0) + 1 FROM {table.name}"
                    write.execute(text(f"SELECT setval('{sequence}', ({last}), false)"))
    src_engine.dispose()


def every_row(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every row of every table, as sorted tuples of its columns (by name): the same
    database before and after an upgrade compares equal on the columns both have."""
    meta = MetaData()
    meta.reflect(engine)
    dump = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            columns = sorted(table.columns, key=lambda c: c.name)
            dump[table.name] = {
                "columns": [c.name for c in columns],
                "rows": sorted(
                    (tuple(repr(v) for v in row) for row in conn.execute(select(*columns))),
                ),
                "count": conn.scalar(select(func.count()).select_from(table)),
            }
    return dump
