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

``--scale province``: the province's tree (scripts/bench_province.py: 14 cities, 122
counties, 1,900 townships) with ``--base-projects`` (200) projects over 2022–2026 and
``--base-opinions`` (20,000) opinions, times each of ``--scales`` (100× is the province
benchmark's 20,000 projects and 2,000,000 opinions), each step on a throwaway database of
its own loaded with COPY. Each province page is built ``--repeat`` times (a new URL each
time, so the cache always misses; the median kept). Target: at most 2× per 10× step.

    scripts/bench_growth --scale province [--base-projects 200] [--base-opinions 20000]
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

import bench_province  # noqa: E402
import benchlib  # noqa: E402

YEAR = 2026
SOURCES = ("provincial", "county", "township", "social")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=("city", "province"), default="city")
    parser.add_argument("--ballots", default="300,3000,30000")
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--base-projects", type=int, default=None)  # city 10; province 200
    parser.add_argument("--base-opinions", type=int, default=20_000)
    parser.add_argument("--stations", type=int, default=5000)
    parser.add_argument("--cities", type=int, default=14)
    parser.add_argument("--counties", type=int, default=122)
    parser.add_argument("--townships", type=int, default=1900)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--repeat", type=int, default=None)  # city 3; province 5
    parser.add_argument("--database-url", default=benchlib.DEFAULT_SERVER_URL)
    args = parser.parse_args(argv)
    province = args.scale == "province"
    if args.base_projects is None:
        args.base_projects = 200 if province else 10
    if args.repeat is None:
        args.repeat = 5 if province else 3
    benchlib.stop_cleanly_on_signals()
    if province:
        return province_growth(args)
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
    return report(rows, args, target=12)


def province_growth(args) -> dict:
    """Each page's cost at each size of the province, one throwaway database per size."""
    scales = [int(x) for x in args.scales.split(",")]
    series: dict[str, list] = {}
    for k in scales:
        shape = bench_province.Shape(
            cities=args.cities,
            counties=args.counties,
            townships=args.townships,
            projects=k * args.base_projects,
            stations=args.stations,
            opinions=k * args.base_opinions,
        )
        with benchlib.throwaway_database(args.database_url) as url:
            app = benchlib.make_app(url, "bench-" + secrets.token_hex(8))
            with app.app_context():
                t0 = time.monotonic()
                loaded = bench_province.load(shape)
                print(f"== {k}×: loaded in {time.monotonic() - t0:.1f} s", flush=True)
                client = app.test_client()
                urls = bench_province.pages(loaded, bench_province.YEARS[-1])
                for name, links in urls.items():
                    fresh = [
                        u + ("&" if "?" in u else "?") + f"g={i}"
                        for i in range(args.repeat)
                        for u in links[:1]
                    ]
                    timed(client, fresh[0], 1)  # the process's first build of this page
                    series.setdefault(name, []).append(
                        (k, statistics.median(timed(client, u, 1) for u in fresh))
                    )
                from votesys.extensions import db

                db.session.remove()
                db.engine.dispose()
    size = f"{args.base_projects} projects, {args.base_opinions} opinions"
    print(f"base: the province's tree, {size}; {args.stations} stations")
    rows = [
        (name, f"{k}× ({k * args.base_projects} projects, {k * args.base_opinions} opinions)", s)
        for name, steps in series.items()
        for k, s in steps
    ]
    return report(rows, args, target=2, extra={"base_opinions": args.base_opinions})


def report(rows, args, *, target: float, extra: dict | None = None) -> dict:
    """The table with each step's growth factor, and the figures (the JSON last line)."""
    wide = max([24, *(len(size) for _, size, _ in rows)])
    print(f"{'what':<30} {'size':<{wide}} {'seconds':>9} {'growth':>7}")
    figures: dict = {"scale": args.scale, "base_projects": args.base_projects, **(extra or {})}
    figures["steps"] = []
    previous = {}
    for name, size, seconds in rows:
        factor = seconds / previous[name] if name in previous and previous[name] else None
        previous[name] = seconds
        shown = f"{factor:7.2f}" if factor is not None else "      -"
        print(f"{name:<30} {size:<{wide}} {seconds:9.4f} {shown}")
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
    figures["target"] = target
    figures["target_met"] = bool(factors) and max(factors) <= target
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
