"""What the benchmarks share: PostgreSQL, a throwaway database, the production server,
the load client in its own processes, wrk, percentiles and memory sampling.

The benchmarks print figures; they never fail because the machine was slow. They clean up
after themselves (server stopped, throwaway database dropped) on Ctrl-C or failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_PREFIX = "votesys_bench"


def stop_cleanly_on_signals() -> None:
    """Ctrl-C (even when started in the background, where SIGINT is ignored) and SIGTERM
    unwind the benchmark, so that its server is stopped and its database dropped."""

    def stop(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def raise_fd_limit() -> None:
    """Thousands of tablets hold a connection each, on both ends."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def ensure_postgres(server_url: str) -> None:
    """Start the local PostgreSQL cluster if nothing answers (Debian's pg_ctlcluster)."""
    import psycopg

    from votesys.config import normalise_database_url

    plain = normalise_database_url(server_url).replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(plain, connect_timeout=3).close()
        return
    except psycopg.OperationalError:
        pass
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or not shutil.which("pg_ctlcluster"):
        raise SystemExit(f"PostgreSQL does not answer at {server_url} and cannot be started here")
    print(f"== starting PostgreSQL {versions[-1]}", flush=True)
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"], check=True
    )
    for _ in range(30):
        try:
            psycopg.connect(plain, connect_timeout=3).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.5)
    raise SystemExit("PostgreSQL did not start")


