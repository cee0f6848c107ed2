"""What the printed announcement carries so that a reader can check the result from paper:
the record's SHA-256, the fingerprint of the key that signed it, its Merkle roots (ballots
and receipts), the fingerprints of the scrutineers' keys that confirmed it, and a QR code of
the record's public address (made here, as SVG: no network).

Its own blueprint only gives templates ``announcement_check(vote)``
(templates/voting/_announcement_check.html)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from flask import Blueprint
from sqlalchemy import select

from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.public_cache import public_url_for
from votesys.qr import qr_svg
from votesys.voting.receipts import trackers_root
from votesys.voting.record import parse_record, record_of
from votesys.voting.scrutiny_models import Confirmation

bp = Blueprint("record_check", __name__)


@bp.app_template_global()
def grouped(hex_digest: str | None, size: int = 4) -> str:
    """Hex in groups of four for reading aloud: "3f9a 0c11 …"."""
    text = hex_digest or ""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def key_fingerprint(public_key: str) -> str | None:
    """A scrutineer's key (base64 of the raw 32-byte Ed25519 key) as its fingerprint: the
    SHA-256 of the raw bytes in hex; None for a key that is not 32 bytes of base64."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None
    return hashlib.sha256(raw).hexdigest() if len(raw) == 32 else None


def confirmations(vote_id: int) -> list[dict[str, Any]]:
    """The scrutineers who confirmed the record, each with their key's fingerprint."""
    rows = db.session.execute(
        select(Confirmation.public_key, Deputy.name, Deputy.code)
        .join(Deputy, Deputy.id == Confirmation.deputy_id)
        .where(Confirmation.vote_id == vote_id)
        .order_by(Deputy.code)
    )
    return [
        {"name": name, "code": code, "fingerprint": key_fingerprint(key)}
        for key, name, code in rows
    ]


@bp.app_template_global()
def announcement_check(vote) -> dict[str, Any] | None:
    """The figures the announcement prints under the result; None before the record exists."""
    row = record_of(vote.id)
    if row is None:
        return None
    record = parse_record(row.body)
    url = public_url_for("record_api.record", vote_id=vote.id)
    return {
        "sha256": hashlib.sha256(row.body).hexdigest(),
        "key_fingerprint": row.key_fingerprint,
        "merkle_root": record["merkle_root"],
        "trackers_root": trackers_root(record),
        "confirmations": confirmations(vote.id),
        "url": url,
        "qr": qr_svg(url, error="m", scale=3, svgclass="segno"),
    }
