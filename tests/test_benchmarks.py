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


def test_bench_vote_sessions_small():
    """Two halls at once: each hall's figures, their sum, and no event of the other hall."""
    figures = run_script(
        "bench_vote.py",
        *server_url(),
        "--sessions=2",
        "--deputies=15",
        "--candidates=4",
        "--window=2",
        "--stagger=2",
        "--workers=2",
        "--threads=60",
    )
    halls = figures["per_session"]
    assert figures["sessions"] == len(halls) == 2 and figures["tablets"] == 30
    assert len({h["vote"] for h in halls}) == 2
    for hall in halls:
        assert hall["deputies"] == hall["acknowledged"] == hall["stored"] == 15
        assert hall["open_seen_by"] == hall["close_seen_by"] == 15
        assert hall["tally_matches"] and hall["lost"] == hall["errors"] == 0
    assert figures["lost"] == figures["errors"] == 0 and figures["tally_matches"]
    assert figures["acknowledged"] == figures["stored"] == 30
    assert figures["open_seen_by"] == figures["close_seen_by"] == 30
    # each tablet: the state when it began to wait, its hall's opening, its close
    assert figures["events_received"] >= 3 * 30
    assert figures["cross_session_events"] == 0
    assert "tablets_told_busy" in figures  # 503s under a burst, each tried again
    assert figures["worst_cast_p99_ms"] == max(h["cast_p99_ms"] for h in halls)
    assert figures["worst_propagation_p99_ms"] == max(h["propagation_p99_ms"] for h in halls)
    assert figures["worst_close_s"] == max(h["close_s"] for h in halls) > 0
    assert figures["peak_rss_mb"] > 0


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


def test_bench_growth_province_small():
    """The province's growth: its tree, the COPY loader at two sizes, each page built."""
    figures = run_script(
        "bench_growth.py",
        *server_url(),
        "--scale=province",
        "--cities=2",
        "--counties=4",
        "--townships=8",
        "--stations=6",
        "--base-projects=6",
        "--base-opinions=30",
        "--scales=1,10",
        "--repeat=1",
    )
    steps = {(s["what"], s["size"]): s for s in figures["steps"]}
    pages = {"home", "city_list", "township_list", "project_page", "summary_api"}
    assert {what for what, _ in steps} == pages | {"statistics", "statistics_api"}
    assert len(steps) == 14 and all(s["seconds"] > 0 for s in steps.values())
    assert steps[("home", "10× (60 projects, 300 opinions)")]["growth"] is not None
    assert figures["target"] == 2 and figures["max_growth_per_10x"] > 0


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


def test_bench_public_province_small():
    """The province's code paths (its tree, the COPY loader, its pages, the intake through
    the public form) at a tiny size: every acknowledged submission is stored."""
    figures = run_script(
        "bench_public.py",
        *server_url(),
        "--scale=province",
        "--cities=2",
        "--counties=4",
        "--townships=8",
        "--projects=60",
        "--stations=6",
        "--opinions=300",
        "--concurrency=4",
        "--seconds=0.5",
        "--workers=1",
        "--threads=8",
        "--intake-seconds=3",
        "--intake-per-minute=600",
    )
    assert figures["errors"] == 0 and figures["jurisdictions"] == 1 + 2 + 4 + 8
    assert figures["rows"]["projects"] == 60 and figures["rows"]["opinions"] == 300
    assert set(figures["pages"]) == {
        "home",
        "city_list",
        "township_list",
        "project_page",
        "summary_api",
        "statistics",
        "statistics_api",
    }
    for page in figures["pages"].values():
        assert page["statuses"] == ["200"]
        assert page["alone_p99_ms"] > 0 and page["warm_ratio"] > 0
        assert page["first_builds_max_ms"] > 0  # each worker built the page before "alone"
    sent = figures["intake_sent"]
    assert sent > 0 and figures["intake_statuses"] == {"302": sent}
    assert figures["intake_acknowledged"] == figures["intake_stored"] == sent
    assert figures["intake_online_rows"] == sent and figures["intake_lost"] == 0
    assert figures["intake_p99_ms"] > 0 and figures["max_worker_rss_mb"] > 0


@pytest.mark.parametrize(("kind", "rows"), [("plan", "200"), ("roster", "60")])
def test_bench_import_small(kind, rows):
    figures = run_script("bench_import.py", *server_url(), f"--kind={kind}", f"--rows={rows}")
    assert figures["job_state"] == "done" and figures["audit_entries_by_import"] == 1
    assert figures["logins"] >= 1 and figures["logins_failed"] == 0
