"""The election record's endpoints: a vote's signed record, its signature and key, and every
key that ever signed one."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user

from votesys.api_support import bearer_principal
from votesys.errors import NotFound
from votesys.integrity.services import key_pem, published_keys
from votesys.voting import services as voting
from votesys.voting.record import record_of

bp = Blueprint("record_api", __name__, url_prefix="/api/v1")


def _record(vote_id: int):
    """Public once the vote is published; organisers who manage it, as soon as it closed."""
    vote = voting.get_vote(vote_id)
    voting.ensure_result_visible(vote, _viewer())
    record = record_of(vote.id)
    if record is None:
        raise NotFound("not_found")
    return record


def _viewer():
    principal = bearer_principal()
    return principal if principal is not None else current_user


@bp.get("/votes/<int:vote_id>/record")
def record(vote_id: int):
    """The record's exact signed bytes (canonical JSON)."""
    row = _record(vote_id)
    return Response(row.body, mimetype="application/json", headers=_download(vote_id, "json"))


@bp.get("/votes/<int:vote_id>/record.sig")
def signature(vote_id: int):
    """The raw 64-byte Ed25519 signature of the record's bytes."""
    row = _record(vote_id)
    return Response(
        row.signature, mimetype="application/octet-stream", headers=_download(vote_id, "sig")
    )


@bp.get("/votes/<int:vote_id>/record.pem")
def key(vote_id: int):
    """The public key (SubjectPublicKeyInfo PEM) that signed the record."""
    row = _record(vote_id)
    return Response(
        key_pem(row.key_fingerprint),
        mimetype="application/x-pem-file",
        headers=_download(vote_id, "pem", "key"),
    )


@bp.get("/keys")
def keys():
    """Every public key that ever signed a record, with its fingerprint and validity."""
    return {"keys": published_keys()}


def _download(vote_id: int, ext: str, stem: str = "record") -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="vote-{vote_id}-{stem}.{ext}"'}
