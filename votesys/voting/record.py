"""The election record of a vote: built, signed and stored when the vote closes; read back
for the API, the restore and ``votesys verify --against-database``."""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from votesys.extensions import db
from votesys.integrity.rules import canonical_json, merkle_root
from votesys.integrity.services import (
    audit_head,
    fingerprint,
    key_pem,
    signing_key,
    verify_signature,
)
from votesys.voting import jurisdiction_rules, paper_part
from votesys.voting.models import Ballot, RollEntry, VoteRecord
from votesys.voting.record_rules import RECORD_FORMAT, RULES_VERSION
from votesys.voting.rule_words import rule_text


def write_record(vote) -> VoteRecord:
    """Build, sign and store the record of a vote that has just closed."""
    key = signing_key()
    key_fp = fingerprint(key.public_key())
    body = canonical_json(build_record(vote, key_fp))
    row = VoteRecord(vote_id=vote.id, body=body, signature=key.sign(body), key_fingerprint=key_fp)
    db.session.add(row)
    db.session.flush()
    return row


def build_record(vote, key_fingerprint: str) -> dict[str, Any]:
    marks = list(db.session.scalars(select(Ballot.marks).where(Ballot.vote_id == vote.id)))
    secrets.SystemRandom().shuffle(marks)
    trackers = sorted(
        db.session.scalars(select(RollEntry.receipt).where(RollEntry.vote_id == vote.id))
    )
    sess = vote.session
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        rule = rule_text(vote)
    entries = list(vote.entries)
    rating = vote.style == "rating"
    return {
        "format": RECORD_FORMAT,
        "rules_version": RULES_VERSION,
        "vote": {
            "id": vote.id,
            "title": vote.title,
            "jurisdiction": {
                "code": sess.congress.jurisdiction.code,
                "name": sess.congress.jurisdiction.name,
            },
            "congress": {"name": sess.congress.name, "term": sess.congress.term},
            "session": {"id": sess.id, "name": sess.name, "date": sess.date.isoformat()},
            "candidates": [
                {"id": e.candidate_id, "title": e.candidate.title, "position": e.position}
                for e in entries
            ],
            "seats": vote.seats,
            "max_for": vote.max_for,
            "style": vote.style,
            "base": vote.base,
            "mode": vote.mode,
            "rule": rule,
            "runoff_of": vote.runoff_of_id,
            # an exception to the jurisdiction's rules, with its reason: only where there is one
            **jurisdiction_rules.record_fields(vote),
        },
        "roll": {
            "current_deputies": vote.total_deputies,
            "present": vote.present_at_open,
            "ballots_cast": vote.ballots_cast,
        },
        "ballots": marks if vote.mode == "electronic" else [],
        "trackers": trackers,
        "paper": None
        if vote.mode != "paper"
        else {
            "issued": vote.paper_issued,
            "returned": vote.paper_returned,
            "invalid": vote.paper_invalid,
        },
        **paper_part.record_fields(vote),  # a vote switched to paper: its paper part
        "tally": [
            {
                "candidate": e.candidate_id,
                "for": e.votes_for,
                "against": e.votes_against,
                "abstain": e.votes_abstain,
                # A rating's "for" is 满意, "against" 不满意, "basic" 基本满意.
                **({"basic": e.votes_basic} if rating else {}),
            }
            for e in entries
        ],
        "decision": {
            "void": vote.void_reason,
            "threshold": vote.threshold,
            "runoff_needed": vote.runoff_needed,
            "places_left": vote.places_left,
            "candidates": [
                {
                    "candidate": e.candidate_id,
                    "passed": e.passed,
                    "rank": e.rank,
                    "approved": e.approved,
                    "tied": e.tied,
                    **({"rating": e.rating} if rating else {}),
                }
                for e in entries
            ],
        },
        "audit_head": audit_head(),
        "merkle_root": merkle_root(marks),
        # The receipts' Merkle root: a deputy's receipt is proved on the roll by its path.
        "trackers_root": merkle_root(trackers),
        "closed_at": vote.closed_at.isoformat(timespec="seconds") + "Z",
        "signing_key": key_fingerprint,
    }


def record_of(vote_id: int) -> VoteRecord | None:
    return db.session.get(VoteRecord, vote_id)


def database_ballots_match(record: dict[str, Any]) -> str | None:
    """Compare the stored ballots of the record's vote with the record: None when they agree."""
    marks = list(
        db.session.scalars(select(Ballot.marks).where(Ballot.vote_id == record["vote"]["id"]))
    )
    if len(marks) != len(record["ballots"]):
        return f"the database holds {len(marks)} ballots, the record {len(record['ballots'])}"
    if merkle_root(marks) != record["merkle_root"]:
        return "the database's ballots differ from the record's"
    return None


def signed_heads() -> tuple[list[str], list[tuple[str, int, str]]]:
    """The audit chain's heads that the election records signed, as anchors for
    ``integrity.services.verify_anchors``; and the records whose signature does not verify
    (their head cannot be trusted as an anchor)."""
    problems, anchors = [], []
    for row in db.session.scalars(select(VoteRecord).order_by(VoteRecord.vote_id)):
        label = f"the record of vote {row.vote_id}"
        pem = key_pem(row.key_fingerprint)
        if pem is None or not verify_signature(row.body, row.signature, pem.encode()):
            problems.append(f"{label}: its signature does not verify")
            continue
        head = parse_record(row.body)["audit_head"]
        anchors.append((label, head["seq"], head["hash"]))
    return problems, anchors


def parse_record(body: bytes) -> dict[str, Any]:
    return json.loads(body.decode("utf-8"))
