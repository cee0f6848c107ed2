"""Deputies casting over HTTP as a real tablet would: retry with the same Idempotency-Key
until the server acknowledges, and the tally those acknowledgements must add up to."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tests.faults.live import Answer, Broken, Seeded, call, new_key

MARKS = ("for", "against", "abstain")


@dataclass
class Caster:
    code: str
    token: str
    choices: dict[str, str]
    key: str = field(default_factory=new_key)
    receipt: str | None = None
    broken: int = 0  # connections that broke before an answer
    answers: list[Answer] = field(default_factory=list)  # every answer other than a 201

    @property
    def statuses(self) -> list[int]:
        return [a.status for a in self.answers]


def casters(seeded: Seeded) -> list[Caster]:
    """One per deputy, with marks that vary (at most two "for", the limit of the seeded vote)."""
    first, second = (str(c) for c in seeded.candidates[:2])
    return [
        Caster(
            code,
            seeded.tokens[code],
            {first: MARKS[i % 3], second: MARKS[(i // 3) % 3]},
        )
        for i, code in enumerate(sorted(seeded.tokens))
    ]


def cast_once(base: str, vote_id: int, caster: Caster, key: str | None = None) -> Answer:
    return call(
        base,
        "POST",
        f"/api/v1/votes/{vote_id}/ballots",
        {"choices": caster.choices},
        token=caster.token,
        headers={"Idempotency-Key": key or caster.key},
    )


def cast_until_acknowledged(
    base: str | list[str],
    vote_id: int,
    caster: Caster,
    *,
    retry_statuses: tuple[int, ...] = (),
    timeout: float = 120,
) -> Caster:
    """Post the ballot; after a broken connection (or a status in ``retry_statuses``) post it
    again with the same Idempotency-Key, until an answer that is final."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = cast_once(base, vote_id, caster)
        except Broken:
            caster.broken += 1
            time.sleep(0.2)
            continue
        if answer.status == 201:
            caster.receipt = answer.json["receipt"]
            return caster
        caster.answers.append(answer)
        if answer.status not in retry_statuses:
            return caster
        time.sleep(0.2)
    raise AssertionError(f"{caster.code}: no final answer in {timeout}s")


def run_all(work, items, threads: int) -> list:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(work, items))


def expected_tally(acknowledged: list[Caster], candidates: list[int]) -> dict[int, Counter]:
    """Each candidate's counts from the acknowledged ballots (a candidate left out: abstain)."""
    tally = {c: Counter({m: 0 for m in MARKS}) for c in candidates}
    for caster in acknowledged:
        for c in candidates:
            tally[c][caster.choices.get(str(c), "abstain")] += 1
    return tally


def stored_tally(result: dict) -> dict[int, Counter]:
    return {
        c["id"]: Counter({"for": c["for"], "against": c["against"], "abstain": c["abstain"]})
        for c in result["candidates"]
    }
