"""The waiting tablets: which electronic vote is open in each congress, watched once per
server process and shared by every tablet waiting in it.

A hall has thousands of tablets waiting for the vote to open and then to close, and in the
voting season a province's townships and counties hold their sessions on the same morning on
one installation. Polling the database for each tablet every 2 s would cost one request and
several queries per tablet per 2 s; instead each tablet holds one stream open
(``/tablet/events``, server-sent events) and one thread per server process reads the open
votes for all of them, then wakes only the streams of the congresses whose open vote changed,
and each writes one event on its open connection: no request, no query per tablet.

When does the watcher read? On PostgreSQL, when it is told: every transaction that opens,
closes or otherwise changes a vote sends ``NOTIFY votesys_open_votes`` (``announce``: a hook
on every ORM session, so no path that changes a vote can forget it), which PostgreSQL
delivers at the commit, and never for a rolled-back change; the watcher LISTENs on its own
connection and reads at once. It also reads every ``TABLET_WATCH_INTERVAL`` seconds while
anyone waits, as it always did: on SQLite that is the only way (it has no notifications),
and on PostgreSQL it bounds the cost of a lost notification (a change written by hand, a
broken connection) to one interval. The database is the shared state between processes and
hosts, so a vote opened by any process reaches every waiting tablet, and the cost does not
grow with the number of tablets.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import datetime
from typing import NamedTuple

from flask import Flask
from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from votesys.congress.models import CongressSession
from votesys.errors import Unavailable
from votesys.extensions import db
from votesys.voting.models import PresentAtOpening, Vote, VoteState
from votesys.voting.rules import VoteMode

log = logging.getLogger(__name__)

# How long the watcher keeps reading after the last waiter left, before its thread ends.
LINGER_S = 5.0
# How long a waiter waits for the watcher's first reading before giving up (a 503).
FIRST_READING_S = 10.0
# PostgreSQL's channel: a vote changed (no payload: the watcher reads every open vote).
CHANNEL = "votesys_open_votes"
# The columns of a vote the waiting tablets read (open_votes_by_congress).
WATCHED = ("state", "mode", "title", "practice", "closes_at", "session_id")
_ANNOUNCED = "votesys.open_votes_announced"


class OpenVote(NamedTuple):
    id: int
    title: str
    # The deputies counted present when it opened: those, and only those, may cast in it
    # (written with the opening, never changed after).
    present: frozenset[int]
    practice: bool = False  # 试投票: the tablet says so
    closes_at: datetime | None = None  # the time limit's end, if any (voting.countdown)


def open_votes_by_congress(
    connection, known: dict[int, frozenset[int]] | None = None
) -> dict[int, OpenVote]:
    """The open electronic vote of each congress that has one (the lowest id, as the tablet
    page shows): one indexed query over the few open votes, and the list of those present
    at its opening for a vote not in ``known`` (vote id → that list)."""
    rows = connection.execute(
        select(CongressSession.congress_id, Vote.id, Vote.title, Vote.practice, Vote.closes_at)
        .join(CongressSession, CongressSession.id == Vote.session_id)
        .where(Vote.state == VoteState.OPEN, Vote.mode == VoteMode.ELECTRONIC)
        .order_by(Vote.id.desc())
    )
    known = known or {}
    votes = {}
    for congress_id, vote_id, title, practice, closes_at in rows:
        present = known.get(vote_id)
        if present is None:
            present = frozenset(
                connection.scalars(
                    select(PresentAtOpening.deputy_id).where(PresentAtOpening.vote_id == vote_id)
                )
            )
        votes[congress_id] = OpenVote(vote_id, title, present, practice, closes_at)
    return votes


class OpenVotesWatch:
    """One per app (and so per server process): the latest reading and the waiters, each
    waiting on its congress's condition (one lock for all), so that a change wakes the
    streams of that congress only."""

    def __init__(self, app: Flask, interval: float, push: bool = True) -> None:
        self._app = app
        self._interval = interval
        self._push = push  # LISTEN, where the database can (PostgreSQL with psycopg)
        self._lock = threading.Lock()
        self._first = threading.Condition(self._lock)  # the first reading of a thread
        # congress id -> [its condition, how many wait on it]
        self._congresses: dict[int, list] = {}
        self._snapshot: dict[int, OpenVote] | None = None
        self._waiters = 0
        self._thread: threading.Thread | None = None
        self._engine = None
        self._listening = None  # the connection that LISTENs, while there is one
        self.notified = 0  # notifications received (tests)

    def wait(self, congress_id: int, known: int | None, timeout: float) -> OpenVote | None:
        """Block until the open vote of ``congress_id`` is not the one whose id is ``known``
        or ``timeout`` seconds pass; return the open vote (None: no vote open). Holds no
        database connection: only the watcher's thread reads."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._waiters += 1
            slot = self._congresses.setdefault(congress_id, [threading.Condition(self._lock), 0])
            slot[1] += 1
            try:
                self._ensure_thread_locked()
                while True:
                    if self._snapshot is None:  # the watcher's first reading
                        if not self._first.wait(FIRST_READING_S):
                            raise Unavailable("unavailable")  # the database does not answer
                        continue
                    current = self._snapshot.get(congress_id)
                    left = deadline - time.monotonic()
                    if (current.id if current else None) != known or left <= 0:
                        return current
                    slot[0].wait(left)
            finally:
                self._waiters -= 1
                slot[1] -= 1
                if slot[1] == 0:
                    del self._congresses[congress_id]

    def _ensure_thread_locked(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._snapshot = None  # nobody watched meanwhile: wait for a fresh reading
            self._thread = threading.Thread(target=self._run, name="open-votes-watch", daemon=True)
            self._thread.start()

    def _connect(self):
        """The watcher's own engine (the requests' pool is never waited for, so a request
        may hold its connection while it waits for the first reading) and, where the
        database can notify, its one connection LISTENing (autocommit), also used to read.
        LISTEN comes before the reading, so no change between the two is missed."""
        if self._engine is None:
            with self._app.app_context():
                self._engine = create_engine(
                    db.engine.url, pool_size=1, max_overflow=0, pool_pre_ping=True
                )
            dialect = self._engine.dialect
            self._push = self._push and (dialect.name, dialect.driver) == (
                "postgresql",
                "psycopg",
            )
        if self._push and self._listening is None:
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                conn.exec_driver_sql(f"LISTEN {CHANNEL}")
            except Exception:
                conn.invalidate()
                conn.close()
                raise
            self._listening = conn
        return self._listening

    def _drop_connection(self) -> None:
        if self._listening is not None:
            with contextlib.suppress(Exception):
                self._listening.invalidate()  # never back to the pool still LISTENing
                self._listening.close()
            self._listening = None

    def _read(self) -> dict[int, OpenVote]:
        """One reading: on the LISTENing connection, or one of the watcher's pool."""
        known = {v.id: v.present for v in (self._snapshot or {}).values()}
        listening = self._connect()
        if listening is not None:
            return open_votes_by_congress(listening, known)
        with self._engine.connect() as conn:
            return open_votes_by_congress(conn, known)

    def _pause(self) -> None:
        """Until a notification or the interval's end (the fallback poll)."""
        if self._listening is None:
            time.sleep(self._interval)
            return
        try:
            raw = self._listening.connection.driver_connection
            # notifications that came during the reading are returned at once
            for _ in raw.notifies(timeout=self._interval, stop_after=1):
                self.notified += 1
        except Exception:  # the connection broke: the next reading reconnects at once
            log.exception("waiting for notifications of the open votes failed")
            self._drop_connection()
            time.sleep(0.05)  # (while the database is down, that reading fails: the poll)

    def _publish(self, snapshot: dict[int, OpenVote] | None) -> None:
        """Keep a new reading and wake the waiters of each congress it changed; the others
        sleep on."""
        if snapshot is None or snapshot == self._snapshot:
            return
        old, self._snapshot = self._snapshot, snapshot
        if old is None:  # a first reading: every waiter (one of a thread that died, too)
            self._first.notify_all()
            woken = list(self._congresses)
        else:
            woken = [c for c in old.keys() | snapshot.keys() if old.get(c) != snapshot.get(c)]
        for congress_id in woken:
            slot = self._congresses.get(congress_id)
            if slot is not None:
                slot[0].notify_all()

    def _run(self) -> None:
        idle_since = None
        while True:
            try:
                snapshot = self._read()
            except Exception:  # the database may blink: the waiters keep waiting
                log.exception("reading the open votes failed")
                self._drop_connection()
                snapshot = None
            with self._lock:
                self._publish(snapshot)
                if self._waiters == 0:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > LINGER_S:
                        self._thread = None
                        self._snapshot = None
                        self._drop_connection()
                        if self._engine is not None:
                            self._engine.dispose()
                            self._engine = None
                        return
                else:
                    idle_since = None
            self._pause()


def watch(app: Flask) -> OpenVotesWatch:
    """The app's watcher, made on first use (after gunicorn forked the process)."""
    existing = app.extensions.get("votesys.open_votes")
    if existing is None:
        with _lock:
            existing = app.extensions.get("votesys.open_votes")
            if existing is None:
                existing = OpenVotesWatch(
                    app,
                    app.config["TABLET_WATCH_INTERVAL"],
                    push=app.config.get("TABLET_WATCH_PUSH", True),
                )
                app.extensions["votesys.open_votes"] = existing
    return existing


_lock = threading.Lock()


# -- the push: NOTIFY with every change of a vote ------------------------------------------


def announce(session: Session) -> None:
    """Tell the watchers of every process that the open votes may have changed: on
    PostgreSQL, a NOTIFY in this transaction (delivered at its commit, dropped with its
    rollback; once a transaction). Nothing on SQLite: its watchers poll."""
    if session.info.get(_ANNOUNCED):
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"NOTIFY {CHANNEL}")
    session.info[_ANNOUNCED] = True


def _vote_changed(session: Session) -> bool:
    """A vote made, removed, or one of the columns the tablets read changed."""
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Vote):
            return True
    for obj in session.dirty:
        if isinstance(obj, Vote):
            attrs = inspect(obj).attrs
            if any(attrs[name].history.has_changes() for name in WATCHED):
                return True
    return False


def _after_flush(session: Session, _context) -> None:
    if not session.info.get(_ANNOUNCED) and _vote_changed(session):
        announce(session)


def _on_execute(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE of votes (a close takes the row with one ``UPDATE … WHERE
    state = 'open'``)."""
    if (state.is_update or state.is_delete) and not state.session.info.get(_ANNOUNCED):
        if any(m.class_ is Vote for m in state.all_mappers):
            announce(state.session)


def _transaction_over(session: Session, *_args) -> None:
    session.info.pop(_ANNOUNCED, None)


# On every ORM session of the process, as public_cache's listeners: every process that runs
# the app imports this module (the tablet's views do), and no path that changes a vote (the
# organiser's opening and close, a paper close, a practice vote, the switch to paper) has to
# remember to announce it.
if not event.contains(Session, "after_flush", _after_flush):
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "after_commit", _transaction_over)
    event.listen(Session, "after_soft_rollback", _transaction_over)
