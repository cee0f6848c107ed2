"""A deputy's receipt checked against the published record: the vote that counted it, and the
Merkle inclusion proof of the receipt under the record's trackers root (RFC 6962).

Public, so it answers only for votes published and not practice: a receipt of a vote not
published yet, or of a practice vote, is answered exactly as a receipt nobody was given.
It proves that the receipt is on the roll of the counted vote; the roll and the ballots are
never linked, so it says nothing of what the ballot marked."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import false, select

from votesys.errors import BadRequest, NotFound
from votesys.extensions import db
from votesys.integrity.rules import inclusion_proof, merkle_root
from votesys.voting.casting import RECEIPT_ALPHABET
from votesys.voting.models import RollEntry, Vote, VoteState
from votesys.voting.record import parse_record, record_of

RECEIPT_LENGTH = 10


def normalise_receipt(text: Any) -> str | None:
    """What a deputy typed, in the form the tablet showed it ("7KQ2M-9XRT4"): case, spaces and
    the hyphen do not matter; None when it cannot be a receipt."""
    if not isinstance(text, str):
        return None
    raw = re.sub(r"[\s\-]", "", text[:64]).upper()
    if len(raw) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in raw):
        return None
    return f"{raw[:5]}-{raw[5:]}"


def trackers_root(record: dict[str, Any]) -> str:
    """The record's trackers root; a record signed before it carried one, computed the same
    way from its trackers."""
    root = record.get("trackers_root")
    return root if isinstance(root, str) else merkle_root(record["trackers"])


def published_vote_of(receipt: str) -> Vote | None:
    """The published, non-practice vote whose roll holds this receipt (the first such vote in
    the unlikely case two share it); None otherwise."""
    return db.session.scalar(
        select(Vote)
        .join(RollEntry, RollEntry.vote_id == Vote.id)
        .where(
            RollEntry.receipt == receipt,
            Vote.state == VoteState.PUBLISHED,
            Vote.practice == false(),
        )
        .order_by(Vote.id)
        .limit(1)
    )


def receipt_proof(receipt: str) -> tuple[Vote, dict[str, Any]] | None:
    """The vote and ``{"vote_id", "receipt", "counted", "leaf_index", "tree_size", "proof",
    "root"}``
    for a normalised receipt; None when no published vote has it."""
    vote = published_vote_of(receipt)
    row = record_of(vote.id) if vote is not None else None
    if row is None:
        return None
    record = parse_record(row.body)
    trackers = record["trackers"]
    found = inclusion_proof(trackers, receipt)
    return vote, {
        "vote_id": vote.id,
        "receipt": receipt,
        "counted": found is not None,
        "leaf_index": found[0] if found else None,
        "tree_size": len(trackers),
        "proof": found[1] if found else [],
        "root": trackers_root(record),
    }


def find_receipt(text: Any) -> tuple[Vote, dict[str, Any]]:
    """A receipt as typed, looked up: 400 ``bad_receipt`` when it cannot be one, 404
    ``unknown_receipt`` when no published, non-practice vote has it (the same answer whether
    nobody was given it, its vote is not published yet, or it was a practice vote)."""
    receipt = normalise_receipt(text)
    if receipt is None:
        raise BadRequest("bad_receipt")
    found = receipt_proof(receipt)
    if found is None:
        raise NotFound("unknown_receipt")
    return found
