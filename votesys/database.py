"""Database plumbing: SQLite pragmas, and one commit per request at its boundary."""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, Response
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session as OrmSession

from votesys.config import normalise_database_url
from votesys.extensions import db

log = logging.getLogger(__name__)

_installed = False


def migrations_directory() -> Path:
    """Alembic's folder: inside the installed package where votesys was installed from its
    wheel (``votesys/_migrations``, mapped there by setup.py), else the checkout's own
    top-level ``migrations/`` (an editable install, the tests)."""
    package = Path(__file__).parent
    packaged = package / "_migrations"
    return packaged if packaged.is_dir() else package.parent / "migrations"


def install_sqlite_pragmas() -> None:
    """WAL (readers do not block the writer), foreign keys on, wait for locks."""
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA secure_delete=ON")  # deleted ballots leave no trace
            _owner_only(cursor)
            cursor.close()


def truncate_wal_after_commit(session) -> None:
    """Once this transaction commits, fold SQLite's write-ahead log into the database and
    truncate it. While a vote is open the WAL holds each cast as one commit, the roll row
    beside the ballot; after the seal those frames must not outlive the vote."""
    session.info["truncate_wal"] = True


def after_commit(session, action) -> None:
    """Run ``action()`` once this transaction has committed (not if it rolls back): for
    what must happen only when the data it concerns is durable, e.g. destroying a key."""
    session.info.setdefault("after_commit", []).append(action)


@event.listens_for(OrmSession, "after_rollback")
def _forget_actions(session) -> None:
    session.info.pop("after_commit", None)
    session.info.pop("truncate_wal", None)


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session) -> None:
    for action in session.info.pop("after_commit", []):
        action()
    if not session.info.pop("truncate_wal", False):
        return
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
    if busy:
        log.warning("the SQLite write-ahead log could not be truncated yet (readers active)")


def _owner_only(cursor) -> None:
    """The database file and its journal are readable by their owner only."""
    for _, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.chmod(path + suffix, 0o600)
                except (FileNotFoundError, PermissionError):
                    pass


def commit_at_request_end(app: Flask) -> None:
    """Services flush; a request that answers below 400 is committed here, any other is
    rolled back (Flask-SQLAlchemy removes the session at teardown)."""
    from sqlalchemy.exc import SQLAlchemyError

    @app.after_request
    def _commit(response: Response) -> Response:
        try:
            if response.status_code < 400:
                db.session.commit()
            else:
                db.session.rollback()
        except SQLAlchemyError as err:
            # The database went away (or refused) at the commit itself: answer as if the
            # handler had raised it (503 for an outage), not with a 500 and a traceback.
            # Nothing was committed; a retry with the same Idempotency-Key is safe.
            return _failed_commit(app, response, err)
        return response


# Headers that describe the refused answer's body; the others (security headers, caching)
# are carried over to the error answer that replaces it.
_BODY_HEADERS = {
    "content-type",
    "content-length",
    "content-disposition",
    "content-encoding",
    "location",
    "etag",
    "last-modified",
}


def _failed_commit(app: Flask, refused: Response, err: Exception) -> Response:
    answer = app.make_response(app.handle_user_exception(err))
    for key, value in refused.headers.items():
        if key.lower() not in _BODY_HEADERS and key not in answer.headers:
            answer.headers[key] = value
    return answer


@contextmanager
def throwaway_postgres_database(server_url: str, prefix: str = "votesys_tmp") -> Iterator[str]:
    """A fresh database on the given PostgreSQL server, dropped afterwards; yields its URL.
    For benchmarks and migration tests: the database named in ``server_url`` is untouched."""
    url = make_url(normalise_database_url(server_url))
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
