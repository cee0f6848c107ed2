"""The election record checked with nothing but the record (``votesys verify``, the tests,
the restore): its format, the ballots, the counts, the quorum, the tally, the decision under
the vote's own rule, and the Merkle root. Pure: no Flask, no database.

A record names the version of the rules it was made under (``rules_version``), and is
checked under that version: a record signed before a rule changed still verifies after.
When a rule of ``votesys.voting.rules`` changes, keep the old rules as a module of their own,
list it in RULES under the old number, and raise RULES_VERSION."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from votesys.congress.rules import Quorum
from votesys.errors import InvalidInput
from votesys.integrity.rules import merkle_root
from votesys.voting import fallback_rules
from votesys.voting import rules as rules_1
from votesys.voting.rules import Count

RECORD_FORMAT = "votesys-election-record/1"
# The rules new records are made under, and every version a published record may name.
RULES_VERSION = "1"
RULES: dict[str, Any] = {"1": rules_1}
# Records made before they named their rules (votesys 0.1.0) were made under version 1.
UNNAMED_RULES = "1"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def verify_record(record: Any) -> list[Check]:
    """Every check an auditor can make of a record with nothing but the record."""
    checks: list[Check] = []

    def check(name: str, test: Callable[[], str | None]) -> None:
        try:
            problem = test()
        except InvalidInput as err:
            problem = f"inconsistent figures ({err.params.get('field')})"
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            problem = f"malformed record ({type(err).__name__}: {err})"
        checks.append(Check(name, problem is None, problem or ""))

    check("format", lambda: _format(record))
    if not checks[-1].ok:
        return checks
    law = law_of(record)
    check("candidates", lambda: _candidates(record))
    check("ballots well formed", lambda: _well_formed(record, law))
    check("ballots within the limit", lambda: _within_limit(record))
    check("counts", lambda: _counts(record))
    check("quorum", lambda: _quorum(record))
    check("tally", lambda: _tally(record, law))
    check("decision", lambda: _decision(record, law))
    check("merkle root", lambda: _merkle(record))
    if "trackers_root" in record:  # records signed before receipts had proofs have none
        check("trackers root", lambda: _trackers_root(record))
    return checks


def law_of(record: Any) -> Any:
    """The rules a record was made under: the version it names, else those of records made
    before versions were named."""
    return RULES[record.get("rules_version", UNNAMED_RULES)]


def _format(record: Any) -> str | None:
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        return f"not a {RECORD_FORMAT} document"
    version = record.get("rules_version", UNNAMED_RULES)
    if not isinstance(version, str) or version not in RULES:
        return f"made under rules {version!r}, which this verifier does not know"
    law = law_of(record)
    vote = record.get("vote")
    if not isinstance(vote, dict):
        return "no vote"
    for field, allowed in (
        ("mode", ("electronic", "paper")),
        ("style", law.STYLES),
        ("base", law.BASES),
    ):
        if vote.get(field) not in allowed:
            return f"vote.{field} is not one of {', '.join(allowed)}"
    if vote["style"] == "rating" and vote["mode"] != "electronic":
        return "a rating is held on tablets"
    if (vote["mode"] == "paper") != isinstance(record.get("paper"), dict):
        return "paper totals belong to paper votes, and only to them"
    if problem := fallback_rules.format_problem(record):
        return problem
    if not isinstance(record.get("decision"), dict) or "void" not in record["decision"]:
        return "no decision"
    return None


def _candidates(record: dict) -> str | None:
    """The tally and the decision name exactly the ballot's candidates, once each."""
    ids = _ids(record)
    if len(set(ids)) != len(ids) or sorted(
        c["position"] for c in record["vote"]["candidates"]
    ) != list(range(len(ids))):
        return "the ballot's candidates or positions repeat"
    for part, key in (("tally", "candidate"), ("decision", "candidate")):
        rows = record["tally"] if part == "tally" else record["decision"]["candidates"]
        named = [row[key] for row in rows]
        if sorted(named) != sorted(ids):
            return f"the {part} names other candidates than the ballot, or one twice"
    return None


def _ids(record: dict) -> list[int]:
    return [c["id"] for c in sorted(record["vote"]["candidates"], key=lambda c: c["position"])]


def _well_formed(record: dict, law: Any) -> str | None:
    n = len(_ids(record))
    allowed = law.allowed_marks(record["vote"]["style"])
    for i, ballot in enumerate(record["ballots"]):
        if not isinstance(ballot, str) or len(ballot) != n or not set(ballot) <= allowed:
            return f"ballot {i} is not {n} marks of {''.join(sorted(allowed))}"
    return None


def _within_limit(record: dict) -> str | None:
    limit = record["vote"]["max_for"]
    for i, ballot in enumerate(record["ballots"]):
        if ballot.count("F") > limit:
            return f"ballot {i} marks {ballot.count('F')} “for”, more than {limit}"
    return None


def _counts(record: dict) -> str | None:
    if fallback_rules.in_record(record):  # switched to paper: both parts (fallback_rules)
        return fallback_rules.counts_problem(record, law_of(record))
    roll, ballots, trackers = record["roll"], record["ballots"], record["trackers"]
    if not roll["ballots_cast"] <= roll["present"] <= roll["current_deputies"]:
        if record["vote"]["mode"] != "paper" or record["decision"]["void"] is None:
            return "ballots cast ≤ present ≤ current deputies does not hold"
    if record["vote"]["mode"] == "paper":
        if ballots or trackers:
            return "a paper vote's record carries no electronic ballots"
        if roll["ballots_cast"] != record["paper"]["returned"]:
            return "ballots cast differ from the paper ballots returned"
        if not roll["present"] <= roll["current_deputies"]:
            return "more present than current deputies"
        return None
    if not len(trackers) == len(ballots) == roll["ballots_cast"]:
        return (
            f"trackers {len(trackers)}, ballots {len(ballots)}, "
            f"ballots cast {roll['ballots_cast']} differ"
        )
    if len(set(trackers)) != len(trackers) or trackers != sorted(trackers):
        return "trackers repeat or are not sorted"
    return None


