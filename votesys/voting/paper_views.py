"""Pages of paper when tablets fail (改用纸质选票) and of the paper totals' four eyes: the
desk's switch to paper, and the scrutineer's page on a tablet that shows the entered totals
with a button to confirm them. The desk's vote page shows the rest (voting/_paper_part.html,
through the ``paper_desk`` template global)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField

from votesys import clock
from votesys.auth.views import roles_required
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.form_errors import LabelledForm, MaxChars, Required, describe, flash_errors
from votesys.voting import fallback, paper_part, services
from votesys.voting.models import Vote

bp = Blueprint("fallback", __name__)
# The scrutineer's page is a tablet page: a deputy signs in there (auth.tablet_login).
tablet_bp = Blueprint("paper_tablet", __name__, url_prefix="/tablet")
ORGANISERS = ("organiser", "admin")

# What the desk says once paper totals are entered (fallback.enter_paper's outcome).
ENTERED = {
    "closed": _l("Paper totals recorded; the vote is closed."),
    "effective": _l(
        "Paper totals recorded. They are added to the tablets' ballots when you close the vote."
    ),
    "pending": _l(
        "Paper totals recorded. They take effect once a scrutineer of this session confirms "
        "them on a tablet."
    ),
}


class FallbackForm(LabelledForm):
    reason = TextAreaField(
        _l("Reason for switching to paper"),
        validators=[Required(), MaxChars(fallback.MAX_REASON)],
    )


@bp.app_template_global()
def paper_desk(vote: Vote) -> dict:
    """Where the vote's paper totals stand, for the desk's vote page."""
    return paper_part.status_dict(vote, fallback.paper_to_issue(vote))


@bp.app_template_filter("clock_time")
def clock_time(at) -> str:
    """A stored time as the hall's clock shows it (Asia/Shanghai), e.g. "09:42"."""
    return clock.local_time(at).strftime("%H:%M")


@bp.app_template_global()
def fallback_form() -> FallbackForm:
    return FallbackForm()


@bp.post("/desk/votes/<int:vote_id>/fallback")
@roles_required(*ORGANISERS)
def switch(vote_id: int):
    """改用纸质选票: the desk switches the open vote to paper, with the reason."""
    v = services.get_managed_vote(vote_id, current_user)
    form = FallbackForm()
    if not form.validate_on_submit():
        flash_errors(form, flash)
        return redirect(url_for("voting.vote", vote_id=vote_id))
    try:
        fallback.switch_to_paper(v, form.reason.data)
    except DomainError as err:
        db.session.rollback()
        flash(describe(err, form), "error")
    else:
        flash(
            _(
                "The vote has switched to paper ballots: tablets take no more ballots. Issue a "
                "paper ballot to each deputy listed, then enter the tellers' totals."
            ),
            "ok",
        )
    return redirect(url_for("voting.vote", vote_id=vote_id))


@tablet_bp.get("/votes/<int:vote_id>/paper")
@roles_required("deputy")
def confirm_page(vote_id: int):
    """The paper totals as entered, for a scrutineer of the session to confirm."""
    v = services.get_vote(vote_id)
    fallback.ensure_scrutineer(v, current_user)
    return render_template(
        "voting/paper_confirm.html",
        vote=v,
        paper=paper_part.status_dict(v, fallback.paper_to_issue(v)),
    )


@tablet_bp.post("/votes/<int:vote_id>/paper")
@roles_required("deputy")
def confirm(vote_id: int):
    v = services.get_vote(vote_id)
    fallback.ensure_scrutineer(v, current_user)
    try:
        fallback.confirm_paper(v, current_user, request.form.get("entry"))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(_("You have confirmed the paper totals."), "ok")
    return redirect(url_for(".confirm_page", vote_id=vote_id))
