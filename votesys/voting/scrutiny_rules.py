"""The scrutineers' signatures as pure functions: their keys (base64 of the raw 32-byte Ed25519
public key), fingerprints, the default number required, and a confirmation checked over a
record's exact bytes. No database and no app: `votesys verify` uses them offline."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

KEY_BYTES = 32
SIGNATURE_BYTES = 64


def default_required(appointed: int) -> int:
    """A majority of the scrutineers: 2 of 3, 3 of 4, 3 of 5."""
    return appointed // 2 + 1


def decode(value: object, size: int) -> bytes | None:
    """Standard base64 (padded) of exactly ``size`` bytes, else None."""
    if not isinstance(value, str) or len(value) > 2 * size + 8:
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


# The curve of Ed25519 (RFC 8032 §5.1): -x² + y² = 1 + d·x²·y² over the field of P.
P = 2**255 - 19
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _point(raw: bytes) -> tuple[int, int] | None:
    """The curve point a 32-byte key encodes (RFC 8032 §5.1.3), or None when it encodes none
    or not canonically (y ≥ P, or x = 0 with the sign bit set)."""
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    sign = raw[31] >> 7
    if y >= P:
        return None
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P:
        x = x * SQRT_M1 % P
        if (v * x * x - u) % P:
            return None
    if x == 0 and sign:
        return None
    return (P - x if x & 1 != sign else x), y


def _small_order(point: tuple[int, int]) -> bool:
    """Whether eight times the point is the neutral one (0, 1): a key of order 1, 2, 4 or 8,
    with which one signature (R the neutral point, S = 0) verifies over any bytes at all."""
    x, y = point
    for _ in range(3):  # doubled three times: times eight
        t = D * x * x * y * y % P
        x, y = (
            2 * x * y * pow(1 + t, P - 2, P) % P,
            (y * y + x * x) * pow(1 - t, P - 2, P) % P,
        )
    return (x, y) == (0, 1)


def public_key(value: object) -> bytes | None:
    """A scrutineer's public key from its base64, or None when it is not one: not 32 bytes,
    not a point of the curve, not canonically encoded, or of small order (a weak key that
    "verifies" a forged signature over any record)."""
    raw = decode(value, KEY_BYTES)
    if raw is None:
        return None
    point = _point(raw)
    if point is None or _small_order(point):
        return None
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None
    return raw


def fingerprint(raw_key: bytes) -> str:
    """SHA-256 of the raw key in hex, as the installation's signing key's fingerprint."""
    return hashlib.sha256(raw_key).hexdigest()


def grouped(fp: str | None, size: int = 4) -> str:
    """A fingerprint as people compare it: "3f9a 02c1 …"."""
    if not fp:
        return ""
    return " ".join(fp[i : i + size] for i in range(0, len(fp), size))


def verifies(key_b64: object, signature_b64: object, body: bytes) -> bool:
    """Whether the signature (base64) over ``body`` verifies with the key (base64)."""
    raw_key = public_key(key_b64)
    signature = decode(signature_b64, SIGNATURE_BYTES)
    if raw_key is None or signature is None:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, body)
    except InvalidSignature:
        return False
    return True


@dataclass
class Checked:
    """The confirmations of a record checked: one line each, and how many distinct
    scrutineers' signatures verified."""

    lines: list[tuple[bool, str, str]]
    confirmed: int

    @property
    def ok(self) -> bool:
        return all(ok for ok, _, _ in self.lines)


def check_confirmations(body: bytes, confirmations: Any) -> Checked:
    """Each confirmation ``{"deputy_code", "public_key", "signature"}`` checked over the record's
    bytes. A confirmation that does not verify, a malformed one, or two scrutineers with one
    key fail; a scrutineer named twice counts once."""
    if not isinstance(confirmations, list):
        return Checked([(False, "confirmations", "not a list of confirmations")], 0)
    lines: list[tuple[bool, str, str]] = []
    codes: set[str] = set()
    keys: dict[str, str] = {}
    for i, c in enumerate(confirmations):
        if not isinstance(c, dict) or not isinstance(c.get("deputy_code"), str):
            lines.append((False, f"confirmation {i + 1}", "not a confirmation"))
            continue
        code, key = c["deputy_code"], c.get("public_key")
        name = f"confirmation by {code}"
        if not verifies(key, c.get("signature"), body):
            lines.append((False, name, "the signature does not verify over these bytes"))
            continue
        if keys.setdefault(key, code) != code:
            lines.append((False, name, f"the same key as {keys[key]}'s"))
            continue
        fp = fingerprint(public_key(key) or b"")
        lines.append((True, name, f"key {fp}"))
        codes.add(code)
    return Checked(lines, len(codes))
