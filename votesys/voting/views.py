"""The organisers' desk for votes, and the printable pages: announcement, paper ballot."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from votesys import importing
from votesys.auth.views import roles_required
from votesys.congress import jobs
from votesys.congress import services as congress
from votesys.congress.forms import UploadForm
from votesys.congress.models import CongressSession
from votesys.errors import DomainError, Forbidden
from votesys.extensions import db
from votesys.form_errors import describe, flash_errors
from votesys.integrity.services import current_actor
from votesys.tabular import table
from votesys.voting import (
    casting,
    countdown,
    counting,
    fallback,
    jurisdiction_rules,
    labels,
    paper_views,
    present,
    services,
)
from votesys.voting.forms import CandidateForm, PaperForm, VoteForm
from votesys.voting.rule_words import rule_text

bp = Blueprint("voting", __name__)


@bp.app_context_processor
def _vote_labels() -> dict:
    """A rating's names (满意 …) on every page that shows one: the register's too."""
    return {"rating_labels": labels.RATING_LABELS}


@bp.app_template_filter("shown_title")
def shown_title(vote) -> str:
    return labels.shown_title(vote)


@bp.app_template_filter("state_label")
def state_label(state: str) -> str:
    """A vote's state in the interface language, on any page that lists votes."""
    return str(labels.STATE_LABELS.get(state, state))


ORGANISERS = ("organiser", "admin")
# Sections that packages above voting add to a session's desk page (the register adds the
# approved projects still needing a plan): each takes the session and gives safe HTML
# (Markup) or "".
SESSION_SECTIONS: list[Callable[[CongressSession], str]] = []


def session_section(make: Callable[[CongressSession], str]) -> Callable[[CongressSession], str]:
    SESSION_SECTIONS.append(make)
    return make