def _quorum(record: dict) -> str | None:
    roll = record["roll"]
    q = Quorum(roll["current_deputies"], roll["present"])
    if not q.met:
        return f"{q.present} present, {q.required} required: the vote could not open"
    return None


def _counted(record: dict, law: Any) -> list[Count]:
    if record["vote"]["mode"] == "paper":
        return [
            law.Count(t["candidate"], t["for"], t["against"], t["abstain"]) for t in record["tally"]
        ]
    return fallback_rules.counted(record, law.tally(record["ballots"], _ids(record)), law)


def _rating(record: dict) -> bool:
    return record["vote"]["style"] == "rating"


def _tally(record: dict, law: Any) -> str | None:
    rating = _rating(record)
    stated = {
        t["candidate"]: (t["for"], t["against"], t["abstain"], t["basic"] if rating else 0)
        for t in record["tally"]
    }
    if record["vote"]["mode"] == "paper":
        paper = record["paper"]
        totals = law.PaperTotals(
            paper["issued"], paper["returned"], paper["invalid"], _counted(record, law)
        )
        try:
            law.check_paper(
                totals,
                present=record["roll"]["present"],
                style=record["vote"]["style"],
                max_for=record["vote"]["max_for"],
            )
        except InvalidInput as err:
            return f"paper totals inconsistent ({err.params.get('field')})"
        return None
    for count in _counted(record, law):
        if stated.get(count.candidate_id) != (
            count.votes_for,
            count.votes_against,
            count.votes_abstain,
            count.votes_basic,
        ):
            return f"candidate {count.candidate_id}: the ballots give {count.votes_for} for"
    if set(stated) != set(_ids(record)):
        return "the tally names other candidates than the ballot"
    return None


def _decision(record: dict, law: Any) -> str | None:
    vote, roll, decision = record["vote"], record["roll"], record["decision"]
    counts = _counted(record, law)
    valid = (
        roll["ballots_cast"]
        if vote["mode"] != "paper"
        else (record["paper"]["returned"] - record["paper"]["invalid"])
    )
    if fallback_rules.in_record(record):  # the paper part voids the vote or adds its ballots
        valid, void = fallback_rules.valid_ballots(record, law), fallback_rules.void_of(record, law)
        if void != decision.get("void"):
            verdict = "void" if void else "valid"
            return f"the paper part makes the vote {verdict}, the record disagrees"
        if void:
            return None
    elif vote["mode"] == "paper":
        paper = record["paper"]
        void = law.check_paper(
            law.PaperTotals(paper["issued"], paper["returned"], paper["invalid"], counts),
            present=roll["present"],
            style=vote["style"],
            max_for=vote["max_for"],
        )
        if void != decision.get("void"):
            return f"the totals make the vote {'void' if void else 'valid'}, the record disagrees"
        if void:
            return None
    elif decision.get("void"):
        return "only a paper vote can be void"
    threshold = law.passage_threshold(
        vote["base"], total=roll["current_deputies"], present=roll["present"], valid=valid
    )
    if threshold != decision["threshold"]:
        return f"the rule gives threshold {threshold}, the record says {decision['threshold']}"
    if _rating(record):
        return _rating_decision(counts, threshold, decision, law)
    result = law.select(counts, seats=vote["seats"], threshold=threshold)
    expected = {
        d.candidate_id: {"passed": d.passed, "rank": d.rank, "approved": d.approved, "tied": d.tied}
        for d in result.decisions
    }
    stated = {
        d["candidate"]: {k: d[k] for k in ("passed", "rank", "approved", "tied")}
        for d in decision["candidates"]
    }
    for cid, outcome in expected.items():
        if stated.get(cid) != outcome:
            return f"candidate {cid}: the rule gives {outcome}, the record says {stated.get(cid)}"
    if (decision["runoff_needed"], decision["places_left"]) != (
        result.runoff_needed,
        result.places_left,
    ):
        return "runoff needed / places left differ from the rule's"
    return None


def _rating_decision(
    counts: list[Count], threshold: int | None, decision: dict, law: Any
) -> str | None:
    """满意度测评: each project's rating is the rule's, and nothing is passed or ranked."""
    expected = law.rate(counts, threshold=threshold)
    stated = {d["candidate"]: d["rating"] for d in decision["candidates"]}
    for cid, rating in expected.items():
        if stated.get(cid) != rating:
            return f"candidate {cid}: the rule rates it {rating}, the record says {stated.get(cid)}"
    if decision["runoff_needed"] or decision["places_left"]:
        return "a rating has no runoff"
    return None


def _merkle(record: dict) -> str | None:
    root = merkle_root(record["ballots"])
    if root != record["merkle_root"]:
        return f"the ballots give {root[:16]}…, the record says {record['merkle_root'][:16]}…"
    return None


def _trackers_root(record: dict) -> str | None:
    root, stated = merkle_root(record["trackers"]), str(record["trackers_root"])
    if root != stated:
        return f"the trackers give {root[:16]}…, the record says {stated[:16]}…"
    return None
