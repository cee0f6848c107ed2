"""Pure functions of the integrity checks: canonical JSON, the Merkle tree, the audit chain's
hashes, and the offline verification of an election record. No Flask, no database."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> bytes:
    """UTF-8, sorted keys, no insignificant whitespace: the bytes that are signed."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(ballots: list[str]) -> str:
    """Merkle tree hash (RFC 6962) over the ballots sorted by their leaf hash, as hex."""
    leaves = sorted(leaf_hash(b.encode()) for b in ballots)
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    return _tree(leaves).hex()


def _tree(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)  # largest power of two below n
    return node_hash(_tree(hashes[:split]), _tree(hashes[split:]))


def audit_entry_hash(fields: dict[str, Any]) -> str:
    """An audit entry's hash covers all its fields, the previous entry's hash included."""
    return hashlib.sha256(canonical_json(fields)).hexdigest()
