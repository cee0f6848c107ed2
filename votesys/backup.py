"""Backup and restore of the whole database: SQLite through its online backup API,
PostgreSQL through pg_dump/pg_restore (custom format), both safe while the server runs."""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import URL, Engine

from votesys.extensions import db
from votesys.integrity import services as integrity
from votesys.voting.models import Vote, VoteRecord
from votesys.voting.record import parse_record
from votesys.voting.record_rules import verify_record

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# Tables that a freshly migrated, unused database already fills: they do not make it "in use".
BOOKKEEPING = {"audit_head", "alembic_version"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class Summary:
    """What a database holds: rows per table, and whether its records and chain verify."""

    rows: dict[str, int]
    votes_by_state: dict[str, int] = field(default_factory=dict)
    audit_entries: int = 0
    audit_broken: str | None = None
    records: int = 0
    records_failed: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        states = ", ".join(f"{n} {s}" for s, n in sorted(self.votes_by_state.items()))
        shown = [
            ("congresses", "congresses"),
            ("deputies", "deputies"),
            ("sessions", "sessions"),
            ("votes", f"votes ({states or 'none'})"),
            ("roll_entries", "deputies recorded as having voted"),
            ("ballots", "ballots"),
            ("vote_records", "election records"),
            ("opinions", "citizens' opinions"),
            ("projects", "projects"),
            ("users", "accounts"),
        ]
        out = [f"  {self.rows.get(table, 0):>7}  {label}" for table, label in shown]
        if self.audit_broken:
            out.append(f"  audit chain: BROKEN ({self.audit_broken})")
        else:
            out.append(f"  audit chain: {self.audit_entries} entries verify")
        if self.records_failed:
            out.append(f"  election records that do NOT verify: votes {self.records_failed}")
        else:
            out.append(f"  election records: all {self.records} verify (signatures included)")
        return out


# --- what a database holds ------------------------------------------------------------


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows of every votesys table present in the database (missing tables are left out)."""
    present = set(inspect(engine).get_table_names())
    counts = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in present:
                counts[table.name] = conn.scalar(select(func.count()).select_from(table))
    return counts


def in_use(engine: Engine) -> bool:
    return any(n for t, n in row_counts(engine).items() if t not in BOOKKEEPING)


def summarise() -> Summary:
    """Count, and verify the audit chain and every election record (in an app context)."""
    summary = Summary(rows=row_counts(db.engine))
    summary.votes_by_state = dict(
        db.session.execute(select(Vote.state, func.count()).group_by(Vote.state)).all()
    )
    checked, broken_at, why = integrity.verify_audit_chain()
    summary.audit_entries = checked
    summary.audit_broken = f"entry {broken_at}: {why}" if broken_at is not None else None
    for row in db.session.scalars(select(VoteRecord).order_by(VoteRecord.vote_id)):
        summary.records += 1
        record = parse_record(row.body)
        pem = integrity.key_pem(row.key_fingerprint)
        ok = all(c.ok for c in verify_record(record)) and (
            pem is not None and integrity.verify_signature(row.body, row.signature, pem.encode())
        )
        if not ok:
            summary.records_failed.append(row.vote_id)
    db.session.remove()
    return summary


# --- backup ---------------------------------------------------------------------------


def backup(engine: Engine, target: Path) -> str:
    """Write a consistent copy of the database to ``target`` (mode 0600, replaced atomically).
    Returns the kind of file written."""
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        if engine.dialect.name == "sqlite":
            kind = _sqlite_backup(engine.url, tmp)
        elif engine.dialect.name == "postgresql":
            kind = _pg_dump(engine, tmp)
        else:
            raise BackupError(f"cannot back up a {engine.dialect.name} database")
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return kind


def _sqlite_backup(url: URL, tmp: Path) -> str:
    """SQLite's online backup API: a snapshot taken under a read transaction; in WAL mode the
    server's writers carry on meanwhile."""
    src = sqlite3.connect(_sqlite_path(url))
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
        # One self-contained file: no write-ahead log beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(dst, tmp)
    finally:
        dst.close()
        src.close()
    return "SQLite database"


def _pg_dump(engine: Engine, tmp: Path) -> str:
    """pg_dump in its custom format: one consistent snapshot (a repeatable-read transaction),
    taken while the server runs."""
    tool = _pg_tool("pg_dump", engine)
    _run([tool, "--format=custom", f"--file={tmp}"], engine.url)
    return "PostgreSQL custom-format dump"


# --- restore --------------------------------------------------------------------------


def restore(engine: Engine, source: Path, *, force: bool) -> str:
    """Replace the database's content with the backup's. Refuses a database in use unless
    ``force``. Returns the kind of file restored."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    with source.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    kind = (
        "sqlite"
        if head.startswith(SQLITE_MAGIC)
        else "postgresql"
        if head.startswith(PGDUMP_MAGIC)
        else None
    )
    if kind is None:
        raise BackupError(f"{source}: not a votesys backup (neither SQLite nor a pg_dump file)")
    if kind != engine.dialect.name:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{source} is a {names[kind]} backup but this installation's database is "
            f"{names.get(engine.dialect.name, engine.dialect.name)}: restore it into a "
            f"{names[kind]} database"
        )
    if not force and in_use(engine):
        raise BackupError(
            "the database is not empty: restoring would replace everything in it. "
            "Back it up first, then run again with --force"
        )
    if kind == "sqlite":
        _sqlite_restore(engine, source)
        return "SQLite database"
    _pg_restore(engine, source)
    return "PostgreSQL custom-format dump"


def _sqlite_restore(engine: Engine, source: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _check_sqlite(src, source)
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"votes", "audit_head"} <= tables:
            raise BackupError(f"{source}: a SQLite database, but not a votesys one")
        engine.dispose()  # this process's pooled connections must not outlive the swap
        dst = sqlite3.connect(_sqlite_path(engine.url), timeout=15)
        try:
            src.backup(dst)  # page by page, under the destination's write lock
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


def _pg_restore(engine: Engine, source: Path) -> None:
    """One transaction: a failed restore leaves the database as it was."""
    tool = _pg_tool("pg_restore", engine)
    with engine.connect() as conn:
        has_tables = bool(inspect(conn).get_table_names())
    engine.dispose()
    args = [tool, "--single-transaction", "--no-owner", "--no-privileges"]
    if has_tables:  # empty (e.g. just migrated) or --force: the backup's tables replace them
        args += ["--clean", "--if-exists"]
    # A server still running holds locks on the tables: give up rather than wait forever.
    _run(
        [*args, f"--dbname={_conninfo(engine.url)}", str(source)],
        engine.url,
        dbname=False,
        options="-c lock_timeout=30s",
    )


# --- helpers --------------------------------------------------------------------------


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return url.database


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{path}: not a readable SQLite database ({err})") from None
    if result != "ok":
        raise BackupError(f"{path}: the SQLite integrity check fails: {result}")


def _pg_tool(name: str, engine: Engine) -> str:
    """The client tool of the server's major version or newer: Debian's versioned folder
    first, then PATH, then any other installed version."""
    with engine.connect() as conn:
        major = int(conn.scalar(text("SHOW server_version_num"))) // 10000
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    for path in filter(None, candidates):
        if not os.access(path, os.X_OK):
            continue
        out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        found = re.search(r"(\d+)(?:\.\d+)?", out)
        if found and int(found.group(1)) >= major:
            return path
    raise BackupError(
        f"{name} of PostgreSQL {major} or newer is not installed "
        f"(Debian: apt-get install postgresql-client-{major})"
    )


def _conninfo(url: URL) -> str:
    """A libpq URL without the password (that goes in PGPASSWORD, not on a command line)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(args: list[str], url: URL, *, dbname: bool = True, options: str = "") -> None:
    env = dict(os.environ)
    if options:
        env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} {options}".strip()
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if dbname:
        args = [*args, f"--dbname={_conninfo(url)}"]
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        hint = ""
        if "lock timeout" in done.stderr:
            hint = "\nthe database is in use: stop the votesys servers, then run again"
        raise BackupError(f"{Path(args[0]).name} failed:\n{tail}{hint}")


def url_for_display(url: URL) -> str:
    return url.render_as_string(hide_password=True)
