"""Background jobs: an import of more than IMPORT_BACKGROUND_ROWS rows runs in a thread of
the server process that received the file, and its ``jobs`` row is what every process reads.

Why a thread of the receiving process rather than a queue and a worker: the job's input —
the rows read from the file, a roster's initial PINs among them — stays in that process's
memory and is never stored, and no other service has to run. Several server processes or
hosts are fine: the state, the progress and the outcome are in the database, and any
process answers the job's page. A process that ends mid-job (a restart) ends its jobs:
nothing of them was written, since the rows are written in one transaction at their end, and
a job no longer heard from shows as interrupted; the organiser imports the file again.

A job's work reports its stage and rows to a ``Progress``, which commits them on a connection
of its own at most twice a second: that is also the job's heartbeat. The work writes the rows
in one transaction that takes the audit chain's head only at its very end, for the import's
one entry, so that a login or any other audited action never waits for an import on
PostgreSQL; on SQLite, whose single writer is the whole database, they wait for that
transaction's inserts (no per-row work is left in it).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from votesys import importing
from votesys.auth.models import User
from votesys.congress.models import Job, JobState, Jurisdiction
from votesys.congress.services import ensure_manages
from votesys.errors import NotFound
from votesys.extensions import db
from votesys.models_base import utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 0.5
# A queued or running job not heard from for this long was interrupted: its process ended.
# Far above the heartbeat, since on SQLite none is written while the rows are.
STALE_AFTER = timedelta(minutes=2)
# Jobs running at once in one server process; more wait, queued, for a slot.
MAX_RUNNING = 2
_slots = threading.BoundedSemaphore(MAX_RUNNING)
_threads: dict[int, threading.Thread] = {}

KIND_LABELS = {
    "roster": _l("Importing the roster"),
    "candidates": _l("Importing candidate projects"),
    "plan": _l("Importing the plan"),
    "progress": _l("Importing progress reports"),
}
DONE_LABELS = {
    "roster": _l("%(n)s deputies imported."),
    "candidates": _l("%(n)s candidates imported."),
    "plan": _l("%(n)s projects imported."),
    "progress": _l("%(n)s progress reports imported."),
}
ERROR_LABELS = {
    "import_refused": _l("Nothing was imported; correct these rows and try again."),
    "import_conflict": _l(
        "Nothing was imported: the data changed while the file was being imported "
        "(another import or an edit). Please import the file again."
    ),
    "job_interrupted": _l(
        "Nothing was imported: the import was interrupted (the server restarted). "
        "Please import the file again."
    ),
    "job_failed": _l("Something went wrong on our side. Nothing was imported. Please try again."),
}


class Progress(importing.Progress):
    """A job's progress, committed beside its work (and its heartbeat)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.done = 0
        self._saved_at = 0.0
        self._quiet = False

    def stage(self, name: str, total: int) -> None:
        self.done = 0
        self._quiet = False
        self.save(stage=name, rows_total=total, rows_done=0)

    def writing(self, total: int) -> None:
        """The rows' transaction begins. On SQLite its write lock is the whole database's:
        nothing else, progress included, can be committed until it ends."""
        self.stage("writing", total)
        self._quiet = db.engine.dialect.name == "sqlite"

    def advance(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self._saved_at >= HEARTBEAT_SECONDS:
            self.save(rows_done=self.done)

    def save(self, **values: Any) -> None:
        """Commit the stage, the rows done or ``values``, and that the job is alive."""
        if self._quiet:
            return
        self._saved_at = time.monotonic()
        with db.engine.begin() as conn:  # beside the work's own transaction, never in it
            conn.execute(
                update(Job).where(Job.id == self.job_id).values(updated_at=utcnow(), **values)
            )


Work = Callable[[importing.Progress], dict[str, Any]]


def in_background(upload: importing.Upload) -> bool:
    return upload.rows > current_app.config["IMPORT_BACKGROUND_ROWS"]


def start(
    kind: str,
    *,
    jurisdiction: Jurisdiction,
    obj: str,
    upload: importing.Upload,
    user: User,
    work: Work,
) -> Job:
    """Record the job, committed at once (every process may be asked for it), and start its
    thread. ``work(progress)`` checks and writes the rows and returns the counts; it runs
    in an app context of its own and must take ids, not the request's objects."""
    job = Job(
        kind=kind,
        object=obj,
        jurisdiction_id=jurisdiction.id,
        user_id=user.id,
        filename=upload.filename,
        sha256=upload.sha256,
        rows_total=upload.rows,
    )
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_run, args=(app, job.id, work), name=f"votesys-job-{job.id}", daemon=True
    )
    _threads[job.id] = thread
    thread.start()
    return job


