"""The deputy's tablet: wait for the vote, mark the ballot, review, cast, see the receipt."""

from __future__ import annotations

import json
import logging
import random
import secrets
import time

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import select

from votesys.auth.views import roles_required
from votesys.congress.models import CongressSession
from votesys.errors import DomainError, Forbidden, InvalidInput, Unavailable
from votesys.extensions import db
from votesys.voting import casting, countdown, rules, services, tablet_links, waiting
from votesys.voting.models import Vote, VoteState
from votesys.voting.rules import VoteMode

bp = Blueprint("tablet", __name__, url_prefix="/tablet")
log = logging.getLogger(__name__)

# A ballot's answers are padded to a multiple of this (answer_size).
PAD_UNIT = 4096
# The session's receipts not shown yet, by vote id (tablet.done shows each once).
RECEIPTS = "tablet_receipts"


@bp.after_request
def _no_store(response):
    """A tablet may be shared: Back must not bring a previous deputy's marks into view."""
    response.headers["Cache-Control"] = "no-store"
    if request.path.startswith("/tablet/votes/"):
        _pad_answer(response)
    return response


# --- sizes that do not tell the marks ---------------------------------------------------
# Over the hall's Wi-Fi, TLS hides what a tablet sends and receives, not how much: a review
# page that echoes the marks would tell them by its size. So every answer about a vote's
# ballot has one size, answer_size(vote), whatever the marks (and whether it is the ballot,
# the review, the receipt or a refusal); and every form that carries marks carries a "pad"
# field that makes its body one length too (request_pad; tablet.js fills it on the ballot).


def _mark_values(vote: Vote) -> tuple[str, ...]:
    """The marks a ballot of this vote may carry."""
    if vote.style == "rating":
        return rules.RATING_CHOICES
    if vote.style == "approval":
        return (rules.FOR,)
    return rules.CHOICES


def mark_budget(vote: Vote) -> int:
    """The bytes the marks may take in a form's body, whatever they are: "&c<id>=" and the
    longest mark, for every candidate."""
    longest = max(len(value) for value in _mark_values(vote))
    return sum(len(f"&c{e.candidate_id}=") + longest for e in vote.entries)


def request_pad(vote: Vote, choices: dict[str, str]) -> str:
    """The "pad" field's value that brings a form with these marks to mark_budget."""
    used = sum(len(f"&c{cid}={value}") for cid, value in choices.items())
    return "x" * max(0, mark_budget(vote) - used)


