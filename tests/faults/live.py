"""The production server (gunicorn, `votesys serve`) in a child process, a plain HTTP client,
a private PostgreSQL cluster, and the seeding of a vote with deputies' tokens."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import FAST_HASH
from tests.factories import build_scenario

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], Any], timeout: float, what: str, step: float = 0.1) -> Any:
    """Poll until ``condition()`` is truthy; fail after ``timeout`` seconds saying ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP -----------------------------------------------------------------------------


class Broken(Exception):
    """The connection broke before an answer arrived: the client cannot know what happened."""


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def call(
    base: str,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> Answer:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    sent = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return Answer(response.status, response.read(), dict(response.getheaders()))
    except (OSError, http.client.HTTPException) as err:
        raise Broken(repr(err)) from None
    finally:
        conn.close()


# --- the server -----------------------------------------------------------------------


@dataclass
class Server:
    """`votesys serve` (gunicorn, threaded workers) against ``database_url``."""

    database_url: str
    workdir: Path
    workers: int = 2
    threads: int = 4
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / f"server-{self.port}.log"

    def start(self, timeout: float = 90) -> Server:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "VOTESYS_INSTANCE_PATH": str(self.workdir / "instance"),
            "SECRET_KEY": "fault-tests-shared-secret",
            "VOTESYS_HASH_TIME_COST": str(FAST_HASH["PASSWORD_HASH_TIME_COST"]),
            "VOTESYS_HASH_MEMORY_KIB": str(FAST_HASH["PASSWORD_HASH_MEMORY_KIB"]),
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        env.pop("TEST_DATABASE_URL", None)
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "votesys.cli", "serve", "--host", "127.0.0.1"]
                + ["--port", str(self.port), "--workers", str(self.workers)]
                + ["--threads", str(self.threads)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(self._healthy, timeout, f"the server on port {self.port} to answer")
        return self

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited:\n{self.log.read_text()[-3000:]}")
        try:
            return call(self.url, "GET", "/api/v1/health", timeout=5).status == 200
        except Broken:
            return False

    def workers_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(c) for c in children]

    def stop(self, timeout: float = 30) -> None:
        """Gunicorn's graceful stop (SIGTERM): requests in progress finish first."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


# --- a private PostgreSQL cluster -----------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if found:
        return str(found[0])
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed (apt-get install postgresql)")
    return path


class PrivateCluster:
    """A PostgreSQL cluster of this test alone (initdb into a temporary folder, its own
    port, trust auth), so that restarting it disturbs nobody else's database."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="votesys_faults_pg_"))
        self.data = self.dir / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0  # initdb and postgres refuse to run as root
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        """A database in this cluster (removed with it); returns its SQLAlchemy URL."""
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://"))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + (
            f"/{name}"
        )

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: {done.stdout}{done.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.dir / "log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: sessions in progress are cut off, their transactions rolled back."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


# --- seeding --------------------------------------------------------------------------


@dataclass
class Seeded:
    vote: int
    session: int
    votes: dict[str, int]  # scenario key -> id
    candidates: list[int]
    deputies: dict[str, int]  # code -> id
    tokens: dict[str, str]  # deputy code -> bearer token
    organiser: str  # the organiser's bearer token


def seed_vote(
    database_url: str,
    instance: Path,
    *,
    deputies: int,
    open_vote: bool = True,
    more_votes: int = 0,
    absent: int = 0,
    organiser_login: str = "organiser",
    **kw,
) -> Seeded:
    """Create the schema, a congress with ``deputies`` deputies checked in (but the last
    ``absent``), a vote (open unless told), an organiser and every deputy's bearer token,
    in ``database_url``."""
    from votesys import create_app, scenario
    from votesys.auth.services import create_user, issue_token
    from votesys.congress import services as congress
    from votesys.congress.models import CongressSession, Deputy
    from votesys.extensions import db
    from votesys.voting import services
    from votesys.voting.models import Vote

    os.environ["VOTESYS_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, **FAST_HASH})
    finally:
        del os.environ["VOTESYS_INSTANCE_PATH"]
    with app.app_context():
        db.create_all()
        data = build_scenario(deputies=deputies, **kw)
        if more_votes:  # further drafts of the same session, keys "v2", "v3", …
            data["votes"] += [
                {**data["votes"][0], "key": f"v{n}", "title": f"第{n}次表决"}
                for n in range(2, more_votes + 2)
            ]
        ids = scenario.load(data)
        organiser = create_user(organiser_login, "organiser-pass", "organiser")
        sess = db.session.get(CongressSession, ids["session"])
        for code in sorted(ids["deputies"])[: deputies - absent]:
            congress.check_in(sess, code)
        vote = db.session.get(Vote, ids["votes"]["main"])
        if open_vote:
            services.open_vote(vote)
        tokens = {
            code: issue_token(db.session.get(Deputy, deputy_id))
            for code, deputy_id in ids["deputies"].items()
        }
        seeded = Seeded(
            vote=vote.id,
            session=sess.id,
            votes=dict(ids["votes"]),
            candidates=[e.candidate_id for e in vote.entries],
            deputies=dict(ids["deputies"]),
            tokens=tokens,
            organiser=issue_token(organiser),
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return seeded


def new_key() -> str:
    return uuid.uuid4().hex
