"""Personal data of citizens, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The keys come from ``DATA_KEY`` in the environment (comma-separated, the first one encrypts)
or from ``data-key`` in the instance folder (one key a line), generated on first use. Every
key listed decrypts, so rotating is: put a new key first, re-encrypt (``votesys data-key
rotate``), then drop the old one.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

_CACHE = "votesys.data_keys"


def key_file() -> Path:
    return Path(current_app.instance_path) / "data-key"


def _keys() -> list[bytes]:
    if env := os.environ.get("DATA_KEY"):
        return [k.strip().encode() for k in env.split(",") if k.strip()]
    path = key_file()
    if not path.exists():
        write_key_file([Fernet.generate_key()])
    return [line.encode() for line in path.read_text().split() if line]


def write_key_file(keys: list[bytes]) -> None:
    """Replace the key file atomically, readable by its owner only."""
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(k.decode() for k in keys) + "\n")
    os.replace(tmp, path)
    current_app.extensions.pop(_CACHE, None)


def cipher() -> MultiFernet:
    box = current_app.extensions.get(_CACHE)
    if box is None:
        keys = _keys()
        if not keys:
            raise RuntimeError("DATA_KEY is set but holds no key")
        box = current_app.extensions[_CACHE] = MultiFernet([Fernet(k) for k in keys])
    return box


def encrypt(text: str | None) -> bytes | None:
    if not text:
        return None
    return cipher().encrypt(text.encode("utf-8"))


def decrypt(token: bytes | None) -> str:
    """The plain text, or "" when there is none. A token no key opens is an operator's
    error (a lost key), shown as unreadable rather than failing the page."""
    if not token:
        return ""
    try:
        return cipher().decrypt(bytes(token)).decode("utf-8")
    except InvalidToken:
        return "?"


def rotate_token(token: bytes | None) -> bytes | None:
    return cipher().rotate(bytes(token)) if token else None
