"""Measure what a large import does to everyone else: while an organiser imports a file (a
plan of N projects, N candidate projects, or a roster of N deputies whose PINs are hashed at
the production cost), another user logs in again and again — a login appends to the audit
chain — and each login's time is taken. Prints the import's time, the logins' times and how
many audit entries the import wrote; its last line is every figure as one JSON object.

It drives the app in-process through Flask's test client (one thread imports, one logs in),
on a fresh SQLite file or a throwaway PostgreSQL database, with the schema made by
``create_all``. An import answered at once is timed to its answer; one run as a background
job (302 to the job's page, or 202 from the API) is timed until its job is done or failed.

    .venv/bin/python scripts/bench_import.py [--kind plan|candidates|roster] [--rows 20000]
                                             [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import tempfile
import threading
import time

from votesys.database import throwaway_postgres_database

PASSWORD = "bench-password-1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=("plan", "candidates", "roster"), default="plan")
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between logins")
    args = parser.parse_args()
    os.environ["VOTESYS_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="votesys-bench-")
    if args.database_url:
        with throwaway_postgres_database(args.database_url, "votesys_bench") as url:
            run(args, url)
    else:
        run(args, f"sqlite:///{os.environ['VOTESYS_INSTANCE_PATH']}/bench.db")


def content(kind: str, rows: int) -> tuple[str, bytes]:
    if kind == "plan":
        head = "项目名称,年度,责任单位,完成类型,县级资金,目标名称,目标单位,目标值\n"
        body = "".join(
            f"项目{i},2026,单位{i % 40},本年度,{100 + i % 50}.50,里程,公里,{10 + i % 7}\n"
            for i in range(rows)
        )
        return "plan.csv", (head + body).encode("utf-8-sig")
    if kind == "candidates":
        head = "项目名称,项目简介,责任单位,预算（万元）\n"
        body = "".join(f"候选项目{i},简介{i},单位{i % 40},{200 + i % 90}\n" for i in range(rows))
        return "candidates.csv", (head + body).encode("utf-8-sig")
    head = "代表编号,姓名,初始PIN,代表团\n"
    body = "".join(f"R{i:06d},代表{i},{246800 + i % 1000},第{i % 12}团\n" for i in range(rows))
    return "roster.csv", (head + body).encode("utf-8-sig")


def run(args: argparse.Namespace, url: str) -> None:
    from votesys import create_app, scenario
    from votesys.auth.services import create_user
    from votesys.config import normalise_database_url
    from votesys.extensions import db
    from votesys.integrity.models import AuditEntry

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        ids = scenario.load(
            {
                # a benchmark measures speed, not the law: no 差额 asked of its votes
                "jurisdiction": {
                    "code": "BENCH",
                    "name": "基准测试区",
                    "level": "county",
                    "rules": {"min_extra_candidates": 0},
                },
                "congress": {"name": "基准测试人民代表大会", "term": 1},
                "deputies": [{"code": "B0001", "name": "代表", "pin": "123456"}],
                "session": {"name": "基准会议", "date": "2027-01-01"},
                "candidates": [{"key": "c", "title": "项目"}],
                "votes": [
                    {"key": "v", "title": "票决", "candidates": ["c"], "seats": 1, "max_for": 1}
                ],
            }
        )
        create_user("importer", PASSWORD, "organiser")
        create_user("colleague", PASSWORD, "organiser")
        db.session.commit()
        entries_before = db.session.query(AuditEntry).count()
        db.session.remove()

    name, body = content(args.kind, args.rows)
    importer = app.test_client()
    r = importer.post("/login", data={"login": "importer", "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    token = importer.post("/api/v1/auth/token", json={"login": "importer", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    outcome: dict = {}
    running = threading.Event()

    def do_import() -> None:
        t0 = time.perf_counter()
        files = {"file": (io.BytesIO(body), name)}
        if args.kind == "plan":
            r = importer.post(
                "/api/v1/jurisdictions/BENCH/projects/import",
                data={**files, "kind": "plan"},
                headers=bearer,
                content_type="multipart/form-data",
            )
        elif args.kind == "candidates":
            r = importer.post(
                f"/desk/sessions/{ids['session']}/candidates/import",
                data=files,
                content_type="multipart/form-data",
            )
        else:
            r = importer.post(
                f"/desk/congresses/{ids['congress']}/roster",
                data=files,
                content_type="multipart/form-data",
            )
        outcome["answered_s"] = time.perf_counter() - t0
        outcome["status"] = r.status_code
        job = _job_url(r)
        if job:
            while True:
                state = importer.get(job, headers=bearer).get_json()
                if state["state"] in ("done", "failed"):
                    outcome["job"] = state
                    break
                time.sleep(0.2)
        outcome["import_s"] = time.perf_counter() - t0
        running.clear()

    logins: list[float] = []
    refused: list[int] = []

    def log_in_repeatedly() -> None:
        while running.is_set():
            client = app.test_client()
            t0 = time.perf_counter()
            r = client.post("/login", data={"login": "colleague", "password": PASSWORD})
            logins.append(time.perf_counter() - t0)  # begun while the import ran
            if r.status_code != 302:  # SQLite's 15 s busy timeout ran out: a 503
                refused.append(r.status_code)
            time.sleep(args.pause)

    running.set()
    threads = [threading.Thread(target=do_import), threading.Thread(target=log_in_repeatedly)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        entries = db.session.query(AuditEntry).count() - entries_before
        db.session.remove()
        db.engine.dispose()
    figures = {
        "kind": args.kind,
        "rows": args.rows,
        "database": "postgresql" if args.database_url else "sqlite",
        "status": outcome.get("status"),
        "answered_s": round(outcome.get("answered_s", 0), 2),
        "import_s": round(outcome.get("import_s", 0), 2),
        "job_state": (outcome.get("job") or {}).get("state"),
        "logins": len(logins),
        "login_p50_s": round(statistics.median(logins), 3) if logins else None,
        "login_max_s": round(max(logins), 3) if logins else None,
        "logins_failed": len(refused),
        # the logins' own entries are counted too: one each, and the importer's two
        "audit_entries_by_import": entries - (len(logins) - len(refused)) - 2,
    }
    print(
        f"{args.kind}, {args.rows} rows on {figures['database']}: answered in "
        f"{figures['answered_s']} s ({figures['status']}), done in {figures['import_s']} s; "
        f"{len(logins)} logins meanwhile, median {figures['login_p50_s']} s, "
        f"longest {figures['login_max_s']} s, {len(refused)} failed; the import wrote "
        f"{figures['audit_entries_by_import']} audit entries"
    )
    print(json.dumps(figures))


def _job_url(response) -> str | None:
    """Where the job's state is read, if the import became a background job."""
    if response.status_code == 202:
        return response.get_json()["job"]["url"]
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/desk/jobs/" in location:
        return location.rstrip("/") + "/state.json"
    return None


if __name__ == "__main__":
    main()
