"""The scrutiny's pages: the session desk's section (appointing scrutineers and tellers,
approving a new key), the printable 计票结果报告单, and the scrutineer's own page on their
device (/tablet/scrutiny), where scrutineer.js makes the key and signs the records."""

from __future__ import annotations

import hashlib
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from votesys.api_support import json_body
from votesys.auth.views import roles_required
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.voting import confirming, labels, paper_part, present, scrutiny, services
from votesys.voting import scrutiny_rules as rules
from votesys.voting.models import Vote, VoteState
from votesys.voting.record import parse_record, record_of
from votesys.voting.rule_words import rule_text
from votesys.voting.views import ORGANISERS, session_section

bp = Blueprint("scrutiny", __name__)


@bp.app_template_global("scrutiny_status")
def scrutiny_status(vote) -> dict | None:
    """Confirmed by k of n (r required) and by whom, for the desk and the announcement."""
    return confirming.status(vote)


@bp.app_template_filter("grouped_fingerprint")
def grouped_fingerprint(fp: str | None) -> str:
    return rules.grouped(fp)


@session_section
def _section(sess: CongressSession) -> str:
    """The session desk's "scrutineers and tellers" card."""
    row = scrutiny.scrutiny_of(sess.id)
    return Markup(
        render_template(
            "voting/_scrutiny_session.html",
            sess=sess,
            required=row.required if row else None,
            posts=scrutiny.scrutineers(sess.id),
            tellers=scrutiny.tellers(sess.id),
            locked=scrutiny.awaiting_publication(sess),
            pending=lambda post: scrutiny.key_state(post)["pending_fingerprint"],
        )
    )


def _split(text: str | None) -> list[str]:
    return [c for c in re.split(r"[\s,，、;；]+", text or "") if c]


def _back(session_id: int):
    return redirect(url_for("voting.session", session_id=session_id) + "#scrutiny")


@bp.post("/desk/sessions/<int:session_id>/scrutiny")
@roles_required(*ORGANISERS)
def appoint(session_id: int):
    sess = congress.get_session(session_id, current_user)
    required = (request.form.get("required") or "").strip()
    try:
        scrutiny.appoint(
            sess,
            _split(request.form.get("deputy_codes")),
            int(required) if required.isdigit() else (required or None),
        )
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(_("The scrutineers are appointed."), "ok")
    return _back(session_id)


@bp.post("/desk/sessions/<int:session_id>/tellers")
@roles_required(*ORGANISERS)
def appoint_tellers(session_id: int):
    sess = congress.get_session(session_id, current_user)
    try:
        scrutiny.appoint_tellers(sess, _split(request.form.get("logins")))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(_("The tellers are appointed."), "ok")
    return _back(session_id)


@bp.post("/desk/sessions/<int:session_id>/scrutineers/<deputy_code>/key")
@roles_required(*ORGANISERS)
def decide_key(session_id: int, deputy_code: str):
    sess = congress.get_session(session_id, current_user)
    try:
        approve = scrutiny.parse_decision(request.form.get("decision"))
        scrutiny.decide_key(sess, deputy_code, approve)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(_("The new key is approved.") if approve else _("The new key is refused."), "ok")
    return _back(session_id)


@bp.get("/desk/votes/<int:vote_id>/report")
@roles_required(*ORGANISERS)
def report(vote_id: int):
    """计票结果报告单: the figures, the scrutineers and tellers, lines for their signatures."""
    v = services.get_managed_vote(vote_id, current_user)
    counted = v.state in ("closed", "published") and not v.practice
    return render_template(
        "voting/scrutiny_report.html",
        vote=v,
        sess=v.session,
        result=present.result_dict(v) if counted else None,
        rule=rule_text(v),
        labels=labels,
        status=confirming.status(v),
        posts=scrutiny.scrutineers(v.session_id),
        tellers=scrutiny.tellers(v.session_id),
        record=_record_facts(v.id),
    )


def _record_facts(vote_id: int) -> dict | None:
    row = record_of(vote_id)
    if row is None:
        return None
    data = parse_record(row.body)
    return {
        "sha256": hashlib.sha256(row.body).hexdigest(),
        "merkle_root": data.get("merkle_root"),
        "signing_key": row.key_fingerprint,
        "data": data,
    }


# --- the scrutineer's device ------------------------------------------------------------


@bp.get("/tablet/scrutiny")
@roles_required("deputy")
def tablet():
    """The scrutineer's page: their key on this device, and the counted votes to confirm."""
    post = scrutiny.current_post(current_user)
    votes = []
    if post is not None:
        for v in confirming.awaiting(current_user):
            done = confirming.confirmed_by(v, current_user)
            votes.append(
                {
                    "vote": v,
                    "result": present.result_dict(v),
                    "record": _record_facts(v.id),
                    "confirmed": done,
                    "status": confirming.status(v),
                }
            )
    return render_template(
        "voting/scrutiny_tablet.html",
        paper=_paper_awaiting(post.session_id) if post else [],
        post=post,
        key=scrutiny.key_state(post) if post else None,
        sess=db.session.get(CongressSession, post.session_id) if post else None,
        votes=votes,
        labels=labels,
    )


def _paper_awaiting(session_id: int) -> list[Vote]:
    """The session's open votes whose paper totals wait for a scrutineer's four eyes (their
    page is paper_views.confirm_page)."""
    votes = db.session.scalars(
        select(Vote).where(Vote.session_id == session_id, Vote.state == VoteState.OPEN)
    )
    return [v for v in votes if paper_part.paper_awaiting(v)]


@bp.post("/tablet/scrutiny/key.json")
@roles_required("deputy")
def tablet_key():
    """scrutineer.js registers the device's public key (session cookie and CSRF header)."""
    state = scrutiny.register_key(current_user, json_body().get("public_key"))
    return state, 202 if state["status"] == "pending" else 200


@bp.post("/tablet/scrutiny/votes/<int:vote_id>/confirm.json")
@roles_required("deputy")
def tablet_confirm(vote_id: int):
    """scrutineer.js posts its signature over the record's bytes."""
    vote = services.get_vote(vote_id)
    _, created = confirming.confirm(vote, current_user, json_body().get("signature"))
    return {"vote_id": vote.id, **confirming.figures(vote)}, 201 if created else 200
