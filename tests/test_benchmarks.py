"""The benchmark scripts at a small size, so that they cannot rot: each runs end to end on
PostgreSQL (its own throwaway database beside TEST_DATABASE_URL's) and its figures add up.
No figure of speed is asserted: the machine may be slow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.pg_only


def run_script(name: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def server_url() -> list[str]:
    return ["--database-url", os.environ["TEST_DATABASE_URL"]]


def test_bench_vote_small():
    figures = run_script(
        "bench_vote.py",
        *server_url(),
        "--deputies=100",
        "--candidates=5",
        "--window=3",
        "--concurrency=50",
        "--workers=2",
        "--threads=300",
        "--trivial-seconds=1",
    )
    assert figures["acknowledged"] == figures["stored"] == 100 and figures["errors"] == 0
    assert figures["tally_matches"] and figures["stress_tally_matches"]
    assert figures["stress_acknowledged"] == figures["stress_stored"] == 100
    assert figures["open_seen_by"] == figures["close_seen_by"] == 100
    for key in (
        "cast_p50_ms",
        "cast_p99_ms",
        "propagation_p99_ms",
        "close_s",
        "stress_casts_per_s",
        "trivial_per_s",
        "ratio",
        "peak_rss_mb",
    ):
        assert figures[key] is not None and figures[key] > 0, key


def test_bench_growth_small():
    figures = run_script(
        "bench_growth.py",
        *server_url(),
        "--ballots=20,200",
        "--candidates=4",
        "--base-projects=1",
        "--scales=1,10",
        "--repeat=1",
    )
    steps = {(s["what"], s["size"]): s for s in figures["steps"]}
    assert len(steps) == 6
    assert all(s["seconds"] > 0 for s in steps.values())
    assert steps[("tally (close, seal, record)", "200 ballots")]["growth"] is not None


def test_bench_public_small():
    figures = run_script(
        "bench_public.py",
        *server_url(),
        "--projects=40",
        "--opinions=500",
        "--stations=10",
        "--jurisdictions=3",
        "--concurrency=10",
        "--seconds=1",
        "--workers=1",
        "--threads=8",
    )
    assert figures["errors"] == 0
    assert set(figures["pages"]) == {
        "home",
        "project_list",
        "project_page",
        "summary_api",
        "public_projects_api",
    }
    for page in figures["pages"].values():
        assert page["statuses"] == ["200"]
        assert page["cold_per_s"] > 0 and page["warm_per_s"] > 0
    assert figures["trivial_per_s"] > 0 and figures["min_warm_ratio"] > 0


@pytest.mark.parametrize(("kind", "rows"), [("plan", "200"), ("roster", "60")])
def test_bench_import_small(kind, rows):
    figures = run_script("bench_import.py", *server_url(), f"--kind={kind}", f"--rows={rows}")
    assert figures["job_state"] == "done" and figures["audit_entries_by_import"] == 1
    assert figures["logins"] >= 1 and figures["logins_failed"] == 0
