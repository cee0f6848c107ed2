"""How cost grows with the data: the tally at 300, 3,000 and 30,000 ballots, and the
roll-up summary and the project list at 1×, 10× and 100× a base scenario.

Runs in-process on a throwaway PostgreSQL database (``votesys_bench_…``, migrated like
production, dropped afterwards): it measures the server-side work of each request, not
HTTP. Ballots are written in bulk (casting is measured by bench_vote); the tally is
``close_vote`` as an organiser runs it: count, decide, seal, audit, signed record.
The summary and list are requested through the app (``GET /api/v1/jurisdictions/<code>/
summary``, ``GET /api/v1/projects?jurisdiction=…``), the median of ``--repeat`` requests.
Prints a table with the growth factor per step (target: at most 12 per 10× step) and, on
its last line, every figure as one JSON object.

    scripts/bench_growth [--ballots 300,3000,30000] [--base-projects 10] [--scales 1,10,100]
                         [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402

YEAR = 2026
SOURCES = ("provincial", "county", "township", "social")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", default="300,3000,30000")
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--base-projects", type=int, default=10)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=benchlib.DEFAULT_SERVER_URL)
    args = parser.parse_args(argv)
    benchlib.stop_cleanly_on_signals()
    sizes = [int(x) for x in args.ballots.split(",")]
    scales = [int(x) for x in args.scales.split(",")]
    with benchlib.throwaway_database(args.database_url) as url:
        app = benchlib.make_app(url, "bench-" + secrets.token_hex(8))
        with app.app_context():
            tally = measure_tally(sizes, args.candidates)
            pages = measure_pages(app, args.base_projects, scales, args.repeat)
            from votesys.extensions import db

            db.session.remove()
            db.engine.dispose()
    rows = [("tally (close, seal, record)", f"{n} ballots", s) for n, s in tally]
    for name, series in pages.items():
        rows += [(name, f"{k}× ({k * args.base_projects} projects)", s) for k, s in series]
    print(f"base scenario: {args.base_projects} projects over 1 city and 4 counties, year {YEAR}")
    print(f"{'what':<30} {'size':<24} {'seconds':>9} {'growth':>7}")
    figures: dict = {"base_projects": args.base_projects, "steps": []}
    previous = {}
    for name, size, seconds in rows:
        factor = seconds / previous[name] if name in previous and previous[name] else None
        previous[name] = seconds
        shown = f"{factor:7.2f}" if factor is not None else "      -"
        print(f"{name:<30} {size:<24} {seconds:9.4f} {shown}")
        figures["steps"].append(
            {
                "what": name,
                "size": size,
                "seconds": round(seconds, 5),
                "growth": None if factor is None else round(factor, 2),
            }
        )
    factors = [s["growth"] for s in figures["steps"] if s["growth"] is not None]
    figures["max_growth_per_10x"] = max(factors) if factors else None
    figures["target_met"] = bool(factors) and max(factors) <= 12
    benchlib.print_figures(figures)
    return figures


def measure_tally(sizes: list[int], candidates: int) -> list[tuple[int, float]]:
    from sqlalchemy import insert

    from votesys import scenario
    from votesys.congress.models import Attendance
    from votesys.extensions import db
    from votesys.voting import counting, services
    from votesys.voting.ballot_box import seal
    from votesys.voting.models import Ballot, RollEntry, Vote

    deputies = max(sizes)
    seats = max(1, candidates // 2)
    t0 = time.monotonic()
    ids = scenario.load(
        {
            # a benchmark measures speed, not the law: no 差额 asked of its votes
            "jurisdiction": {
                "code": "GROWTH",
                "name": "增长测试区",
                "level": "county",
                "rules": {"min_extra_candidates": 0},
            },
            "congress": {"name": "增长测试人民代表大会", "term": 1},
            "deputies": [
                {"code": f"G{i:06d}", "name": f"代表{i}", "pin": "123456"} for i in range(deputies)
            ],
            "session": {"name": "增长测试会议", "date": "2027-01-01"},
            "candidates": [{"key": f"c{i}", "title": f"项目{i}"} for i in range(candidates)],
            "votes": [
                {
                    "key": f"v{n}",
                    "title": f"{n} 张选票",
                    "seats": seats,
                    "max_for": seats,
                    "candidates": [f"c{i}" for i in range(candidates)],
                }
                for n in sizes
            ],
        }
    )
    deputy_ids = list(ids["deputies"].values())
    db.session.execute(
        insert(Attendance), [{"session_id": ids["session"], "deputy_id": d} for d in deputy_ids]
    )
    db.session.commit()
    print(f"== tally set-up: {deputies} deputies in {time.monotonic() - t0:.1f} s", flush=True)
    rng = random.Random(7)
    out = []
    for n in sizes:
        vote = services.open_vote(db.session.get(Vote, ids["votes"][f"v{n}"]))
        db.session.commit()
        positions = len(services.candidate_ids(vote))
        ballots = []
        for _ in range(n):
            fors = set(rng.sample(range(positions), rng.randint(0, seats)))
            ballots.append(
                "".join("F" if i in fors else rng.choice("AN") for i in range(positions))
            )
        db.session.execute(
            insert(RollEntry),
            [
                {"vote_id": vote.id, "deputy_id": d, "receipt": f"R{i:09d}"}
                for i, d in enumerate(deputy_ids[:n])
            ],
        )
        db.session.execute(
            insert(Ballot),
            # sealed to the vote's ballot box, as casts store them: the close opens them
            [
                {"id": secrets.token_hex(16), "vote_id": vote.id, "marks": seal(vote.box_key, m)}
                for m in ballots
            ],
        )
        db.session.commit()
        t0 = time.monotonic()
        counting.close_vote(db.session.get(Vote, vote.id))
        db.session.commit()
        out.append((n, time.monotonic() - t0))
        print(f"== tally of {n} ballots: {out[-1][1]:.3f} s", flush=True)
    return out


def measure_pages(app, base: int, scales: list[int], repeat: int) -> dict[str, list]:
    from votesys import scenario
    from votesys.extensions import db

    client = app.test_client()
    summary, listing = [], []
    rng = random.Random(11)
    for k in scales:
        root = f"S{k}"
        counties = [f"{root}C{i}" for i in range(4)]
        t0 = time.monotonic()
        scenario.load(
            {
                "jurisdictions": [{"code": root, "name": f"规模{k}市", "level": "city"}]
                + [
                    {"code": c, "name": f"规模{k}县{i}", "level": "county", "parent": root}
                    for i, c in enumerate(counties)
                ],
                "projects": [project(rng, f"{root}p{i}", counties[i % 4]) for i in range(k * base)],
            }
        )
        db.session.commit()
        print(f"== {k * base} projects loaded in {time.monotonic() - t0:.1f} s", flush=True)
        summary.append(
            (k, timed(client, f"/api/v1/jurisdictions/{root}/summary?year={YEAR}", repeat))
        )
        listing.append(
            (k, timed(client, f"/api/v1/projects?jurisdiction={root}&year={YEAR}", repeat))
        )
    return {"summary (roll-up)": summary, "project list": listing}


def project(rng: random.Random, key: str, jurisdiction: str) -> dict:
    progress = rng.randint(0, 100)
    return {
        "key": key,
        "title": f"民生实事项目{key}",
        "jurisdiction": jurisdiction,
        "year": YEAR,
        "completion": "this_year",
        "responsible_unit": f"责任单位{rng.randint(1, 30)}",
        "funding": {s: f"{rng.randint(1, 5000)}.{rng.randint(0, 99):02d}" for s in SOURCES},
        "targets": [
            {"name": "受益人数", "unit": "人", "target": "1000", "actual": str(progress * 10)}
        ],
        "progress": progress,
        "status": "completed" if progress == 100 else "in_progress",
    }


def timed(client, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - t0)
        if r.status_code != 200:
            raise SystemExit(f"{url} answered {r.status_code}: {r.get_data(as_text=True)[:300]}")
    return statistics.median(times)


if __name__ == "__main__":
    main()
