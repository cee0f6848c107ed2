"""Check a result without trusting this server: a deputy's receipt looked up with its Merkle
inclusion proof (checked again in the page), and the verifier that re-checks a record, its
signature, its confirmations, its Merkle roots and its tally in the browser."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template, request

from votesys.errors import DomainError
from votesys.extensions import db, limiter
from votesys.public_cache import public_cached
from votesys.voting.receipts import find_receipt

bp = Blueprint("verify", __name__)


def receipt_limit() -> str:
    return current_app.config["RECEIPT_RATE_LIMIT"]


def _no_receipt() -> bool:
    return "receipt" not in request.args


@bp.get("/verify")
@limiter.shared_limit(receipt_limit, scope="receipts", exempt_when=_no_receipt)
@public_cached
def receipt():
    """The receipt's page: a field for it, and the answer in plain words with its proof."""
    typed = request.args.get("receipt", "")
    if not typed.strip():
        return render_template("portal/verify.html", typed="", found=None, error=None)
    try:
        vote, answer = find_receipt(typed)
    except DomainError as err:
        db.session.rollback()
        page = render_template("portal/verify.html", typed=typed[:64], found=None, error=err)
        return page, err.status
    return render_template(
        "portal/verify.html", typed=typed[:64], found=answer, vote=vote, error=None
    )


@bp.get("/verify/record")
@public_cached
def record():
    """The verifier: loads a record, its signature, key and confirmations (from the site or
    from files) and re-checks them in the browser, with no network once loaded."""
    vote = request.args.get("vote", "")
    return render_template(
        "portal/verify_record.html", vote=vote if re.fullmatch(r"[0-9]{1,12}", vote) else ""
    )
