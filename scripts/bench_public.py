"""The city: the public pages under the production server at city scale.

Loads a city-scale scenario on a throwaway PostgreSQL database (migrated like production,
dropped afterwards): ``--jurisdictions`` (a city and its counties), ``--projects`` with
funding, targets, milestones and progress reports, ``--stations`` and ``--opinions``,
written in bulk. Then ``--concurrency`` clients (in their own processes) drive each public
page for ``--seconds``: cold (every request a new URL, so the cache always misses and the
page is built; after every worker has built it a few times, by one client alone, which
gives the page's own cost, then by all of them) and warm (the same URLs again, served
from the cache), and in the same run the trivial endpoint ``GET /api/v1/health``. Prints
requests per second and p50/p99 per page, the warm pages' throughput as a share of the
trivial endpoint's, and on its last line every figure as one JSON object.

``--scale province``: one province of ``--cities`` (14), ``--counties`` (122) and
``--townships`` (1,900); 20,000 projects over 2022–2026, 5,000 stations, 2,000,000 opinions,
loaded with COPY (scripts/bench_province.py); its pages are the home, a city's and a
township's list, project pages, the summary API, the statistics page and API. Then the
intake of a campaign's last hour: ``--intake-per-minute`` (1,000) citizens a minute submit
the public opinion form for ``--intake-seconds`` (120), open loop; every acknowledged
submission must be stored.

    scripts/bench_public [--projects 2000] [--opinions 100000] [--stations 500]
                         [--jurisdictions 20] [--concurrency 100] [--seconds 10]
                         [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
    scripts/bench_public --scale province [--intake-seconds 120]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_province  # noqa: E402
import benchlib  # noqa: E402

YEAR = 2026
CITY = "430200"
CATEGORIES = ("education", "health", "roads", "water", "environment", "elderly_care", "other")
STATUSES = ("not_started", "in_progress", "in_progress", "completed", "delayed")
SOURCES = ("provincial", "city", "county", "township", "social")
TOPICS = ("饮水", "道路", "养老", "学校", "卫生院")
STEPS = ("received", "registered", "handling", "supervised", "replied", "archived")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=("city", "province"), default="city")
    parser.add_argument("--jurisdictions", type=int, default=20)
    parser.add_argument("--projects", type=int, default=None)  # city 2,000; province 20,000
    parser.add_argument("--stations", type=int, default=None)  # 500; 5,000
    parser.add_argument("--opinions", type=int, default=None)  # 100,000; 2,000,000
    parser.add_argument("--cities", type=int, default=14)
    parser.add_argument("--counties", type=int, default=122)
    parser.add_argument("--townships", type=int, default=1900)
    parser.add_argument("--intake-seconds", type=float, default=None)  # 0 at city; 120
    parser.add_argument("--intake-per-minute", type=float, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    # The cold phase (all clients, every URL new); 0 leaves it out.
    parser.add_argument("--cold-seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--database-url", default=benchlib.DEFAULT_SERVER_URL)
    args = parser.parse_args(argv)
    province = args.scale == "province"
    for name, city, prov in (
        ("projects", 2000, 20_000),
        ("stations", 500, 5000),
        ("opinions", 100_000, 2_000_000),
        ("intake_seconds", 0, 120),
    ):
        if getattr(args, name) is None:
            setattr(args, name, prov if province else city)
    benchlib.stop_cleanly_on_signals()
    benchlib.raise_fd_limit()
    key = "bench-" + secrets.token_hex(8)
    extra: dict = {}
    with benchlib.throwaway_database(args.database_url) as url:
        app = benchlib.make_app(url, key)
        started = time.monotonic()
        with app.app_context():
            if province:
                shape = bench_province.Shape(
                    cities=args.cities,
                    counties=args.counties,
                    townships=args.townships,
                    projects=args.projects,
                    stations=args.stations,
                    opinions=args.opinions,
                )
                loaded = bench_province.load(shape)
                urls = bench_province.pages(loaded, bench_province.YEARS[-1])
                args.jurisdictions = loaded.jurisdictions
                extra = {"rows": loaded.counts, "rollups_rebuilt": loaded.rollups}
            else:
                refs, counties = load_city(args)
                urls = pages(refs, counties)
            from votesys.extensions import db

            db.session.remove()
            db.engine.dispose()
        loaded_s = time.monotonic() - started
        print(f"== set-up: {loaded_s:.1f} s", flush=True)
        workers = args.workers = args.workers or 2 * (os.cpu_count() or 1) + 1
        # The benchmark's citizens all come from one address: the form's limit raised.
        env = {"VOTESYS_OPINION_RATE_LIMIT": "1000000 per minute"}
        with benchlib.Server(url, key, workers=workers, threads=args.threads, env=env) as server:
            figures = drive(server.base, urls, args)
            if args.intake_seconds > 0:  # the workers' peak before the intake, apart
                figures["pages_max_worker_rss_mb"] = max(
                    server.rss_mb()["workers_mb"], default=None
                )
                stations = loaded.stations if province else station_ids(url)
                figures |= bench_province.run_intake(server.base, url, stations, args)
            figures["peak_rss_mb"] = server.rss_mb()
            figures["max_worker_rss_mb"] = max(figures["peak_rss_mb"]["workers_mb"], default=None)
    figures = {
        "scale": args.scale,
        "projects": args.projects,
        "opinions": args.opinions,
        "stations": args.stations,
        "jurisdictions": args.jurisdictions,
        "concurrency": args.concurrency,
        "load_s": round(loaded_s, 1),
        **extra,
        **figures,
        # the machine's load (1, 5, 15 min) at the end: others' work shares the two cores
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    benchlib.print_figures(figures)
    return figures


def pages(refs: list[str], counties: list[str]) -> dict[str, list[str]]:
    """Each page benchmarked, as the URLs its requests cycle through."""
    return {
        "home": ["/"],
        "project_list": [f"/projects?jurisdiction={c}&status=in_progress" for c in counties],
        "project_page": [f"/projects/{r}" for r in refs[:20]],
        "summary_api": [f"/api/v1/jurisdictions/{CITY}/summary?year={YEAR}"],
        "public_projects_api": [f"/api/v1/public/projects?year={YEAR}&jurisdiction={CITY}"],
    }


def station_ids(url: str) -> list[int]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM stations ORDER BY id")]


EMPTY = {"per_s": None, "p50_ms": None, "p99_ms": None, "statuses": {}}


def drive(base: str, urls_of: dict[str, list[str]], args) -> dict:
    def run(urls: list[str], concurrency: int | None = None, seconds=None) -> dict:
        requests = [{"method": "GET", "path": u} for u in urls]
        return benchlib.run_closed_loops(
            base,
            requests,
            concurrency=concurrency or args.concurrency,
            processes=1 if concurrency == 1 else args.processes,
            duration=seconds or args.seconds,
        )

    out: dict = {"pages": {}}
    trivial = run(["/api/v1/health"])
    out["trivial_per_s"] = trivial["per_s"]
    for name, urls in urls_of.items():
        # Cold: a query argument the page ignores makes every URL new to the cache, so every
        # request builds the page (5,000 distinct URLs: more than a run can ask for).
        copies = max(1, 5000 // len(urls))
        fresh = [u + ("&" if "?" in u else "?") + f"b={i}" for i in range(copies) for u in urls]
        # Every worker builds the page a few times first, apart: a worker's first build
        # compiles its templates and statements and may open a connection (100-220 ms at
        # province scale, once in the process's life), which is not the page's cost.
        first = run(
            [u + "&first" for u in fresh],
            concurrency=4 * args.workers,
            seconds=min(2, args.seconds),
        )
        alone = run([u + "&alone" for u in fresh], concurrency=1)  # one client: the page's cost
        cold = run(fresh, seconds=args.cold_seconds) if args.cold_seconds != 0 else EMPTY
        run(urls)  # fill the cache
        warm = run(urls)
        out["pages"][name] = {
            "first_builds_max_ms": first["max_ms"],
            "alone_p50_ms": alone["p50_ms"],
            "alone_p99_ms": alone["p99_ms"],
            "cold_per_s": cold["per_s"],
            "cold_p50_ms": cold["p50_ms"],
            "cold_p99_ms": cold["p99_ms"],
            "warm_per_s": warm["per_s"],
            "warm_p50_ms": warm["p50_ms"],
            "warm_p99_ms": warm["p99_ms"],
            "statuses": sorted(
                {*first["statuses"], *alone["statuses"], *cold["statuses"], *warm["statuses"]}
            ),
        }
        ratio = warm["per_s"] / trivial["per_s"] if warm["per_s"] and trivial["per_s"] else None
        out["pages"][name]["warm_ratio"] = None if ratio is None else round(ratio, 2)
        out[f"{name}_cold_p99_ms"] = cold["p99_ms"]
        out[f"{name}_alone_p99_ms"] = alone["p99_ms"]
        out[f"{name}_warm_per_s"] = warm["per_s"]
    ratios = [p["warm_ratio"] for p in out["pages"].values() if p["warm_ratio"] is not None]
    out["min_warm_ratio"] = min(ratios) if ratios else None
    out["errors"] = sum(
        1 for p in out["pages"].values() for s in p["statuses"] if not s.startswith("2")
    )
    for name, p in out["pages"].items():
        print(
            f"{name:>22}: alone p50 {p['alone_p50_ms']} ms p99 {p['alone_p99_ms']} ms | "
            f"cold {p['cold_per_s']}/s p50 {p['cold_p50_ms']} ms "
            f"p99 {p['cold_p99_ms']} ms | warm {p['warm_per_s']}/s p99 {p['warm_p99_ms']} ms "
            f"({p['warm_ratio']} of trivial)"
        )
    return out


def load_city(args) -> tuple[list[str], list[str]]:
    """The city in bulk: Core inserts in chunks, no ORM objects (and so no per-row events)."""
    from sqlalchemy import insert, select

    from votesys.congress.models import Jurisdiction
    from votesys.extensions import db
    from votesys.projects.models import (
        Funding,
        Milestone,
        Project,
        Report,
        Spending,
        Target,
        Unit,
    )
    from votesys.stations.models import Opinion, Station
    from votesys.stations.rules import new_tracking_code

    rng = random.Random(7)

    def bulk(model, rows: list[dict], chunk: int = 5000) -> None:
        for i in range(0, len(rows), chunk):
            db.session.execute(insert(model), rows[i : i + chunk])

    db.session.add(Jurisdiction(code=CITY, name="示范市", level="city"))
    db.session.flush()
    city = db.session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == CITY))
    counties = [f"4302{i + 1:02d}" for i in range(max(0, args.jurisdictions - 1))]
    bulk(
        Jurisdiction,
        [
            {"code": c, "name": f"示范县{i + 1}", "level": "county", "parent_id": city}
            for i, c in enumerate(counties)
        ],
    )
    ids = dict(db.session.execute(select(Jurisdiction.code, Jurisdiction.id)).all())
    places = [ids[c] for c in counties] or [city]
    bulk(Unit, [{"jurisdiction_id": j, "name": f"单位{k}"} for j in places for k in range(5)])
    units = db.session.execute(select(Unit.id, Unit.jurisdiction_id)).all()
    by_place: dict[int, list[int]] = {}
    for unit, j in units:
        by_place.setdefault(j, []).append(unit)
    numbers: dict[int, int] = {}
    code_of = {v: k for k, v in ids.items()}
    rows = []
    for i in range(args.projects):
        j = places[i % len(places)]
        numbers[j] = numbers.get(j, 0) + 1
        rows.append(
            {
                "ref": f"{YEAR}-{code_of[j]}-{numbers[j]:03d}",
                "jurisdiction_id": j,
                "year": YEAR,
                "title": f"民生实事项目{i}：{rng.choice(TOPICS)}提质",
                "summary": "新建和改造设施，惠及群众。" * 3,
                "category": rng.choice(CATEGORIES),
                "unit_id": rng.choice(by_place[j]),
                "status": rng.choice(STATUSES),
                "progress": rng.randrange(0, 101),
                "planned_start": date(YEAR, 1, 1),
                "planned_finish": date(YEAR, 12, 31),
            }
        )
    bulk(Project, rows)
    projects = db.session.execute(select(Project.id, Project.ref)).all()
    bulk(
        Funding,
        [
            {"project_id": p, "source": s, "amount_wan": Decimal(rng.randrange(100, 90000)) / 100}
            for p, _ in projects
            for s in rng.sample(SOURCES, 3)
        ],
    )
    bulk(
        Target,
        [
            {"project_id": p, "name": "受益人口", "unit": "人", "target": Decimal(10000)}
            for p, _ in projects
        ],
    )
    bulk(
        Milestone,
        [
            {"project_id": p, "name": f"节点{k}", "planned_date": date(YEAR, 3 * k + 3, 1)}
            for p, _ in projects
            for k in range(3)
        ],
    )
    reports = [
        {
            "project_id": p,
            "reported_on": date(YEAR, 3, 1) + timedelta(days=60 * k),
            "status": "in_progress",
            "progress": 20 * (k + 1),
            "narrative": f"第{k + 1}次进度报告：工程按计划推进。",
        }
        for p, _ in projects
        for k in range(3)
    ]
    bulk(Report, reports)
    bulk(
        Spending,
        [
            {"report_id": r, "source": "county", "amount_wan": Decimal(100)}
            for (r,) in db.session.execute(select(Report.id)).all()
        ],
    )
    bulk(
        Station,
        [
            {"jurisdiction_id": places[i % len(places)], "name": f"代表联络站{i}"}
            for i in range(args.stations)
        ],
    )
    stations = db.session.execute(select(Station.id, Station.jurisdiction_id)).all()
    start = date(YEAR, 1, 1)
    opinions = []
    for i in range(args.opinions):
        station, j = stations[i % len(stations)] if stations else (None, city)
        opinions.append(
            {
                "tracking_code": new_tracking_code(),
                "jurisdiction_id": j,
                "station_id": station,
                "source": "reception",
                "received_on": start + timedelta(days=rng.randrange(0, 320)),
                "title": f"群众意见{i}",
                "content": "希望解决出行和用水问题。",
                "category": rng.choice(CATEGORIES),
                "status": rng.choice(STEPS),
                "created_by": "bench",
            }
        )
    bulk(Opinion, opinions)
    db.session.commit()
    return [ref for _, ref in projects], counties or [CITY]


if __name__ == "__main__":
    main()
