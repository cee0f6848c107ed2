"""The installation's key for citizens' phone numbers in ratings (群众满意度): HMAC-SHA256.

A key of its own, not the data key (``votesys.personal``): the data key rotates (new key
first, re-encrypt, drop the old), and a rating's hash cannot be re-made without the plain
number it hides, so a key derived from it would forget every earlier rating at the first
rotation. Nor is it derived from anything public or from SECRET_KEY (which signs cookies and
may be reset at will): it is 32 random bytes.

``VOTESYS_RATING_KEY`` in the environment (base64 or hex of at least 32 bytes), the same on
every host of an installation; else ``rating-key`` in the instance folder, made once on first
use (owner-readable only) and kept by ``votesys backup`` users beside ``data-key``. Losing it
costs only the repeat check of earlier ratings, never a rating itself.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from flask import current_app

ENV = "VOTESYS_RATING_KEY"
_CACHE = "votesys.rating_key"
MIN_BYTES = 32


def key_file() -> Path:
    return Path(current_app.instance_path) / "rating-key"


def _decode(text: str) -> bytes:
    text = text.strip()
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            raw = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(raw) >= MIN_BYTES:
            return raw
    raise RuntimeError(f"{ENV} or the rating-key file must hold at least 32 bytes (hex or base64)")


def _make_file(path: Path) -> None:
    """Write a fresh key unless one exists: made aside and linked into place, so that two
    processes starting at once both end up reading the one that won."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".rating-key.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(secrets.token_bytes(MIN_BYTES)).decode() + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def rating_key() -> bytes:
    key = current_app.extensions.get(_CACHE)
    if key is None:
        if env := os.environ.get(ENV):
            key = _decode(env)
        else:
            path = key_file()
            if not path.exists():
                _make_file(path)
            key = _decode(path.read_text())
        current_app.extensions[_CACHE] = key
    return key
