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


# --- inclusion proofs (RFC 6962 §2.1.1, verified as RFC 9162 §2.1.3.2) ----------------------
# The leaves are ordered as merkle_root orders them: by their leaf hash. A receipt's proof is
# its index in that order, the tree's size and the audit path, each hash as hex.


def inclusion_proof(items: list[str], item: str) -> tuple[int, list[str]] | None:
    """The leaf index of ``item`` among ``items`` (ordered as merkle_root orders them) and its
    audit path as hex; None when ``item`` is not among them."""
    leaves = sorted(leaf_hash(i.encode()) for i in items)
    wanted = leaf_hash(item.encode())
    if wanted not in leaves:
        return None
    index = leaves.index(wanted)
    return index, [h.hex() for h in _path(index, leaves)]


def _path(m: int, hashes: list[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    split = 1 << ((len(hashes) - 1).bit_length() - 1)
    if m < split:
        return _path(m, hashes[:split]) + [_tree(hashes[split:])]
    return _path(m - split, hashes[split:]) + [_tree(hashes[:split])]


def verify_inclusion(item: str, index: int, size: int, proof: list[str], root: str) -> bool:
    """Whether ``proof`` shows ``item`` as leaf ``index`` of a tree of ``size`` leaves whose
    Merkle root is ``root`` (hex). Never raises on malformed input: it is then False."""
    try:
        path = [bytes.fromhex(p) for p in proof]
        expected = bytes.fromhex(root)
    except (TypeError, ValueError):
        return False
    if not isinstance(item, str) or not all(isinstance(n, int) for n in (index, size)):
        return False
    if not 0 <= index < size:
        return False
    if any(len(p) != 32 for p in path):
        return False
    fn, sn, r = index, size - 1, leaf_hash(item.encode())
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected
