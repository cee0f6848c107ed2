"""The waiting tablets: which electronic vote is open in each congress, watched once per
server process and shared by every tablet waiting in it.

A hall has thousands of tablets waiting for the vote to open and then to close. Polling the
database for each of them every 2 s would cost one request and several queries per tablet
per 2 s; instead each tablet holds one stream open (``/tablet/events``, server-sent events)
and one thread per server process reads the open votes every ``TABLET_WATCH_INTERVAL``
seconds while anyone waits, then wakes the streams whose congress changed, and each writes
one event on its open connection: no request, no query per tablet. The database is the
shared state between processes and hosts, so a vote opened by any process reaches every
waiting tablet within one interval, and the cost does not grow with the number of tablets.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import NamedTuple

from flask import Flask
from sqlalchemy import create_engine, select

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
    """One per app (and so per server process): the latest reading and the waiters."""

    def __init__(self, app: Flask, interval: float) -> None:
        self._app = app
        self._interval = interval
        self._cond = threading.Condition()
        self._snapshot: dict[int, OpenVote] | None = None
        self._waiters = 0
        self._thread: threading.Thread | None = None
        self._engine = None

    def wait(self, congress_id: int, known: int | None, timeout: float) -> OpenVote | None:
        """Block until the open vote of ``congress_id`` is not the one whose id is ``known``
        or ``timeout`` seconds pass; return the open vote (None: no vote open). Holds no
        database connection: only the watcher's thread reads."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._waiters += 1
            try:
                self._ensure_thread_locked()
                while self._snapshot is None:  # the watcher's first reading
                    if not self._cond.wait(FIRST_READING_S):
                        raise Unavailable("unavailable")  # the database does not answer
                while True:
                    current = self._snapshot.get(congress_id)
                    left = deadline - time.monotonic()
                    if (current.id if current else None) != known or left <= 0:
                        return current
                    self._cond.wait(left)
            finally:
                self._waiters -= 1

    def _ensure_thread_locked(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._snapshot = None  # nobody watched meanwhile: wait for a fresh reading
            self._thread = threading.Thread(target=self._run, name="open-votes-watch", daemon=True)
            self._thread.start()

    def _read(self) -> dict[int, OpenVote]:
        """One reading on the watcher's own connection: the requests' pool is never waited
        for, so a request may hold its connection while it waits for the first reading."""
        if self._engine is None:
            with self._app.app_context():
                self._engine = create_engine(
                    db.engine.url, pool_size=1, max_overflow=0, pool_pre_ping=True
                )
        known = {v.id: v.present for v in (self._snapshot or {}).values()}
        with self._engine.connect() as conn:
            return open_votes_by_congress(conn, known)

    def _run(self) -> None:
        idle_since = None
        while True:
            try:
                snapshot = self._read()
            except Exception:  # the database may blink: the waiters keep waiting
                log.exception("reading the open votes failed")
                snapshot = None
            with self._cond:
                if snapshot is not None and snapshot != self._snapshot:
                    self._snapshot = snapshot
                    self._cond.notify_all()
                if self._waiters == 0:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > LINGER_S:
                        self._thread = None
                        self._snapshot = None
                        if self._engine is not None:
                            self._engine.dispose()
                            self._engine = None
                        return
                else:
                    idle_since = None
            time.sleep(self._interval)


def watch(app: Flask) -> OpenVotesWatch:
    """The app's watcher, made on first use (after gunicorn forked the process)."""
    existing = app.extensions.get("votesys.open_votes")
    if existing is None:
        with _lock:
            existing = app.extensions.get("votesys.open_votes")
            if existing is None:
                existing = OpenVotesWatch(app, app.config["TABLET_WATCH_INTERVAL"])
                app.extensions["votesys.open_votes"] = existing
    return existing


_lock = threading.Lock()