@contextlib.contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A fresh ``votesys_bench_…`` database, migrated, dropped afterwards even on Ctrl-C."""
    from votesys.database import throwaway_postgres_database

    ensure_postgres(server_url)
    with throwaway_postgres_database(server_url, DB_PREFIX) as url:
        env = server_env(url, Path(tempfile.mkdtemp(prefix="votesys-bench-")))
        subprocess.run(
            [str(VENV_BIN / "votesys"), "db", "upgrade"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        yield url


def server_env(url: str, instance: Path, secret_key: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        VOTESYS_INSTANCE_PATH=str(instance),
        SECRET_KEY=secret_key or env.get("SECRET_KEY") or "bench-" + secrets.token_hex(16),
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_app(url: str, secret_key: str):
    """An in-process app on the benchmark's database, for the set-up (cheap PIN hashes:
    logging in is not part of any benchmark)."""
    os.environ.setdefault("VOTESYS_INSTANCE_PATH", tempfile.mkdtemp(prefix="votesys-bench-"))
    from votesys import create_app
    from votesys.config import normalise_database_url

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
            "SECRET_KEY": secret_key,
            "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_KIB": 8,
        }
    )


class Server:
    """``votesys serve`` (gunicorn, gthread) in its own process group; memory sampled."""

    def __init__(self, url: str, secret_key: str, *, workers: int, threads: int, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        self.instance = Path(tempfile.mkdtemp(prefix="votesys-bench-"))
        self.env = server_env(url, self.instance, secret_key)
        self.env.update(env or {})
        self.log = open(self.instance / "server.log", "w+b")  # noqa: SIM115
        self.proc: subprocess.Popen | None = None
        self.peak_rss: dict[int, int] = {}
        self._sampling = False

    def __enter__(self) -> Server:
        cmd = [
            str(VENV_BIN / "votesys"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]
        self.proc = subprocess.Popen(
            cmd, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True
        )
        deadline = time.monotonic() + 60
        import urllib.request

        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("the server did not start:\n" + self.tail())
            try:
                with urllib.request.urlopen(self.base + "/api/v1/health", timeout=2) as r:
                    if r.status == 200 and len(self.pids()) > self.workers:
                        break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            raise SystemExit("the server did not answer:\n" + self.tail())
        self._sampling = True
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def pids(self) -> list[int]:
        import psutil

        try:
            master = psutil.Process(self.proc.pid)
            return [master.pid] + [c.pid for c in master.children()]
        except psutil.Error:
            return []

    def _sample(self) -> None:
        import psutil

        while self._sampling:
            for pid in self.pids():
                try:
                    rss = psutil.Process(pid).memory_info().rss
                except psutil.Error:
                    continue
                self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), rss)
            time.sleep(0.25)

    def rss_mb(self) -> dict[str, float]:
        """Peak resident memory of each process: the master and its workers."""
        master = self.proc.pid
        workers = sorted(v for k, v in self.peak_rss.items() if k != master)
        return {
            "master_mb": round(self.peak_rss.get(master, 0) / 2**20, 1),
            "workers_mb": [round(v / 2**20, 1) for v in workers],
        }

    def tail(self, n: int = 3000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-n:]

    def __exit__(self, *exc) -> None:
        self._sampling = False
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # the figures are taken: quick stop
                os.killpg(self.proc.pid, signal.SIGQUIT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.instance, ignore_errors=True)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of the values, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


# -- the load client: closed loops in their own processes ---------------------------------


def closed_loop(base: str, requests: list[dict], concurrency: int, duration: float | None):
    """Run in a client process: ``concurrency`` loops send the requests in turn (each dict:
    method, path, headers, json); stop when the list is done (duration None) or after
    ``duration`` seconds (the list is cycled). Returns statuses and latencies."""
    return asyncio.run(_closed_loop(base, requests, concurrency, duration))


async def _closed_loop(base, requests, concurrency, duration):
    import aiohttp

    latencies, statuses, index = [], {}, 0
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)
    started = time.monotonic()
    stop = started + duration if duration else None
    results: list[dict] = []

    async def one(session):
        nonlocal index
        while True:
            if stop is None:
                if index >= len(requests):
                    return
                req = requests[index]
            else:
                if time.monotonic() >= stop:
                    return
                req = requests[index % len(requests)]
            index += 1
            t0 = time.monotonic()
            try:
                async with session.request(
                    req.get("method", "GET"),
                    base + req["path"],
                    headers=req.get("headers"),
                    json=req.get("json"),
                ) as r:
                    body = await r.read()
                    status = r.status
            except Exception as err:  # a refused or reset connection is counted, not raised
                status, body = 0, str(err).encode()
            latencies.append(time.monotonic() - t0)
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 400 or status == 0:
                if len(errors) < 5:
                    errors.append(f"{status} {body[:200]!r}")
            elif "tag" in req:
                results.append({"tag": req["tag"], "status": status})

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(one(session) for _ in range(concurrency)))
    ended = time.monotonic()
    return {
        "started": started,
        "ended": ended,
        "latencies": latencies,
        "statuses": statuses,
        "errors": errors,
        "ok_tags": [r["tag"] for r in results],
    }


def run_closed_loops(
    base: str, requests: list[dict], *, concurrency: int, processes: int, duration=None
) -> dict:
    """The closed loop spread over ``processes`` client processes; requests are dealt out
    round robin. Returns the merged figures: count, per second, latencies, statuses."""
    import multiprocessing

    if duration:  # each process cycles through the whole list
        share = [requests] * processes
    else:
        share = [requests[i::processes] for i in range(processes)]
    per = [
        concurrency // processes + (1 if i < concurrency % processes else 0)
        for i in range(processes)
    ]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        parts = pool.starmap(
            closed_loop, [(base, share[i], per[i], duration) for i in range(processes)]
        )
    latencies = [x for p in parts for x in p["latencies"]]
    statuses: dict[int, int] = {}
    for p in parts:
        for k, v in p["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    started = min(p["started"] for p in parts)
    ended = max(p["ended"] for p in parts)
    ok = sum(v for k, v in statuses.items() if 200 <= k < 400)
    return {
        "requests": len(latencies),
        "ok": ok,
        "per_s": round(ok / (ended - started), 1) if ended > started else None,
        "seconds": round(ended - started, 2),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(latencies, default=None)),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": [e for p in parts for e in p["errors"]][:5],
        "ok_tags": [t for p in parts for t in p["ok_tags"]],
    }


def ensure_wrk() -> str | None:
    """Debian's wrk, installed when missing and we are root; None when unavailable."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("== installing Debian's wrk", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, **quiet)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], env=env, **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, **quiet)
    return shutil.which("wrk")


def wrk_per_s(url: str, *, connections: int, seconds: int, threads: int = 2) -> float | None:
    """Requests per second that wrk alone gets from ``url`` (non-2xx answers excluded)."""
    wrk = ensure_wrk()
    if wrk is None:
        return None
    out = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if not match:
        return None
    rate = float(match.group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    if bad and total and int(total.group(1)):
        rate *= 1 - int(bad.group(1)) / int(total.group(1))
    return round(rate, 1)


def print_figures(figures: dict) -> None:
    """Figures one per line, then all of them as one JSON object on the last line."""
    for key, value in figures.items():
        if not isinstance(value, dict | list):
            print(f"{key:>28}: {value}")
    print(json.dumps(figures, ensure_ascii=False), flush=True)
