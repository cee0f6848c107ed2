"""The audit chain and the installation's signing key (the election record is the vote's:
votesys.voting.record)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app, g, has_request_context
from flask_login import current_user
from sqlalchemy import select, update

from votesys.extensions import db
from votesys.integrity import rules
from votesys.integrity.models import AuditEntry, AuditHead, SigningKey
from votesys.models_base import utcnow

# --- the audit chain ------------------------------------------------------------------


def current_actor() -> str:
    """Who is acting: the API's bearer principal, the logged-in user, or the command line."""
    if has_request_context():
        principal = g.get("principal")
        if principal is None and current_user and current_user.is_authenticated:
            principal = current_user
        if principal is not None:
            kind = "deputy" if principal.is_deputy else "user"
            name = principal.code if principal.is_deputy else principal.login
            return f"{kind}:{name}"
        return "anonymous"
    return "system"


def audit(action: str, obj: str, actor: str | None = None, **details: Any) -> AuditEntry:
    """Append an entry. The head row is updated first: that takes its lock (PostgreSQL) or
    the write lock (SQLite), so concurrent appends form one chain, never a fork."""
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    head = db.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    fields = {
        "seq": head.seq,
        "at": utcnow().isoformat(timespec="microseconds") + "Z",
        "actor": actor or current_actor(),
        "action": action,
        "object": obj,
        "details": rules.canonical_json(details).decode(),
        "prev_hash": head.hash,
    }
    entry = AuditEntry(**fields, hash=rules.audit_entry_hash(fields))
    db.session.add(entry)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=entry.hash))
    db.session.flush()
    return entry


def audit_head() -> dict[str, Any]:
    head = db.session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)
    ).one_or_none()
    if head is None:
        return {"seq": None, "hash": None}
    return {"seq": head.seq, "hash": head.hash}


def verify_anchors(
    anchors: list[tuple[str, int, str]], expected: tuple[int, str] | None = None
) -> list[str]:
    """Compare the chain with heads that were signed or published: each ``(label, seq,
    hash)`` must still be in the chain (a signed election record names the chain's head
    when it was written, so a chain rewritten behind it no longer matches), and so must a
    head published elsewhere (``expected``)."""
    hashes = {
        row.seq: row.hash for row in db.session.execute(select(AuditEntry.seq, AuditEntry.hash))
    }
    hashes[0] = rules.GENESIS
    problems = [
        f"{label}: entry {seq} is not the one it signed"
        for label, seq, digest in anchors
        if hashes.get(seq) != digest
    ]
    if expected is not None and hashes.get(expected[0]) != expected[1]:
        problems.append(f"entry {expected[0]} is not the published head")
    return problems


def verify_audit_chain() -> tuple[int, int | None, str]:
    """Recompute the chain. Returns (entries checked, first broken seq or None, why)."""
    prev, expected_seq, count = rules.GENESIS, 1, 0
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        fields = {
            k: getattr(entry, k)
            for k in ("seq", "at", "actor", "action", "object", "details", "prev_hash")
        }
        if entry.seq != expected_seq:
            return count, entry.seq, f"entry {expected_seq} is missing"
        if entry.prev_hash != prev:
            return count, entry.seq, "does not follow the entry before it"
        if rules.audit_entry_hash(fields) != entry.hash:
            return count, entry.seq, "its content does not match its hash"
        prev, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    head = audit_head()
    if head["seq"] is None:
        return count, expected_seq, "the chain's head row is missing"
    if (head["seq"], head["hash"]) != (expected_seq - 1, prev):
        return count, expected_seq, "the chain ends before its recorded head"
    return count, None, ""


# --- the signing key ------------------------------------------------------------------


def _key_path() -> Path:
    """The key file. A configured path must exist (at least its folder): a shared volume
    that is not mounted must not quietly give this host a key of its own."""
    configured = os.environ.get("VOTESYS_SIGNING_KEY_FILE")
    if not configured:
        return Path(current_app.instance_path) / "signing-key.pem"
    path = Path(configured)
    if not path.parent.is_dir():
        raise RuntimeError(f"VOTESYS_SIGNING_KEY_FILE: folder {path.parent} does not exist")
    return path


def key_folder() -> Path:
    """Where the installation's private keys live: the signing key's folder (the instance
    folder, or the shared key volume of several hosts)."""
    return _key_path().parent


def fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def signing_key() -> Ed25519PrivateKey:
    """The installation's key: generated on first use (mode 0600), its public half published."""
    path = _key_path()
    if not path.exists():
        _write_key(path, Ed25519PrivateKey.generate(), replace=False)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    _publish(key.public_key())
    return key


def _write_key(path: Path, key: Ed25519PrivateKey, *, replace: bool) -> None:
    """Write a private key (mode 0600) atomically. Unless replacing, a key another worker
    wrote first wins: both then sign with the same key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    if replace:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if the key exists already
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def _publish(public: Ed25519PublicKey) -> SigningKey:
    fp = fingerprint(public)
    row = db.session.scalar(select(SigningKey).where(SigningKey.fingerprint == fp))
    if row is None:
        for current in db.session.scalars(
            select(SigningKey).where(SigningKey.valid_until.is_(None))
        ):
            current.valid_until = utcnow()
        row = SigningKey(fingerprint=fp, public_pem=public_pem(public))
        db.session.add(row)
        db.session.flush()
    return row


def rotate_key() -> SigningKey:
    """A new signing key; the old one's public half stays published with its end date."""
    path = _key_path()
    # The old private key is replaced, not kept: a retired key must not be able to sign.
    # Its public half stays published with the end of its validity.
    _write_key(path, Ed25519PrivateKey.generate(), replace=True)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    row = _publish(key.public_key())
    audit("key_rotated", f"key:{row.fingerprint[:16]}", fingerprint=row.fingerprint)
    return row


def published_keys() -> list[dict[str, Any]]:
    return [
        {
            "fingerprint": k.fingerprint,
            "pem": k.public_pem,
            "valid_from": k.valid_from.isoformat() + "Z",
            "valid_until": k.valid_until.isoformat() + "Z" if k.valid_until else None,
        }
        for k in db.session.scalars(select(SigningKey).order_by(SigningKey.id))
    ]


def key_fingerprint_of(pem: bytes) -> str | None:
    """The fingerprint of an Ed25519 public key in PEM, or None for anything else."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return fingerprint(key) if isinstance(key, Ed25519PublicKey) else None


def verify_signature(body: bytes, signature: bytes, pem: bytes) -> bool:
    try:
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(signature, body)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def key_pem(fp: str) -> str | None:
    return db.session.scalar(select(SigningKey.public_pem).where(SigningKey.fingerprint == fp))