def join(job_id: int, timeout: float | None = None) -> bool:
    """Wait for a job of this process to end (tests, benchmarks). True if it has."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True


def _run(app: Flask, job_id: int, work: Work) -> None:
    with app.app_context():
        progress = Progress(job_id)
        try:
            while not _slots.acquire(timeout=5):
                progress.save()  # queued behind this process's other jobs: still alive
            try:
                progress.save(state=JobState.RUNNING)
                _work(job_id, work, progress)
            finally:
                _slots.release()
        except Exception:  # the job's row could not be written: it shows as interrupted
            log.exception("background job %s could not record its state", job_id)
        finally:
            db.session.remove()
            _threads.pop(job_id, None)


def _work(job_id: int, work: Work, progress: Progress) -> None:
    try:
        result = work(progress)
        _end(job_id, JobState.DONE, result=json.dumps(result))  # with the rows, at once
        return
    except importing.ImportRefused as refused:
        outcome = {"error": "import_refused", "errors": importing.errors_json(refused.errors)}
    except IntegrityError:
        outcome = {"error": "import_conflict"}
    except Exception:
        log.exception("background job %s failed", job_id)
        outcome = {"error": "job_failed"}
    db.session.rollback()
    _end(job_id, JobState.FAILED, **outcome)


def _end(job_id: int, state: str, **values: Any) -> None:
    now = utcnow()
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=state, finished_at=now, updated_at=now, **values)
    )
    db.session.commit()


def get_job(job_id: int, user: object) -> Job:
    """A job, for the organiser who started it and those who manage its jurisdiction."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("not_found")
    if not (isinstance(user, User) and job.user_id == user.id):
        ensure_manages(user, job.jurisdiction)
    return job


def state_of(job: Job) -> tuple[str, str | None]:
    """The job's state and error: one not heard from for too long was interrupted."""
    if job.state in (JobState.QUEUED, JobState.RUNNING) and (
        utcnow() - job.updated_at > STALE_AFTER
    ):
        return JobState.FAILED, "job_interrupted"
    return job.state, job.error


def progress_text(job: Job) -> str:
    state, _ = state_of(job)
    if state == JobState.QUEUED:
        return str(_l("Waiting for another import to end…"))
    if job.stage == "hashing":
        return str(
            _l("Hashing the PINs: %(done)s of %(total)s", done=job.rows_done, total=job.rows_total)
        )
    if job.stage == "writing":
        return str(_l("Writing the rows…"))
    return str(
        _l("Checking the rows: %(done)s of %(total)s", done=job.rows_done, total=job.rows_total)
    )


def as_dict(job: Job, url: str) -> dict[str, Any]:
    """A job as JSON (the API's, and the desk page's progress): its row errors too, in the
    same shape as an import refused at once."""
    state, error = state_of(job)
    out: dict[str, Any] = {
        "id": job.id,
        "kind": job.kind,
        "object": job.object,
        "file": job.filename,
        "sha256": job.sha256,
        "state": state,
        "stage": job.stage or None,
        "done": job.rows_done,
        "total": job.rows_total,
        "created_at": job.created_at.isoformat(timespec="seconds") + "Z",
        "finished_at": job.finished_at.isoformat(timespec="seconds") + "Z"
        if job.finished_at
        else None,
        "url": url,
    }
    if state in (JobState.QUEUED, JobState.RUNNING):
        out["progress"] = progress_text(job)
    if state == JobState.DONE:
        out["result"] = json.loads(job.result or "{}")
    if state == JobState.FAILED:
        out["error"] = error
        out["message"] = str(ERROR_LABELS.get(error or "", ERROR_LABELS["job_failed"]))
        if error == "import_refused":
            out["rows"] = [
                {"row": e.row, "column": e.column, "reason": str(e.reason)} for e in row_errors(job)
            ]
    return out


def done_text(job: Job) -> str:
    """What a job done says: "20000 deputies imported." """
    label = DONE_LABELS.get(job.kind)
    imported = json.loads(job.result or "{}").get("imported", 0)
    return str(label) % {"n": imported} if label else ""


def row_errors(job: Job) -> list[importing.RowError]:
    return importing.errors_from_json(job.errors) if job.errors else []
