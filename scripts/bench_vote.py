"""The hall: votesys under its production server, D deputies voting on C candidates.

Set-up (not measured): a throwaway PostgreSQL database ``votesys_bench_…`` migrated like
production; one congress of D deputies, all checked in, each with an API token and a tablet
session made beforehand (logging in is not part of the burst: PIN hashing is slow on
purpose); two votes of C candidates.

Phase "hall": all D tablets wait on the vote's state the way the tablet page does
(``/tablet/events``, a stream of server-sent events); the vote opens; every deputy casts a
random valid ballot at a random moment of the window that begins when the vote is open (open
loop, from a client process of its own); the vote closes (tally, seal, signed record).
Phase "stress": the second vote, ``--concurrency`` clients casting as fast as the server
answers (closed loop), then ``GET /api/v1/health`` with the same client and concurrency;
and wrk alone on the same endpoint. Both phases check that the stored tally
equals the tally of the ballots the clients sent. The last line is every figure as JSON.

Many halls at once (``--sessions N``): N congresses, each its own jurisdiction (a province's
townships and counties in the voting season), ``--deputies`` each (150); each hall's vote
opens at a random moment of the first ``--stagger`` seconds, its deputies cast in its window,
it closes when they are answered. Each hall's figures and tally are checked on their own,
and the worst hall is held to one hall's targets. Every tablet reads until every hall has
closed and counts each event it receives; an event naming another congress's vote is a
``cross_session_events`` (it must be 0). No stress phase.

    scripts/bench_vote [--deputies 3000] [--candidates 20] [--window 60] [--concurrency 200]
                       [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
    scripts/bench_vote --sessions 20 [--deputies 150] [--stagger 60] [--no-push]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sessions",
        type=int,
        default=1,
        help="halls at once: congresses of --deputies each, their votes opening within "
        "--stagger seconds (no stress phase)",
    )
    parser.add_argument(
        "--deputies", type=int, default=None, help="per session (3000; 150 with --sessions)"
    )
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--window", type=float, default=60.0, help="seconds (hall phase)")
    parser.add_argument(
        "--stagger",
        type=float,
        default=60.0,
        help="with --sessions: each vote opens at a random moment of these first seconds",
    )
    parser.add_argument("--concurrency", type=int, default=200, help="stress clients")
    parser.add_argument("--database-url", default=benchlib.DEFAULT_SERVER_URL)
    parser.add_argument("--workers", type=int, default=4, help="server processes")
    parser.add_argument("--threads", type=int, default=1000, help="threads per process")
    parser.add_argument(
        "--clients",
        type=int,
        default=2,
        help="load client processes (the hall: and one for the casts)",
    )
    parser.add_argument("--trivial-seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-push",
        action="store_true",
        help="the server's watchers poll only (VOTESYS_TABLET_WATCH_PUSH=0), to compare",
    )
    parser.add_argument(
        "--profile",
        type=float,
        default=0,
        metavar="SECONDS",
        help="py-spy one server process for SECONDS from the opening (collapsed stacks in "
        "/tmp/votesys-bench-profile/); needs py-spy (pip install py-spy) and ptrace rights",
    )
    args = parser.parse_args(argv)
    if args.deputies is None:
        args.deputies = 3000 if args.sessions == 1 else 150
    benchlib.stop_cleanly_on_signals()
    benchlib.raise_fd_limit()
    secret_key = "bench-" + secrets.token_hex(16)
    env = {"VOTESYS_TABLET_WATCH_PUSH": "0" if args.no_push else "1"}
    with benchlib.throwaway_database(args.database_url) as url:
        ids = set_up(url, secret_key, args)
        with benchlib.Server(
            url, secret_key, workers=args.workers, threads=args.threads, env=env
        ) as server:
            try:
                hall = hall_phase(server, ids, args)
                stress = stress_phase(server.base, ids, args) if args.sessions == 1 else None
            except BaseException:
                print("== the server's log ends with:\n" + server.tail(), file=sys.stderr)
                raise
            if stress is None:
                figures = collect_halls(args, server, hall)
            else:
                figures = collect(args, server, hall, stress, url, ids)
    if PROFILERS:
        profile_summary()
    benchlib.print_figures(figures)
    return figures


# -- set-up --------------------------------------------------------------------------------


def set_up(url: str, secret_key: str, args) -> dict:
    """One congress of D deputies (two votes), or with ``--sessions N`` N of them, each its
    own jurisdiction (as a province's townships and counties), one vote each."""
    from sqlalchemy import insert

    from votesys import scenario
    from votesys.auth.services import create_user, issue_token
    from votesys.congress.models import Attendance, Deputy
    from votesys.extensions import db
    from votesys.voting.models import Vote

    t0 = time.monotonic()
    app = benchlib.make_app(url, secret_key)
    seats = max(1, args.candidates // 2)
    single = args.sessions == 1
    halls, tokens, cookies, votes = [], {}, {}, {}
    with app.app_context():
        # The tablet's session cookie, as a PIN login leaves it (Flask-Login's user id).
        signer = app.session_interface.get_signing_serializer(app)
        for k in range(args.sessions):
            tag = "" if single else f"{k + 1:02d}"
            loaded = scenario.load(
                {
                    # a benchmark measures speed, not the law: no 差额 asked of its votes
                    "jurisdiction": {
                        "code": "BENCH" + tag,
                        "name": "基准测试区" + tag,
                        "level": "county",
                        "rules": {"min_extra_candidates": 0},
                    },
                    "congress": {"name": f"基准测试{tag}人民代表大会", "term": 1},
                    "deputies": [
                        {"code": f"B{tag}{i:05d}", "name": f"代表{i}", "pin": "123456"}
                        for i in range(args.deputies)
                    ],
                    "session": {"name": "基准会议", "date": "2027-01-01"},
                    "candidates": [
                        {"key": f"c{i}", "title": f"项目{i}"} for i in range(args.candidates)
                    ],
                    "votes": [
                        {
                            "key": key,
                            "title": title + tag,
                            "seats": seats,
                            "max_for": seats,
                            "candidates": [f"c{i}" for i in range(args.candidates)],
                        }
                        for key, title in (("hall", "大会票决"), ("stress", "压力票决"))
                        if single or key == "hall"
                    ],
                }
            )
            deputy_ids = list(loaded["deputies"].values())
            db.session.execute(
                insert(Attendance),
                [{"session_id": loaded["session"], "deputy_id": d} for d in deputy_ids],
            )
            for deputy in db.session.scalars(db.select(Deputy).where(Deputy.id.in_(deputy_ids))):
                tokens[deputy.id] = issue_token(deputy)
            cookies |= {
                d: signer.dumps({"_user_id": f"d:{d}", "_fresh": False}) for d in deputy_ids
            }
            hall_vote = db.session.get(Vote, loaded["votes"]["hall"])
            halls.append(
                {
                    "vote": hall_vote.id,
                    "deputies": deputy_ids,
                    "candidates": [e.candidate_id for e in hall_vote.entries],
                }
            )
            votes = votes or loaded["votes"]
        organiser = create_user("bench-organiser", "bench-organiser-pass", "organiser")
        organiser_token = issue_token(organiser)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    print(
        f"== set-up: {args.sessions} × {args.deputies} deputies in {time.monotonic() - t0:.1f} s",
        flush=True,
    )
    return {
        "halls": halls,
        # the first (with --sessions 1: the only) congress, for the stress phase
        "votes": votes,
        "deputies": halls[0]["deputies"],
        "candidates": halls[0]["candidates"],
        "tokens": tokens,
        "cookies": cookies,
        "organiser": organiser_token,
        "seats": seats,
    }


def random_choices(rng: random.Random, candidates: list[int], max_for: int) -> dict[str, str]:
    """A random valid ballot: at most ``max_for`` "for", the rest against, abstain or unmarked."""
    fors = set(rng.sample(candidates, rng.randint(0, max_for)))
    choices = {}
    for cid in candidates:
        word = "for" if cid in fors else rng.choice(["against", "abstain", None])
        if word:
            choices[str(cid)] = word
    return choices


def tally_of(ballots: list[dict[str, str]], candidates: list[int]) -> dict[int, list[int]]:
    counts = {cid: [0, 0, 0] for cid in candidates}
    for choices in ballots:
        for cid in candidates:
            word = choices.get(str(cid), "abstain")
            counts[cid][{"for": 0, "against": 1}.get(word, 2)] += 1
    return counts


def organiser_call(base: str, token: str, method: str, path: str) -> tuple[int, dict, float]:
    import json
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        base + path, method=method, headers={"Authorization": f"Bearer {token}"}, data=b""
    )
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            body, status = r.read(), r.status
    except urllib.error.HTTPError as err:
        body, status = err.read(), err.code
    return status, json.loads(body or b"{}"), time.monotonic() - t0


# -- phase "hall" --------------------------------------------------------------------------


def hall_phase(server, ids: dict, args) -> dict:
    """Every hall's tablets wait; each hall's vote opens (with --sessions N at a random
    moment of the first --stagger seconds), its deputies cast in its window, and it closes
    when its casts are answered. Returns each hall's figures and the tablets' events."""
    base, halls = server.base, ids["halls"]
    rng = random.Random(args.seed)
    plan = [
        {
            "hall": k,
            "vote": hall["vote"],
            "deputy": d,
            "token": ids["tokens"][d],
            "cookie": ids["cookies"][d],
            "at": rng.uniform(0, args.window),
            "choices": random_choices(rng, hall["candidates"], ids["seats"]),
        }
        for k, hall in enumerate(halls)
        for d in hall["deputies"]
    ]
    offsets = [0.0] if len(halls) == 1 else [rng.uniform(0, args.stagger) for _ in halls]
    ctx = multiprocessing.get_context("spawn")
    # Per hall: t_open, when the opening was sent (propagation is measured from it);
    # t_opened, when it was answered, the vote open (the window of casts begins there: no
    # tablet can cast before the vote is open); t_close, when the close was sent. Then
    # t_all_closed: every hall is closed (the tablets stop listening a moment later).
    moments = tuple(ctx.Array("d", len(halls), lock=False) for _ in range(3))
    t_all_closed = ctx.Value("d", 0.0, lock=False)
    # ready: a process's tablets all wait; answered: (hall, casts) once a hall's casts are
    # all answered; done: a process's figures, once its tablets saw the closes
    ready, answered, done = ctx.Queue(), ctx.Queue(), ctx.Queue()
    # The tablets' streams in --clients processes, the casts in one of their own: 3,000
    # events arriving at once keep a client's event loop busy for a moment, and a cast
    # waiting in that loop would count the client's delay as the server's.
    shares = [(plan[i :: args.clients], []) for i in range(args.clients)] + [([], plan)]
    procs = [
        ctx.Process(
            target=hall_client,
            args=(base, tablets, casts, (*moments, t_all_closed), (ready, answered, done)),
        )
        for tablets, casts in shares
    ]
    for p in procs:
        p.start()
    organisers: list[threading.Thread] = []
    try:
        for _ in procs:
            _get(ready, procs, 300)
        time.sleep(2.0)  # every tablet is now waiting on its stream
        print(f"== hall: {len(plan)} tablets waiting; opening {len(halls)} vote(s)", flush=True)
        if args.profile:
            profile(server, args.profile)
        start = time.monotonic()
        all_answered = [threading.Event() for _ in halls]
        outcome: list[dict] = [{} for _ in halls]
        failures: list[str] = []
        organisers = [
            threading.Thread(
                target=organise,
                args=(base, ids["organiser"], halls[k]["vote"], start + offsets[k]),
                kwargs={
                    "moments": [m.__setitem__ for m in moments],
                    "k": k,
                    "answered": all_answered[k],
                    "outcome": outcome[k],
                    "failures": failures,
                },
                daemon=True,
            )
            for k in range(len(halls))
        ]
        for t in organisers:
            t.start()
        casts_done, pending = 0, set(range(len(halls)))
        deadline = time.monotonic() + args.stagger + args.window + 600
        while pending:
            if failures:
                raise SystemExit(failures[0])
            if time.monotonic() > deadline:
                raise SystemExit("the casts were not answered in time")
            try:
                k, n = _get(answered, procs, 1, quiet=True)
            except TimeoutError:
                continue
            casts_done += n
            pending.discard(k)
            all_answered[k].set()
        for t in organisers:
            t.join(timeout=300)
        if failures or any(not o for o in outcome):
            raise SystemExit(failures[0] if failures else "a hall did not close")
        t_all_closed.value = time.monotonic()
        print(f"== hall: {casts_done} casts answered; {len(halls)} vote(s) closed", flush=True)
        parts = [_get(done, procs, 180) for _ in procs]
    except BaseException:  # Ctrl-C or a failure: the clients stop now, not at their end
        for p in procs:
            p.terminate()
        raise
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    merged: dict[str, list] = {}
    for part in parts:
        for key in ("acked", "cast_latencies", "open_seen", "close_seen"):
            merged.setdefault(key, []).extend(part[key])
    figures = [
        hall_figures(k, hall, outcome[k], plan, merged, offsets[k]) for k, hall in enumerate(halls)
    ]
    statuses: dict[str, int] = {}
    for part in parts:
        for key, v in part["statuses"].items():
            statuses[str(key)] = statuses.get(str(key), 0) + v
    lat = [x for _, x in merged["cast_latencies"]]
    return {
        "halls": figures,
        "cast_p50_ms": benchlib.ms(benchlib.percentile(lat, 50)),
        "cast_p99_ms": benchlib.ms(benchlib.percentile(lat, 99)),
        "statuses": statuses,
        "error_samples": [e for part in parts for e in part["errors"]][:5],
        "tablet_connections": sum(part["connections"] for part in parts),
        "events_received": sum(part["events"] for part in parts),
        "cross_session_events": sum(part["cross"] for part in parts),
        "cross_session_samples": [e for part in parts for e in part["cross_samples"]][:5],
        "stale_events": sum(part["stale"] for part in parts),
        "tablets_told_busy": sum(part["busy"] for part in parts),
    }


def organise(base, token, vote_id, at, *, moments, k, answered, outcome, failures) -> None:
    """One hall's organiser (a thread): open at ``at``, close once the hall's casts are
    answered."""
    set_open, set_opened, set_close = moments
    try:
        time.sleep(max(0.0, at - time.monotonic()))
        sent = time.monotonic()
        status, _, open_s = organiser_call(base, token, "POST", f"/api/v1/votes/{vote_id}/open")
        if status != 200:
            raise RuntimeError(f"opening vote {vote_id} answered {status}")
        set_open(k, sent)
        set_opened(k, sent + open_s)
        answered.wait()
        time.sleep(1.0)
        sent = time.monotonic()
        status, result, close_s = organiser_call(
            base, token, "POST", f"/api/v1/votes/{vote_id}/close"
        )
        if status != 200:
            raise RuntimeError(f"closing vote {vote_id} answered {status}: {result}")
        set_close(k, sent)
        outcome.update(result=result, open_s=open_s, close_s=close_s)
    except Exception as err:
        failures.append(f"hall {k}: {err!r}")


def hall_figures(k: int, hall: dict, outcome: dict, plan: list, merged: dict, offset) -> dict:
    """One hall's figures: its casts, its tally checked, its tablets' propagation."""
    mine = [p for p in plan if p["hall"] == k]
    acked = [d for h, d in merged["acked"] if h == k]
    by_deputy = {p["deputy"]: p["choices"] for p in mine}
    expected = tally_of([by_deputy[d] for d in acked], hall["candidates"])
    result = outcome["result"]
    stored = {c["id"]: [c["for"], c["against"], c["abstain"]] for c in result["candidates"]}
    lat = [x for h, x in merged["cast_latencies"] if h == k]
    opened = [x for h, x in merged["open_seen"] if h == k]
    closed = [x for h, x in merged["close_seen"] if h == k]
    open_p99 = benchlib.ms(benchlib.percentile(opened, 99))
    close_p99 = benchlib.ms(benchlib.percentile(closed, 99))
    return {
        "vote": hall["vote"],
        "opened_at_s": round(offset, 1),
        "deputies": len(mine),
        "acknowledged": len(acked),
        "stored": result["ballots"],
        "errors": len(mine) - len(acked),
        # a deputy's ballot not in the stored tally, acknowledged or not
        "lost": len(mine) - result["ballots"],
        "tally_matches": stored == expected and result["ballots"] == len(acked),
        "cast_p50_ms": benchlib.ms(benchlib.percentile(lat, 50)),
        "cast_p95_ms": benchlib.ms(benchlib.percentile(lat, 95)),
        "cast_p99_ms": benchlib.ms(benchlib.percentile(lat, 99)),
        "cast_max_ms": benchlib.ms(max(lat) if lat else None),
        "open_s": round(outcome["open_s"], 3),
        "open_seen_by": len(opened),
        "open_propagation_p50_ms": benchlib.ms(benchlib.percentile(opened, 50)),
        "open_propagation_p99_ms": open_p99,
        "close_seen_by": len(closed),
        "close_propagation_p50_ms": benchlib.ms(benchlib.percentile(closed, 50)),
        "close_propagation_p99_ms": close_p99,
        "propagation_p99_ms": max(
            (x for x in (open_p99, close_p99) if x is not None), default=None
        ),
        "close_s": round(outcome["close_s"], 3),
    }


PROFILERS: list = []


def profile_summary(top: int = 25) -> None:
    """The share of samples in which each function was on the stack, all workers added."""
    import collections

    for p in PROFILERS:
        p.wait()
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for path in Path("/tmp/votesys-bench-profile").glob("worker-*.txt"):
        for line in path.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            if not n.isdigit():
                continue
            total += int(n)
            for frame in set(stack.split(";")):
                inclusive[frame] += int(n)
    print(f"== profile: {total} samples; functions on the stack in the most samples")
    for frame, n in inclusive.most_common(top):
        print(f"{100 * n / max(total, 1):5.1f}%  {frame[:150]}")


def profile(server, seconds: float) -> None:
    """py-spy (sampling, in its own processes) on every worker, from now on."""
    import shutil
    import subprocess

    spy = shutil.which("py-spy") or str(benchlib.VENV_BIN / "py-spy")
    out = Path("/tmp/votesys-bench-profile")
    out.mkdir(exist_ok=True)
    for pid in server.pids()[1:2]:  # one worker: sampling 1,000 threads is not free
        PROFILERS.append(
            subprocess.Popen(
                [spy, "record", "-p", str(pid), "-d", str(int(seconds)), "-f", "raw", "-r", "25"]
                + ["-o", str(out / f"worker-{pid}.txt")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    print(f"== profiling one worker for {seconds:g} s into {out}")


def _get(queue, procs, timeout: float, quiet: bool = False):
    """The next message of a client process; stop when one of them died (``quiet``: raise
    TimeoutError when none came in time, rather than stop)."""
    import queue as queues

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return queue.get(timeout=min(1, timeout))
        except queues.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise SystemExit("a load client process failed") from None
    if quiet:
        raise TimeoutError
    raise SystemExit("the load client processes did not answer in time")


def hall_client(base, tablets, casts, moments, queues) -> None:
    """One client process: its share of the tablets (each waiting like the page), or the
    casts at their moments (open loop)."""
    benchlib.raise_fd_limit()
    asyncio.run(_hall_client(base, tablets, casts, moments, queues))


async def _hall_client(base, tablets, casts, moments, queues) -> None:
    import aiohttp

    t_open, t_opened, t_close, t_all_closed = moments
    ready, answered, done = queues

    events_url = base + "/tablet/events"
    out = {
        "acked": [],  # (hall, deputy)
        "cast_latencies": [],  # (hall, seconds), and so the propagations
        "statuses": {},
        "errors": [],
        "open_seen": [],
        "close_seen": [],
        "connections": 0,
        "events": 0,  # every event every tablet read
        "cross": 0,  # of those, naming a vote not of the tablet's congress
        "cross_samples": [],
        "stale": 0,  # naming the tablet's state it already knew (a wake-up for nothing)
        "busy": 0,  # connections answered 503 (no pooled connection free): tried again
    }
    connector = aiohttp.TCPConnector(limit=0)
    started = asyncio.Event()
    waiting = 0
    closes_seen = 0

    async def moment(values, k: int) -> float:
        while values[k] == 0.0:
            await asyncio.sleep(0.005)
        return values[k]

    async def tablet(session, entry) -> None:
        marked = []
        try:
            await _tablet(session, entry, marked)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # reported, and the tablet counts as never having seen
            if len(out["errors"]) < 5:
                out["errors"].append(f"tablet: {err!r}")
            print(f"tablet of deputy {entry['deputy']}: {err!r}", file=sys.stderr)
        finally:
            if not marked:
                mark_waiting()

    def mark_waiting() -> None:
        nonlocal waiting
        waiting += 1
        if waiting == len(tablets):
            started.set()

    async def _tablet(session, entry, marked) -> None:
        """As the page's EventSource: read events; reconnect after 2 s when the stream
        ends or fails (the first event after that is the state now). Every event is
        counted; one naming another congress's vote is a cross-session event. Reads until
        the client stops it (every hall closed), not only until its own close."""
        nonlocal closes_seen
        cookies = {"Cookie": f"session={entry['cookie']}"}
        k, own = entry["hall"], entry["vote"]
        was_open = None
        while True:
            try:
                async with session.get(events_url, headers=cookies, allow_redirects=False) as r:
                    if r.status == 503:  # as the page does: back after a moment
                        out["busy"] += 1
                        await asyncio.sleep(float(r.headers.get("Retry-After") or 2))
                        continue
                    if r.status != 200:
                        if was_open is None:
                            raise RuntimeError(f"{r.status} {(await r.read())[:300]!r}")
                        await asyncio.sleep(2)
                        continue
                    out["connections"] += 1
                    first = True
                    async for line in r.content:
                        if not line.startswith(b"data:"):
                            continue
                        s = json.loads(line[5:])
                        now = time.monotonic()
                        out["events"] += 1
                        if s["vote"] is not None and s["vote"] != own:
                            out["cross"] += 1
                            if len(out["cross_samples"]) < 5:
                                out["cross_samples"].append({"vote": own, "event": s})
                            continue
                        is_open = s["vote"] == own
                        state_now, first = first, False
                        if was_open is None:  # the state when the tablet began to wait
                            was_open = is_open
                            marked.append(True)
                            mark_waiting()
                        elif is_open and not was_open:
                            out["open_seen"].append((k, now - await moment(t_open, k)))
                            was_open = True
                        elif was_open and not is_open:
                            out["close_seen"].append((k, now - await moment(t_close, k)))
                            was_open = False
                            closes_seen += 1
                        elif not state_now:
                            out["stale"] += 1
            except (TimeoutError, aiohttp.ClientError):
                if was_open is None:
                    raise
            await asyncio.sleep(2)  # as the browser does before reconnecting

    async def cast(session, entry) -> None:
        k = entry["hall"]
        opened = await moment(t_opened, k)
        delay = opened + entry["at"] - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        t0 = time.monotonic()
        try:
            async with session.post(
                f"{base}/api/v1/votes/{entry['vote']}/ballots",
                json={"choices": entry["choices"]},
                headers={
                    "Authorization": f"Bearer {entry['token']}",
                    "Idempotency-Key": secrets.token_urlsafe(16),
                },
            ) as r:
                body = await r.read()
                status = r.status
        except (TimeoutError, aiohttp.ClientError) as err:
            status, body = 0, str(err).encode()
        out["cast_latencies"].append((k, time.monotonic() - t0))
        out["statuses"][status] = out["statuses"].get(status, 0) + 1
        if status == 201:
            out["acked"].append((k, entry["deputy"]))
        elif len(out["errors"]) < 5:
            out["errors"].append(f"{status} {body[:200]!r}")

    async def hall_casts(session, k: int, entries: list) -> None:
        await asyncio.gather(*(cast(session, e) for e in entries))
        answered.put((k, len(entries)))

    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        if not tablets:
            started.set()
        waiters = [asyncio.create_task(tablet(session, e)) for e in tablets]
        await started.wait()
        ready.put(True)
        by_hall: dict[int, list] = {}
        for e in casts:
            by_hall.setdefault(e["hall"], []).append(e)
        await asyncio.gather(*(hall_casts(session, k, es) for k, es in by_hall.items()))
        if waiters:  # every hall closed; each tablet saw its close (or 120 s passed)
            while t_all_closed.value == 0.0:
                await asyncio.sleep(0.05)
            deadline = time.monotonic() + 120
            while closes_seen < len(tablets) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await asyncio.sleep(2.0)  # an event meant for another hall would come now
        for t in waiters:
            t.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
    done.put(out)


# -- phase "stress" ------------------------------------------------------------------------


def stress_phase(base: str, ids: dict, args) -> dict:
    vote_id = ids["votes"]["stress"]
    status, _, _ = organiser_call(base, ids["organiser"], "POST", f"/api/v1/votes/{vote_id}/open")
    if status != 200:
        raise SystemExit(f"opening the stress vote answered {status}")
    rng = random.Random(args.seed + 1)
    ballots = {d: random_choices(rng, ids["candidates"], ids["seats"]) for d in ids["deputies"]}
    requests = [
        {
            "method": "POST",
            "path": f"/api/v1/votes/{vote_id}/ballots",
            "headers": {"Authorization": f"Bearer {ids['tokens'][d]}"},
            "json": {"choices": ballots[d]},
            "tag": d,
        }
        for d in ids["deputies"]
    ]
    print(f"== stress: {len(requests)} casts, {args.concurrency} clients", flush=True)
    casts = benchlib.run_closed_loops(
        base, requests, concurrency=args.concurrency, processes=args.clients
    )
    status, result, close_s = organiser_call(
        base, ids["organiser"], "POST", f"/api/v1/votes/{vote_id}/close"
    )
    acked = casts.pop("ok_tags")
    expected = tally_of([ballots[d] for d in acked], ids["candidates"])
    stored = {c["id"]: [c["for"], c["against"], c["abstain"]] for c in result["candidates"]}
    print(f"== stress: GET /api/v1/health for {args.trivial_seconds:g} s", flush=True)
    trivial = benchlib.run_closed_loops(
        base,
        [{"path": "/api/v1/health"}],
        concurrency=args.concurrency,
        processes=args.clients,
        duration=args.trivial_seconds,
    )
    trivial.pop("ok_tags")
    wrk = benchlib.wrk_per_s(
        base + "/api/v1/health",
        connections=args.concurrency,
        seconds=max(1, round(args.trivial_seconds)),
    )
    return {
        "casts": casts,
        "acknowledged": len(acked),
        "stored": result["ballots"],
        "tally_matches": stored == expected and result["ballots"] == len(acked),
        "close_s": round(close_s, 3),
        "trivial": trivial,
        "wrk_trivial_per_s": wrk,
    }


def collect_halls(args, server, phase: dict) -> dict:
    """--sessions N: the worst hall's figures against one hall's targets, and each hall's."""
    halls = phase["halls"]
    rss = server.rss_mb()

    def worst(key: str):
        return max((h[key] for h in halls if h[key] is not None), default=None)

    return {
        "sessions": len(halls),
        "deputies_per_session": args.deputies,
        "tablets": sum(h["deputies"] for h in halls),
        "candidates": args.candidates,
        "window_s": args.window,
        "stagger_s": args.stagger,
        "push": not args.no_push,
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
        "client_processes": args.clients,
        "lost": sum(h["lost"] for h in halls),
        "errors": sum(h["errors"] for h in halls),
        "acknowledged": sum(h["acknowledged"] for h in halls),
        "stored": sum(h["stored"] for h in halls),
        "tally_matches": all(h["tally_matches"] for h in halls),
        "cast_p50_ms": phase["cast_p50_ms"],
        "cast_p99_ms": phase["cast_p99_ms"],
        "worst_cast_p99_ms": worst("cast_p99_ms"),
        "worst_open_propagation_p99_ms": worst("open_propagation_p99_ms"),
        "worst_close_propagation_p99_ms": worst("close_propagation_p99_ms"),
        "worst_propagation_p99_ms": worst("propagation_p99_ms"),
        "worst_open_s": worst("open_s"),
        "worst_close_s": worst("close_s"),
        "open_seen_by": sum(h["open_seen_by"] for h in halls),
        "close_seen_by": sum(h["close_seen_by"] for h in halls),
        "events_received": phase["events_received"],
        "cross_session_events": phase["cross_session_events"],
        "cross_session_samples": phase["cross_session_samples"],
        "stale_events": phase["stale_events"],
        "tablet_connections": phase["tablet_connections"],
        "tablets_told_busy": phase["tablets_told_busy"],
        "statuses": phase["statuses"],
        "error_samples": phase["error_samples"],
        "peak_rss_mb": max(rss["workers_mb"] + [rss["master_mb"]]),
        "rss_mb": rss,
        "per_session": halls,
    }


def collect(args, server, phase, stress, url, ids) -> dict:
    rss = server.rss_mb()
    extras = (
        "statuses",
        "error_samples",
        "tablet_connections",
        "cross_session_events",
        "tablets_told_busy",
    )
    hall = phase["halls"][0] | {key: phase[key] for key in extras}
    casts_per_s = stress["casts"]["per_s"]
    trivial_per_s = stress["trivial"]["per_s"]
    return {
        "deputies": args.deputies,
        "candidates": args.candidates,
        "window_s": args.window,
        "concurrency": args.concurrency,
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
        "client_processes": args.clients,
        "acknowledged": hall["acknowledged"],
        "stored": hall["stored"],
        "errors": hall["errors"],
        "tally_matches": hall["tally_matches"],
        "cast_p50_ms": hall["cast_p50_ms"],
        "cast_p95_ms": hall["cast_p95_ms"],
        "cast_p99_ms": hall["cast_p99_ms"],
        "open_propagation_p50_ms": hall["open_propagation_p50_ms"],
        "open_propagation_p99_ms": hall["open_propagation_p99_ms"],
        "close_propagation_p50_ms": hall["close_propagation_p50_ms"],
        "close_propagation_p99_ms": hall["close_propagation_p99_ms"],
        "propagation_p99_ms": max(
            x
            for x in (hall["open_propagation_p99_ms"], hall["close_propagation_p99_ms"], 0)
            if x is not None
        ),
        "open_seen_by": hall["open_seen_by"],
        "close_seen_by": hall["close_seen_by"],
        "close_s": hall["close_s"],
        "cross_session_events": hall["cross_session_events"],
        "tablets_told_busy": hall["tablets_told_busy"],
        "push": not args.no_push,
        "stress_casts_per_s": casts_per_s,
        "stress_cast_p50_ms": stress["casts"]["p50_ms"],
        "stress_cast_p99_ms": stress["casts"]["p99_ms"],
        "stress_acknowledged": stress["acknowledged"],
        "stress_stored": stress["stored"],
        "stress_tally_matches": stress["tally_matches"],
        "stress_close_s": stress["close_s"],
        "trivial_per_s": trivial_per_s,
        "trivial_p99_ms": stress["trivial"]["p99_ms"],
        "wrk_trivial_per_s": stress["wrk_trivial_per_s"],
        "ratio": round(casts_per_s / trivial_per_s, 3) if casts_per_s and trivial_per_s else None,
        "peak_rss_mb": max(rss["workers_mb"] + [rss["master_mb"]]),
        "rss_mb": rss,
        "hall": hall,
        "stress": stress,
    }


if __name__ == "__main__":
    main()
