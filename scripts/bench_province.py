"""The province for the benchmarks: its tree, its data loaded with COPY, its pages, and the
citizens' intake of a campaign's last hour (open loop through the public opinion form).

Used by ``bench_public --scale province`` and ``bench_growth --scale province``. The load is
PostgreSQL's COPY (psycopg 3's ``cursor.copy``) with explicit ids, the sequences set after;
then ANALYZE, and the precomputed roll-ups rebuilt when ``votesys.rollups`` exists.
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

PROVINCE = "430000"
YEARS = (2022, 2023, 2024, 2025, 2026)
CATEGORIES = ("education", "health", "roads", "water", "environment", "elderly_care", "other")
SOURCES = ("provincial", "city", "county", "township", "social")
TOPICS = ("饮水", "道路", "养老", "学校", "卫生院", "公交", "菜市场", "路灯")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # stations.rules: 13 of these, 65 bits
STEPS_DONE = ("replied", "feedback", "archived", "archived", "archived")
STEPS_OPEN = ("received", "registered", "handling", "supervised")
ROUTES = ("township_ordinary", "township_major", "county_or_above", "not_accepted")
FEEDBACK = ("satisfied", "satisfied", "basically", "unsatisfied")


@dataclass
class Shape:
    """How big the province is. The defaults are the issue's province."""

    cities: int = 14
    counties: int = 122
    townships: int = 1900
    projects: int = 20_000
    stations: int = 5_000
    opinions: int = 2_000_000
    years: tuple[int, ...] = YEARS


@dataclass
class Province:
    """What the benchmarks need to know of the loaded province."""

    cities: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    townships: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)  # projects of the last year
    stations: list[int] = field(default_factory=list)
    jurisdictions: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    rollups: bool = False


def tree_codes(shape: Shape) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """Cities ``43CC00``, counties ``43CCKK`` spread over the cities, townships ``43CCKKTTT``
    spread over the counties (as evenly as the numbers allow)."""
    cities = [f"43{c + 1:02d}00" for c in range(shape.cities)]
    counties_of: dict[str, list[str]] = {c: [] for c in cities}
    for k in range(shape.counties):
        city = cities[k % len(cities)]
        counties_of[city].append(f"{city[:4]}{len(counties_of[city]) + 1:02d}")
    counties = [k for c in cities for k in counties_of[c]]
    townships_of: dict[str, list[str]] = {k: [] for k in counties}
    for t in range(shape.townships):
        county = counties[t % len(counties)]
        townships_of[county].append(f"{county}{len(townships_of[county]) + 1:03d}")
    return cities, counties_of, townships_of


def tracking_code(i: int) -> str:
    """A unique, random-looking code for opinion ``i``: an odd multiplier modulo 2^65 is a
    bijection, so no two opinions share one (secrets.choice 26 million times is too slow)."""
    n = (i * 0x1E3779B97F4A7C15 + 0x0BADC0FFEE) % (1 << 65)
    return "".join(ALPHABET[(n >> (5 * k)) & 31] for k in range(13))