@bp.route("/desk/sessions/<int:session_id>/candidates", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new_candidate(session_id: int):
    sess = congress.get_session(session_id, current_user)
    form = CandidateForm()
    if form.validate_on_submit():
        services.add_candidate(
            sess,
            form.title.data.strip(),
            (form.summary.data or "").strip(),
            (form.responsible_unit.data or "").strip(),
            form.budget_wan.data,
        )
        db.session.flush()
        flash(_("Candidate added."), "ok")
        return redirect(url_for("voting.session", session_id=sess.id))
    status = 422 if request.method == "POST" else 200
    return render_template("voting/candidate_form.html", sess=sess, form=form), status


@bp.post("/desk/sessions/<int:session_id>/candidates/import")
@roles_required(*ORGANISERS)
def import_candidates(session_id: int):
    """Import candidate projects from .xlsx/.csv: all rows or none. A large file becomes a
    background job: the answer is its page, with a progress bar."""
    sess = congress.get_session(session_id, current_user)
    form = UploadForm()
    errors = None
    if not form.validate_on_submit():
        errors = [importing.RowError(0, "", _("choose an .xlsx or .csv file"))]
    else:
        file = form.file.data
        try:
            upload = importing.read_upload(
                file.filename or "", file.read(), importing.CANDIDATE_COLUMNS
            )
            work = partial(_candidates_work, sess.id, upload, current_actor())
            if jobs.in_background(upload):
                job = jobs.start(
                    "candidates",
                    jurisdiction=sess.congress.jurisdiction,
                    obj=f"session:{sess.id}",
                    upload=upload,
                    user=current_user,
                    work=work,
                )
                return redirect(url_for("congress.job", job_id=job.id))
            result = work(importing.INLINE)
        except importing.ImportRefused as refused:
            errors = refused.errors
        else:
            flash(_("%(n)s candidates imported.", n=result["imported"]), "ok")
            return redirect(url_for("voting.session", session_id=sess.id))
    return _session_page(sess, upload=form, import_errors=errors), 422


def _candidates_work(session_id: int, upload, actor: str, progress) -> dict:
    """The list's import, in the request or in a job's thread (which has its own session)."""
    sess = db.session.get(CongressSession, session_id)
    return services.import_candidates(sess, upload, actor=actor, progress=progress)


@bp.get("/desk/sessions/<int:session_id>")
@roles_required(*ORGANISERS)
def session(session_id: int):
    """A session at the desk: its quorum, its votes and its candidate projects."""
    return _session_page(congress.get_session(session_id, current_user), upload=UploadForm())


def _session_page(sess, *, upload: UploadForm, import_errors=None) -> str:
    return render_template(
        "voting/session.html",
        sess=sess,
        quorum=congress.quorum(sess),
        votes=services.session_votes(sess),
        candidates=services.session_candidates(sess),
        upload=upload,
        import_errors=import_errors,
        sections=[html for make in SESSION_SECTIONS if (html := make(sess))],
    )


@bp.route("/desk/sessions/<int:session_id>/votes/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new_vote(session_id: int):
    sess = congress.get_session(session_id, current_user)
    form = VoteForm()
    candidates = services.session_candidates(sess)
    form.candidates.choices = [SelectChoice(c.id, c.title) for c in candidates]
    if request.method == "GET":
        form.candidates.data = [c.id for c in candidates]
        form.base.data = jurisdiction_rules.settings_for(sess).default_base
    if form.validate_on_submit():
        try:
            vote = services.create_vote(
                sess,
                title=form.title.data,
                candidate_ids=form.candidates.data,
                seats=form.seats.data,
                max_for=form.max_for.data,
                style=form.style.data,
                base=form.base.data,
                mode=form.mode.data,
                practice=bool(form.practice.data),
                exception_reason=form.exception_given(),
            )
        except DomainError as err:
            db.session.rollback()
            form.attach(err)
        else:
            return redirect(url_for(".vote", vote_id=vote.id))
    status = 422 if request.method == "POST" else 200
    return render_template("voting/vote_form.html", sess=sess, form=form), status


@bp.get("/desk/votes/<int:vote_id>")
@roles_required(*ORGANISERS)
def vote(vote_id: int):
    v = services.get_managed_vote(vote_id, current_user)
    paper = PaperForm()
    return render_template(
        "voting/vote.html",
        vote=v,
        sess=v.session,
        quorum=congress.quorum(v.session),
        cast=casting.ballots_cast(v),
        # who has not voted: during a vote, and as a practice vote's only result
        not_voted=casting.not_voted(v)
        if v.mode == "electronic" and (v.state == "open" or (v.practice and v.state == "closed"))
        else None,
        result=present.result_dict(v)
        if v.state in ("closed", "published") and not v.practice
        else None,
        rule=rule_text(v),
        runoff=services.runoff_of(v),
        paper=paper,
        labels=labels,
    )


@bp.get("/desk/votes/<int:vote_id>/not-voted")
@roles_required(*ORGANISERS)
def not_voted(vote_id: int):
    """The desk's live list of who has not voted (desk.js reads it as the count moves)."""
    v = services.get_managed_vote(vote_id, current_user)
    return present.not_voted_dict(v, casting.not_voted(v))


ACTIONS = {
    "open": (services.open_vote, _l("The vote is open. Deputies can vote now.")),
    "close": (counting.close_vote, _l("The vote is closed and counted.")),
    "publish": (services.publish_vote, _l("The result is published.")),
}


@bp.post("/desk/votes/<int:vote_id>/<any(open, close, publish):action>")
@roles_required(*ORGANISERS)
def act(vote_id: int, action: str):
    v = services.get_managed_vote(vote_id, current_user)
    service, done = ACTIONS[action]
    try:
        if action == "open":  # with the countdown's minutes, if the field is filled
            limit = countdown.time_limit(request.form.get(countdown.FIELD), from_form=True)
            service(v, limit)
        else:
            service(v)
    except DomainError as err:
        db.session.rollback()
        flash(describe(err, names=countdown.LABELS), "error")
    else:
        flash(str(done), "ok")
    return redirect(url_for(".vote", vote_id=vote_id))


@bp.post("/desk/votes/<int:vote_id>/runoff")
@roles_required(*ORGANISERS)
def runoff(vote_id: int):
    v = services.get_managed_vote(vote_id, current_user)
    try:
        new = services.create_runoff(v)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for(".vote", vote_id=vote_id))
    flash(_("Runoff vote created for the tied candidates."), "ok")
    return redirect(url_for(".vote", vote_id=new.id))


@bp.post("/desk/votes/<int:vote_id>/paper")
@roles_required(*ORGANISERS)
def paper(vote_id: int):
    """Enter the tellers' totals of a paper vote."""
    v = services.get_managed_vote(vote_id, current_user)
    form = PaperForm()
    if not form.validate_on_submit():
        flash_errors(form, flash)
        return redirect(url_for(".vote", vote_id=vote_id))
    try:
        raw = {
            str(e.candidate_id): {
                word: request.form.get(f"c{e.candidate_id}_{word}", "0") or "0"
                for word in ("for", "against", "abstain")
            }
            for e in v.entries
        }
        outcome = fallback.enter_paper(  # a paper vote, or a vote switched to paper
            v,
            issued=form.issued.data,
            returned=form.returned.data,
            invalid_ballots=form.invalid.data,
            counts=counting.parse_paper_counts(raw, v),
        )
    except DomainError as err:
        db.session.rollback()
        flash(describe(err, form, {"candidates": _l("Counts of the candidates")}), "error")
    else:
        flash(str(paper_views.ENTERED[outcome]), "ok")
    return redirect(url_for(".vote", vote_id=vote_id))


@bp.get("/desk/votes/<int:vote_id>/paper-ballot")
@roles_required(*ORGANISERS)
def paper_ballot(vote_id: int):
    """表决票: the printable paper ballot."""
    v = services.get_managed_vote(vote_id, current_user)
    return render_template("voting/paper_ballot.html", vote=v, rule=rule_text(v))


def _visible_vote(vote_id: int):
    """A vote whose result this visitor may see. A citizen who follows a link too early is
    told the result is not published yet (true of every state before publication, so it
    tells nothing more than "no permission" did), not that they lack a permission."""
    v = services.get_vote(vote_id)
    try:
        services.ensure_result_visible(v, current_user)
    except Forbidden as err:
        raise Forbidden("not_published") from err
    return v


@bp.get("/votes/<int:vote_id>/announcement")
def announcement(vote_id: int):
    """公告: the printable result announcement (A4)."""
    v = _visible_vote(vote_id)
    return render_template(
        "voting/announcement.html",
        vote=v,
        result=present.result_dict(v),
        labels=labels,
        runoff=services.runoff_of(v),
    )


@bp.get("/votes/<int:vote_id>/result.<any(csv, xlsx):fmt>")
def result_file(vote_id: int, fmt: str):
    """The result as CSV (UTF-8 with a BOM) or .xlsx."""
    v = _visible_vote(vote_id)
    body, mimetype = table(*present.result_table(v), fmt, title=_("Result"))
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="vote-{v.id}-result.{fmt}"'},
    )


@bp.get("/votes/<int:vote_id>/result.json")
def result_json(vote_id: int):
    return present.result_dict(_visible_vote(vote_id))
