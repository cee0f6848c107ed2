"""The desk's page of a jurisdiction's rules of the vote (its 票决办法), and what the vote
pages show of them: the rules beside the new-vote form, an exception on the vote's pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from votesys.auth.views import roles_required
from votesys.congress import services as congress
from votesys.voting import jurisdiction_rules
from votesys.voting.forms import RulesForm

bp = Blueprint("jurisdiction_rules", __name__, url_prefix="/desk")
ORGANISERS = ("organiser", "admin")


@bp.app_template_global()
def vote_rules_words(sess) -> list[str]:
    """The rules a new vote of the session must respect, one line each (the vote form)."""
    return jurisdiction_rules.settings_words(jurisdiction_rules.settings_for(sess))


@bp.app_template_global()
def vote_exception_words(vote) -> str | None:
    """The exception a vote was created under, as its pages print it, or None."""
    return jurisdiction_rules.exception_words(vote)


@bp.route("/jurisdictions/<code>/rules", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit(code: str):
    node = congress.jurisdiction_by_code(code)
    congress.ensure_manages(current_user, node)
    current = jurisdiction_rules.settings_of(node)
    form = RulesForm(data=current.as_dict() if request.method == "GET" else None)
    if form.validate_on_submit():
        jurisdiction_rules.set_rules(
            node,
            jurisdiction_rules.Settings(
                form.min_extra_candidates.data,
                form.default_base.data,
                bool(form.rating_vote.data),
            ),
        )
        flash(_("The jurisdiction's rules of the vote are saved."), "ok")
        return redirect(url_for(".edit", code=node.code))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "voting/jurisdiction_rules.html",
        node=node,
        form=form,
        words=jurisdiction_rules.settings_words(current),
    ), status