def answer_size(vote: Vote) -> int:
    """A size, in whole PAD_UNITs, that every tablet page of this vote's ballot fits in
    whatever its marks: the page's frame, each candidate's markup, the texts as they are
    escaped (titles and units appear on the ballot and the review) and the marks twice
    (the review's two forms)."""
    texts = sum(
        len(str(escape(text)).encode())
        for e in vote.entries
        for text in (e.candidate.title, e.candidate.responsible_unit or "")
    )
    need = (
        8192
        + 4 * len(str(escape(vote.title)).encode())
        + 2 * texts
        + 1024 * len(vote.entries)
        + 2 * mark_budget(vote)
    )
    return -(-need // PAD_UNIT) * PAD_UNIT


def _pad_answer(response: Response) -> None:
    if response.is_streamed or response.direct_passthrough:
        return
    body = response.get_data()
    size = g.pop("tablet_answer_size", 0)
    if len(body) > size:
        if size:  # answer_size needs more room; the log must not say how much (the marks)
            log.warning("a tablet answer is over its vote's padded size on %s", request.path)
        size = -(-len(body) // PAD_UNIT) * PAD_UNIT
    if len(body) < size:
        response.set_data(body + b"\n" + b" " * (size - len(body) - 1))


def _store_key() -> str:
    """This tablet session's random key (one length, to keep the pages' sizes): tablet.js
    keeps a ballot's marks in the browser's sessionStorage under it until they are cast, so
    that a reload does not lose them, and never restores marks kept under another key (a
    previous deputy's, or a session that has ended: login and logout clear the session)."""
    key = session.get("tablet_store_key")
    if key is None:
        key = session["tablet_store_key"] = secrets.token_urlsafe(16)
    return key


@bp.context_processor
def _template_values() -> dict:
    return {"store_key": _store_key}  # called by the tablet's pages that need it


def _open_vote() -> Vote | None:
    """The open electronic vote of the deputy's congress, if any."""
    return db.session.scalar(
        select(Vote)
        .join(CongressSession, CongressSession.id == Vote.session_id)
        .where(
            CongressSession.congress_id == current_user.congress_id,
            Vote.state == VoteState.OPEN,
            Vote.mode == VoteMode.ELECTRONIC,
        )
        .order_by(Vote.id)
    )


def _refusal(vote: Vote) -> DomainError | None:
    """Why this deputy cannot cast in this vote now, or None: the same check as casting."""
    try:
        casting.ensure_can_cast(vote, current_user)
    except DomainError as err:
        return err
    return None


def _status() -> dict:
    vote = _open_vote()
    voted = bool(vote and casting.has_voted(vote, current_user))
    refusal = _refusal(vote) if vote is not None and not voted else None
    return {
        "mandate_current": current_user.mandate_current,
        "vote": vote.id if vote else None,
        "voted": voted,
        "refusal": refusal.code if refusal else None,
    }


@bp.get("/")
@roles_required("deputy")
def home():
    status = _status()
    vote = db.session.get(Vote, status["vote"]) if status["vote"] else None
    refusal = _refusal(vote) if vote is not None and status["refusal"] else None
    return render_template(
        "tablet/home.html",
        vote=vote,
        status=status,
        refusal=refusal,
        scrutineer=tablet_links.for_deputy(current_user),  # links to their page and paper
    )


@bp.get("/state.json")
@roles_required("deputy")
def state():
    """The tablet's state now (the page itself is told of changes by ``events``)."""
    return _status()


@bp.get("/events")
@roles_required("deputy")
def events():
    """The waiting page's stream of server-sent events: thousands of tablets wait at once.

    The first event (``state``) is the deputy's state now: the open vote (id and title, or
    null), whether the deputy voted in it, whether the mandate is current, and whether the
    deputy may cast in it (``can_cast``). Then one event each time the open vote changes,
    with ``voted`` null (a vote that has just opened has no ballot of this deputy). The
    stream holds no database connection while it waits: the process's watcher reads the
    open votes for every stream at once, so a change costs one write per tablet, not a
    request. A comment every
    TABLET_KEEPALIVE_SECONDS keeps proxies from closing an idle stream and finds tablets that
    left; after about TABLET_STREAM_SECONDS the stream ends and the browser reconnects,
    which signs the deputy in again. Both are spread at random, and so is the reconnection
    delay, so that thousands of tablets never arrive together."""
    deputy_id, congress_id = current_user.id, current_user.congress_id
    mandate = current_user.mandate_current
    db.session.close()  # no connection is held while waiting for the watcher's reading
    watch = waiting.watch(current_app._get_current_object())
    vote = watch.wait(congress_id, None, 0)  # 503 here if the database does not answer
    voted = casting.has_voted_id(vote.id, deputy_id) if vote else False
    db.session.close()  # nor while streaming
    config = current_app.config
    lifetime = config["TABLET_STREAM_SECONDS"] * random.uniform(0.8, 1.2)
    keepalive = config["TABLET_KEEPALIVE_SECONDS"] * random.uniform(0.8, 1.2)
    retry_ms = random.randint(1000, 4000)
    now = countdown.clock_for_stream()  # the server's clock, outside the request

    def event(vote: waiting.OpenVote | None, voted: bool | None) -> str:
        data = {
            "mandate_current": mandate,
            "vote": vote.id if vote else None,
            "title": vote.title if vote else None,
            "practice": bool(vote and vote.practice),
            # the time limit's seconds left by the server's clock (null: none)
            "seconds_left": countdown.left_until(vote.closes_at, now()) if vote else None,
            "voted": voted if vote else False,
            # the same rule as casting (casting.ensure_can_cast), from the watcher's list
            # of those counted present at the opening: a deputy who may not cast is shown
            # why by the page itself (it reloads), not a button that leads to a refusal
            "can_cast": bool(vote and mandate and not voted and deputy_id in vote.present),
        }
        return f"event: state\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    def stream():
        yield f"retry: {retry_ms}\n" + event(vote, voted)
        known = vote.id if vote else None
        end = time.monotonic() + lifetime
        while (left := end - time.monotonic()) > 0:
            try:
                now = watch.wait(congress_id, known, min(keepalive, left))
            except Unavailable:
                return  # the database does not answer: the browser reconnects later
            if (now.id if now else None) == known:
                yield ":\n\n"
                continue
            known = now.id if now else None
            yield event(now, None)

    return Response(
        stream(),
        mimetype="text/event-stream",
        headers={"X-Accel-Buffering": "no"},  # a proxy in front must not hold events back
    )


def _vote_for_deputy(vote_id: int) -> Vote:
    vote = services.get_vote(vote_id)
    if vote.session.congress_id != current_user.congress_id:
        raise Forbidden("forbidden")
    g.tablet_answer_size = answer_size(vote)
    return vote


def _choices_from_form(vote: Vote) -> dict[str, str]:
    """Read c<candidate_id> fields; absent ones are left out (counted as abstain)."""
    choices = {}
    for e in vote.entries:
        value = request.form.get(f"c{e.candidate_id}", "")
        if value:
            choices[str(e.candidate_id)] = value
    return choices


def _ballot(vote: Vote, choices: dict[str, str], error: str | None = None, status: int = 200):
    voted = casting.has_voted(vote, current_user)
    refusal = None if voted else _refusal(vote)
    if refusal is not None and refusal.code != "vote_not_open":
        return render_template("tablet/refused.html", vote=vote, error=refusal), refusal.status
    return render_template(
        "tablet/ballot.html",
        vote=vote,
        choices=choices,
        error=error,
        voted=voted,
        pad=request_pad(vote, choices),
        mark_budget=mark_budget(vote),
    ), status


@bp.get("/votes/<int:vote_id>")
@roles_required("deputy")
def ballot(vote_id: int):
    return _ballot(_vote_for_deputy(vote_id), {})


@bp.post("/votes/<int:vote_id>/edit")
@roles_required("deputy")
def edit(vote_id: int):
    """Back from the review screen with the marks kept."""
    vote = _vote_for_deputy(vote_id)
    return _ballot(vote, _choices_from_form(vote))


@bp.post("/votes/<int:vote_id>/review")
@roles_required("deputy")
def review(vote_id: int):
    vote = _vote_for_deputy(vote_id)
    choices = _choices_from_form(vote)
    try:
        rules.ballot_marks(
            choices, services.candidate_ids(vote), style=vote.style, max_for=vote.max_for
        )
    except InvalidInput as err:
        return _ballot(vote, choices, err.message, 422)
    if casting.has_voted(vote, current_user) or _refusal(vote) is not None:
        return _ballot(vote, choices)
    unmarked = [e for e in vote.entries if str(e.candidate_id) not in choices]
    return render_template(
        "tablet/review.html",
        vote=vote,
        choices=choices,
        unmarked=unmarked,
        count_for=sum(1 for c in choices.values() if c == rules.FOR),
        idempotency_key=secrets.token_urlsafe(16),
        pad=request_pad(vote, choices),
    )


@bp.post("/votes/<int:vote_id>/cast")
@roles_required("deputy")
def cast(vote_id: int):
    vote = _vote_for_deputy(vote_id)
    choices = _choices_from_form(vote)
    try:
        outcome = casting.cast_ballot(
            vote, current_user, choices, request.form.get("idempotency_key") or None
        )
    except DomainError as err:
        db.session.rollback()
        return render_template("tablet/refused.html", vote=vote, error=err), err.status
    # Post/redirect/get: Back or a reload after casting must not post the ballot again
    # (the browser's "Confirm Form Resubmission"). The receipt waits in this deputy's
    # session for the one page that shows it (a retry with the same key puts it back).
    session[RECEIPTS] = {**session.get(RECEIPTS, {}), str(vote.id): outcome.receipt}
    return redirect(url_for("tablet.done", vote_id=vote.id), 303)


@bp.get("/votes/<int:vote_id>/done")
@roles_required("deputy")
def done(vote_id: int):
    """The receipt, shown once to the deputy who cast (the first time this page is seen
    after the cast); after that, "your vote is recorded" without it."""
    vote = _vote_for_deputy(vote_id)
    receipts = dict(session.get(RECEIPTS, {}))
    receipt = receipts.pop(str(vote.id), None)
    if receipt is not None:  # shown now, never again
        if receipts:
            session[RECEIPTS] = receipts
        else:
            session.pop(RECEIPTS)
    elif not casting.has_voted(vote, current_user):
        return redirect(url_for("tablet.ballot", vote_id=vote.id), 303)
    return render_template("tablet/done.html", vote=vote, receipt=receipt)
