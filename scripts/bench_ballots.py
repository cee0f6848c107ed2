"""Measure the casting and closing path in-process: D deputies, C candidates.

Prints per-cast latency (p50/p99), casts per second for one writer, close-and-tally time,
and checks that the stored tally equals the tally of the ballots sent. Its last line is all
figures as one JSON object. It measures the service and the database, not HTTP: the hall
benchmark under the production server comes separately.

    .venv/bin/python scripts/bench_ballots.py [--deputies 3000] [--candidates 20]
                                              [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time

from sqlalchemy import text

from votesys.database import throwaway_postgres_database
from votesys.voting import casting, counting


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deputies", type=int, default=3000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    os.environ["VOTESYS_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="votesys-bench-")
    if args.database_url:
        with throwaway_postgres_database(args.database_url, "votesys_bench") as url:
            run(args, url)
    else:
        run(args, f"sqlite:///{os.environ['VOTESYS_INSTANCE_PATH']}/bench.db")


def run(args: argparse.Namespace, url: str) -> None:
    from votesys import create_app, scenario
    from votesys.config import normalise_database_url
    from votesys.congress import services as congress
    from votesys.congress.models import CongressSession, Deputy
    from votesys.extensions import db
    from votesys.voting import services
    from votesys.voting.models import Vote

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
            # logging in is not measured: cheap hashes for the set-up
            "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_KIB": 8,
        }
    )
    with app.app_context():
        db.create_all()
        seats = max(1, args.candidates // 2)
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
                "deputies": [
                    {"code": f"B{i:05d}", "name": f"代表{i}", "pin": "123456"}
                    for i in range(args.deputies)
                ],
                "session": {"name": "基准会议", "date": "2027-01-01"},
                "candidates": [
                    {"key": f"c{i}", "title": f"项目{i}"} for i in range(args.candidates)
                ],
                "votes": [
                    {
                        "key": "v",
                        "title": "基准票决",
                        "seats": seats,
                        "max_for": seats,
                        "candidates": [f"c{i}" for i in range(args.candidates)],
                    }
                ],
            }
        )
        sess = db.session.get(CongressSession, ids["session"])
        for code in ids["deputies"]:
            congress.check_in(sess, code)
        vote = services.open_vote(db.session.get(Vote, ids["votes"]["v"]))
        db.session.commit()
        vote_id, cids = vote.id, services.candidate_ids(vote)
        rng = random.Random(7)
        expected = {cid: [0, 0, 0] for cid in cids}
        latencies = []
        started = time.perf_counter()
        for deputy_id in ids["deputies"].values():
            fors = set(rng.sample(cids, rng.randint(0, seats)))
            choices = {}
            for cid in cids:
                word = "for" if cid in fors else rng.choice(["against", "abstain", None])
                if word:
                    choices[str(cid)] = word
                expected[cid][{"for": 0, "against": 1}.get(word, 2)] += 1
            t0 = time.perf_counter()
            casting.cast_ballot(
                db.session.get(Vote, vote_id), db.session.get(Deputy, deputy_id), choices
            )
            db.session.commit()
            latencies.append(time.perf_counter() - t0)
        cast_total = time.perf_counter() - started
        t0 = time.perf_counter()
        vote = counting.close_vote(db.session.get(Vote, vote_id))
        db.session.commit()
        close_s = time.perf_counter() - t0
        stored = {
            e.candidate_id: [e.votes_for, e.votes_against, e.votes_abstain]
            for e in db.session.get(Vote, vote_id).entries
        }
        size = None
        if db.engine.dialect.name == "postgresql":
            size = db.session.execute(text("SELECT pg_total_relation_size('ballots')")).scalar()
        db.session.remove()
        db.engine.dispose()
    latencies.sort()
    figures = {
        "database": make_safe(url),
        "deputies": args.deputies,
        "candidates": args.candidates,
        "cast_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "cast_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "casts_per_s_one_writer": round(len(latencies) / cast_total, 1),
        "close_s": round(close_s, 3),
        "tally_matches": stored == expected,
        "ballots_table_bytes": size,
    }
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    print(json.dumps(figures))
    if not figures["tally_matches"]:
        raise SystemExit("stored tally differs from the ballots sent")


def make_safe(url: str) -> str:
    return url.split("@")[-1].rsplit("/", 1)[0] if "@" in url else "sqlite (file)"


if __name__ == "__main__":
    main()
