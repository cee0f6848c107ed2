"""The ballot box: while a vote is open its ballots are sealed to a key that is not in the
database, and the key is destroyed once the close has counted them.

At opening the vote gets its own X25519 key pair. The public half is the vote's
``box_key``; the private half is a file (mode 0600) in the installation's key folder (the
instance folder, or the key volume several hosts share), ``ballot-boxes/<box_key>.key``.
A cast seals its marks to the public key: an ephemeral X25519 exchange, HKDF-SHA256, and
ChaCha20-Poly1305 — what the database (its heap, indexes, WAL, replicas, backups) holds of
a ballot cast beside its roll entry is ciphertext. The close opens every ballot, writes the
marks in the clear under fresh ids in a random order (``counting._seal``), and once that
commits the key file is overwritten and removed: what was written at cast time can never
be read again. See docs/security.md for what holds and what does not.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select, text

from votesys.database import after_commit
from votesys.errors import Conflict
from votesys.extensions import db
from votesys.integrity.services import key_folder
from votesys.voting.models import Vote, VoteState

log = logging.getLogger(__name__)

PREFIX = "x1:"  # a sealed ballot; marks in the clear are capital letters only
INFO = b"votesys ballot box v1"
NONCE = bytes(12)  # every seal uses a fresh ephemeral key, hence a fresh AEAD key


def folder() -> Path:
    return key_folder() / "ballot-boxes"


def key_path(box_key: str) -> Path:
    return folder() / f"{box_key}.key"


def open_box(vote: Vote) -> None:
    """Give an opening vote its ballot box: a new key pair, the private half on disk. Keys
    an interrupted close left behind are removed first (``sweep``)."""
    sweep()
    private = X25519PrivateKey.generate()
    vote.box_key = private.public_key().public_bytes_raw().hex()
    path = key_path(vote.box_key)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private.private_bytes_raw())
        fh.flush()
        os.fsync(fh.fileno())
    _sync_folder(path.parent)


def seal(box_key: str, marks: str) -> str:
    """The marks sealed to the box: ``x1:`` and base64(ephemeral public key ‖ ciphertext).
    Its length depends on the number of ballot positions only."""
    box = bytes.fromhex(box_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(box))
    sealed = ChaCha20Poly1305(_aead_key(shared, ephemeral_public, box)).encrypt(
        NONCE, marks.encode("ascii"), None
    )
    return PREFIX + base64.b64encode(ephemeral_public + sealed).decode("ascii")


def unseal_all(vote: Vote, stored: list[str]) -> list[str]:
    """Every ballot's marks in the clear, for the close. A vote opened before ballot boxes
    existed (no ``box_key``) holds its marks in the clear already."""
    if vote.box_key is None:
        return stored
    try:
        private = X25519PrivateKey.from_private_bytes(key_path(vote.box_key).read_bytes())
    except (OSError, ValueError):
        log.error("ballot box key of vote %s is missing or unreadable", vote.id)
        raise Conflict("box_key_missing") from None
    box = bytes.fromhex(vote.box_key)
    out = []
    for value in stored:
        if not value.startswith(PREFIX):
            raise Conflict("box_key_missing")  # a clear ballot in a sealed box: refuse
        raw = base64.b64decode(value[len(PREFIX) :])
        ephemeral_public, sealed = raw[:32], raw[32:]
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        try:
            marks = ChaCha20Poly1305(_aead_key(shared, ephemeral_public, box)).decrypt(
                NONCE, sealed, None
            )
        except InvalidTag:
            raise Conflict("box_key_missing") from None
        out.append(marks.decode("ascii"))
    return out


def destroy_after_commit(vote: Vote) -> None:
    """Once the close has committed: remove the box's key, and (PostgreSQL) vacuum the
    ballots table so the sealed rows' dead versions leave its pages and index."""
    session = db.session()
    engine = session.get_bind()
    box_key = vote.box_key

    def destroy() -> None:
        if box_key is not None:
            destroy_key(box_key)
        if engine.dialect.name == "postgresql":
            try:
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ballots"))
            except Exception:  # the key is gone already; a vacuum refused is only logged
                log.exception("VACUUM of the ballots table after a close failed")

    after_commit(session, destroy)


def destroy_key(box_key: str) -> None:
    """Overwrite the key file, then remove it (and make the removal durable)."""
    path = key_path(box_key)
    try:
        with open(path, "r+b") as fh:
            fh.write(bytes(32))
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
    except FileNotFoundError:
        return
    except OSError:
        log.exception("the ballot box key %s could not be removed", path.name)
        return
    _sync_folder(path.parent)


def sweep() -> int:
    """Remove the keys of boxes whose vote is no longer open (a close whose key removal was
    interrupted). Keys of votes this database does not know are left alone: a key volume
    may be shared. Returns how many were removed."""
    if not folder().is_dir():
        return 0
    keys = {p.stem for p in folder().glob("*.key")}
    if not keys:
        return 0
    done = set(
        db.session.scalars(
            select(Vote.box_key).where(Vote.box_key.in_(keys), Vote.state != VoteState.OPEN)
        )
    )
    for box_key in done:
        destroy_key(box_key)
    return len(done)


def _aead_key(shared: bytes, ephemeral_public: bytes, box: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=INFO + ephemeral_public + box
    ).derive(shared)


def _sync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