class Copier:
    """COPY rows into a table, the model's Python-side defaults filled in for the columns
    not given (COPY does not run them)."""

    def __init__(self, cursor):
        self.cursor = cursor

    def __call__(self, model, columns: tuple[str, ...], rows) -> int:
        table = model.__table__
        extra, values = [], []
        for col in table.columns:
            if col.name in columns or col.default is None:
                continue
            arg = col.default.arg
            extra.append(col.name)
            values.append(arg(None) if callable(arg) else arg)
        names = ", ".join((*columns, *extra))
        n = 0
        with self.cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *values))
                n += 1
        return n

    def reset_sequence(self, model) -> None:
        table = model.__table__.name
        self.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def load(shape: Shape, *, seed: int = 7, log=print) -> Province:
    """The province in the app's database (inside an app context), committed."""
    from votesys.congress.models import Jurisdiction
    from votesys.extensions import db
    from votesys.projects.models import Funding, Milestone, Project, Report, Spending, Target, Unit
    from votesys.stations.models import Opinion, Station

    rng = random.Random(seed)
    out = Province()
    cities, counties_of, townships_of = tree_codes(shape)
    out.cities = cities
    out.counties = [k for ks in counties_of.values() for k in ks]
    out.townships = [t for ts in townships_of.values() for t in ts]
    raw = db.session.connection().connection.driver_connection
    cur = raw.cursor()
    put = Copier(cur)
    t0 = time.monotonic()

    # The tree: ids given here, parents before children.
    rows, ids = [], {}

    def node(code: str, name: str, level: str, parent: str | None) -> None:
        ids[code] = len(ids) + 1
        rows.append((ids[code], code, name, level, ids.get(parent) if parent else None))

    node(PROVINCE, "示范省", "province", None)
    for ci, city in enumerate(cities):
        node(city, f"示范{ci + 1}市", "city", PROVINCE)
        for ki, county in enumerate(counties_of[city]):
            node(county, f"{ci + 1}市示范{ki + 1}县", "county", city)
            for ti, township in enumerate(townships_of[county]):
                node(township, f"{county[-4:]}县第{ti + 1}镇", "township", county)
    put(Jurisdiction, ("id", "code", "name", "level", "parent_id"), rows)
    out.jurisdictions = len(rows)
    level_of = {r[1]: r[3] for r in rows}

    # Units: two per jurisdiction above the townships, one per township.
    units: dict[int, list[int]] = {}
    unit_rows = []
    for code, j in ids.items():
        for k in range(1 if level_of[code] == "township" else 2):
            unit_rows.append((len(unit_rows) + 1, j, f"责任单位{k + 1}"))
            units.setdefault(j, []).append(len(unit_rows))
    put(Unit, ("id", "jurisdiction_id", "name"), unit_rows)

    # Projects over the years: a few of the province, more of each city, most of the
    # counties and townships.
    pools = [
        ([PROVINCE], 0.01),
        (cities, 0.07),
        (out.counties, 0.42),
        (out.townships or out.counties or cities, 0.50),
    ]
    weights = [w for _, w in pools]
    per_year = max(1, shape.projects // len(shape.years))
    numbers: dict[tuple[int, str], int] = {}
    projects, funding, targets, milestones, reports, spending = [], [], [], [], [], []
    last = shape.years[-1]
    for i in range(shape.projects):
        year = shape.years[min(i // per_year, len(shape.years) - 1)]
        codes = rng.choices(pools, weights)[0][0]
        code = codes[rng.randrange(len(codes))]
        j = ids[code]
        numbers[year, code] = numbers.get((year, code), 0) + 1
        ref = f"{year}-{code}-{numbers[year, code]:03d}"
        pid = i + 1
        if year < last:
            status = rng.choice(("completed", "completed", "completed", "delayed"))
        else:
            status = rng.choice(("not_started", "in_progress", "in_progress", "completed"))
        progress = 100 if status == "completed" else rng.randrange(0 if year == last else 30, 100)
        projects.append(
            (
                pid,
                ref,
                j,
                year,
                f"民生实事项目{i}：{rng.choice(TOPICS)}提质",
                "新建和改造设施，惠及群众。" * 3,
                rng.choice(CATEGORIES),
                rng.choice(units[j]),
                status,
                progress,
                date(year, 1, 1),
                date(year, 12, 31),
            )
        )
        if year == last:
            out.refs.append(ref)
        for s in rng.sample(SOURCES, 3):
            funding.append((pid, s, Decimal(rng.randrange(100, 90000)) / 100))
        targets.append((len(targets) + 1, pid, "受益人口", "人", Decimal(10000)))
        for k in range(3):
            planned = date(year, 3 * k + 3, 1)
            done = planned if progress >= 33 * (k + 1) else None
            milestones.append((len(milestones) + 1, pid, f"节点{k + 1}", planned, done))
        for k in range(3 if status != "not_started" else 0):
            rid = len(reports) + 1
            reports.append(
                (
                    rid,
                    pid,
                    date(year, 3, 1) + timedelta(days=90 * k),
                    status if k == 2 else "in_progress",
                    min(progress, 35 * (k + 1)),
                    f"第{k + 1}次进度报告：工程按计划推进。",
                )
            )
            spending.append((rid, "county", Decimal(100 * (k + 1))))
    cols = (
        "id",
        "ref",
        "jurisdiction_id",
        "year",
        "title",
        "summary",
        "category",
        "unit_id",
        "status",
        "progress",
        "planned_start",
        "planned_finish",
    )
    put(Project, cols, projects)
    put(Funding, ("project_id", "source", "amount_wan"), funding)
    put(Target, ("id", "project_id", "name", "unit", "target"), targets)
    put(Milestone, ("id", "project_id", "name", "planned_date", "done_on"), milestones)
    report_cols = ("id", "project_id", "reported_on", "status", "progress", "narrative")
    put(Report, report_cols, reports)
    put(Spending, ("report_id", "source", "amount_wan"), spending)
    out.counts |= {
        "projects": len(projects),
        "funding": len(funding),
        "milestones": len(milestones),
        "reports": len(reports),
    }

    # Stations: in the townships (and counties when there are no townships).
    places = [ids[t] for t in (out.townships or out.counties or cities)]
    stations = [
        (s + 1, places[s % len(places)], f"代表联络站{s + 1}") for s in range(shape.stations)
    ]
    put(Station, ("id", "jurisdiction_id", "name"), stations)
    out.stations = [s[0] for s in stations]
    took = time.monotonic() - t0
    log(f"== tree, {len(projects)} projects, {len(stations)} stations: {took:.1f} s")

    # Opinions over the years, streamed into COPY.
    first = date(shape.years[0], 1, 1)
    span = (min(date(shape.years[-1], 12, 1), date.today()) - first).days
    created = datetime.now(UTC)

    def opinions():
        for i in range(shape.opinions):
            sid, j = stations[i % len(stations)][:2] if stations else (None, 1)
            received = first + timedelta(days=rng.randrange(span))
            done = rng.random() < 0.8
            step = rng.choice(STEPS_DONE if done else STEPS_OPEN)
            route = None if step in ("received", "registered") else rng.choice(ROUTES)
            replied = received + timedelta(days=rng.randrange(3, 40)) if done else None
            yield (
                i + 1,
                tracking_code(i),
                j,
                sid,
                "reception",
                received,
                f"群众意见{i}",
                "希望解决出行和用水问题。",
                CATEGORIES[i % len(CATEGORIES)],
                step,
                route,
                received + timedelta(days=15) if route else None,
                replied,
                rng.choice(FEEDBACK) if step in ("feedback", "archived") else None,
                replied if step == "archived" else None,
                "bench",
                created,
            )

    ocols = (
        "id",
        "tracking_code",
        "jurisdiction_id",
        "station_id",
        "source",
        "received_on",
        "title",
        "content",
        "category",
        "status",
        "route",
        "due_on",
        "replied_on",
        "feedback",
        "closed_on",
        "created_by",
        "created_at",
    )
    t1 = time.monotonic()
    out.counts["opinions"] = put(Opinion, ocols, opinions())
    log(f"== {out.counts['opinions']} opinions: {time.monotonic() - t1:.1f} s")
    for model in (Jurisdiction, Unit, Project, Target, Milestone, Report, Station, Opinion):
        put.reset_sequence(model)
    db.session.commit()
    cur.close()
    out.rollups = rebuild_rollups(log)
    t2 = time.monotonic()
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    log(f"== ANALYZE: {time.monotonic() - t2:.1f} s")
    return out


ROLLUP_MODULES = ("votesys.rollups", "votesys.congress.rollups")


def rebuild_rollups(log=print) -> bool:
    """The precomputed roll-ups, rebuilt after the bulk load (which bypassed the ORM events
    that keep them current), as ``votesys rollups rebuild`` does. Skipped (False) where the
    tree has no roll-up module."""
    found = [m for m in ROLLUP_MODULES if importlib.util.find_spec(m) is not None]
    if not found:
        log("== no roll-up module in this tree: no roll-ups rebuilt")
        return False
    from votesys.extensions import db

    t0 = time.monotonic()
    importlib.import_module(found[0]).rebuild()
    db.session.commit()
    log(f"== {found[0]}.rebuild(): {time.monotonic() - t0:.1f} s")
    return True


def pages(p: Province, year: int) -> dict[str, list[str]]:
    """Each page benchmarked at province scale, as the URLs its requests cycle through."""
    townships = p.townships[:: max(1, len(p.townships) // 20)][:20] or p.counties
    return {
        "home": ["/"],
        "city_list": [f"/projects?jurisdiction={c}&year={year}" for c in p.cities],
        "township_list": [f"/projects?jurisdiction={t}&year={year}" for t in townships],
        "project_page": [f"/projects/{r}" for r in p.refs[:: max(1, len(p.refs) // 20)][:20]],
        "summary_api": [f"/api/v1/jurisdictions/{PROVINCE}/summary?year={year}"],
        "statistics": [f"/statistics?jurisdiction={PROVINCE}&year={year}"],
        "statistics_api": [f"/api/v1/public/statistics?jurisdiction={PROVINCE}&year={year}"],
    }


# -- the intake: a campaign's last hour ----------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TRACK = re.compile(r"/track/([0-9A-Z]+)")


def intake(base: str, stations: list[int], per_minute: float, seconds: float, seed: int) -> dict:
    """Run in a client process: citizens arrive at random (Poisson, ``per_minute``) for
    ``seconds``, whether or not earlier ones were answered (open loop). Each GETs the form
    (its CSRF token and session cookie), then POSTs it; a 302 to its tracking page is an
    acknowledged submission. Returns latencies, statuses and the acknowledged codes."""
    return asyncio.run(_intake(base, stations, per_minute, seconds, seed))


async def _intake(base, stations, per_minute, seconds, seed):
    import aiohttp

    rng = random.Random(seed)
    rate = per_minute / 60
    at, schedule = 0.0, []
    while True:
        at += rng.expovariate(rate)
        if at >= seconds:
            break
        schedule.append(at)
    form_ms, post_ms, statuses, codes, errors = [], [], {}, [], []
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)

    async def citizen(session, i: int, when: float) -> None:
        await asyncio.sleep(max(0.0, started + when - time.monotonic()))
        station = stations[rng.randrange(len(stations))]
        status = 0
        try:
            t0 = time.monotonic()
            async with session.get(f"{base}/opinions/new?station={station}") as r:
                page = await r.text()
                cookie = "; ".join(f"{k}={v.value}" for k, v in r.cookies.items())
            form_ms.append(1000 * (time.monotonic() - t0))
            token = CSRF.search(page)
            data = {
                "csrf_token": token.group(1) if token else "",
                "station": str(station),
                "category": CATEGORIES[i % len(CATEGORIES)],
                "title": f"冲刺时段意见{i}",
                "content": "小区门口道路坑洼，雨天积水，希望尽快修整。",
                "place": "",
                "citizen_name": "",
                "citizen_phone": "",
            }
            t1 = time.monotonic()
            async with session.post(
                f"{base}/opinions/new",
                data=data,
                headers={"Cookie": cookie},
                allow_redirects=False,
            ) as r:
                body = await r.read()
                status = r.status
                location = r.headers.get("Location", "")
            post_ms.append(1000 * (time.monotonic() - t1))
            found = TRACK.search(location)
            if status == 302 and found:
                codes.append(found.group(1))
            elif len(errors) < 5:
                errors.append(f"{status} {location} {body[:200]!r}")
        except Exception as err:  # a refused or reset connection is counted, not raised
            if len(errors) < 5:
                errors.append(repr(err))
        statuses[status] = statuses.get(status, 0) + 1

    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        started = time.monotonic()
        await asyncio.gather(*(citizen(session, i, w) for i, w in enumerate(schedule)))
        ended = time.monotonic()
    return {
        "sent": len(schedule),
        "seconds": round(ended - started, 1),
        "form_ms": form_ms,
        "post_ms": post_ms,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "codes": codes,
        "errors": errors,
    }


def run_intake(base: str, url: str, stations: list[int], args) -> dict:
    """The intake in its own client process, then the database asked for every code."""
    import multiprocessing

    import psycopg
    from benchlib import ms, percentile

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        got = pool.apply(intake, (base, stations, args.intake_per_minute, args.intake_seconds, 11))
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM opinions WHERE tracking_code = ANY(%s)", (got["codes"],)
        ).fetchone()[0]
        online = conn.execute("SELECT count(*) FROM opinions WHERE source = 'online'").fetchone()[0]
    posts = [x / 1000 for x in got["post_ms"]]
    forms = [x / 1000 for x in got["form_ms"]]
    return {
        "intake_sent": got["sent"],
        "intake_per_minute": args.intake_per_minute,
        "intake_seconds": got["seconds"],
        "intake_acknowledged": len(got["codes"]),
        "intake_stored": stored,
        "intake_online_rows": online,
        "intake_lost": len(got["codes"]) - stored,
        "intake_p50_ms": ms(percentile(posts, 50)),
        "intake_p99_ms": ms(percentile(posts, 99)),
        "intake_max_ms": ms(max(posts) if posts else None),
        "intake_form_p50_ms": ms(percentile(forms, 50)),
        "intake_form_p99_ms": ms(percentile(forms, 99)),
        "intake_statuses": got["statuses"],
        "intake_errors": got["errors"],
    }
