"""The vote's rule in words, with its figures once they are fixed: the one wording that the
result, the announcement, the hall, the paper ballot, the public project page, the CSV and
the signed record all print."""

from __future__ import annotations

from flask_babel import gettext as _

from votesys.voting.labels import BASE_LABELS
from votesys.voting.models import Vote


def rule_text(vote: Vote) -> str:
    """The vote's rule in words, with its figures once they are fixed; printed on results."""
    if vote.style == "rating":
        return rating_rule_text(vote)
    limit = _("each ballot may mark at most %(k)s candidates “for”", k=vote.max_for)
    if vote.base == "none":
        passage = _("no passage threshold")
    elif vote.threshold is not None:
        base_size = {
            "all_deputies": vote.total_deputies,
            "present": vote.present_at_open,
            "valid_ballots": vote.valid_ballots,
        }[vote.base]
        passage = _(
            "a candidate passes with %(label)s voting for (%(n)s, so at least %(t)s votes)",
            label=BASE_LABELS[vote.base],
            n=base_size,
            t=vote.threshold,
        )
    else:
        passage = _("a candidate passes with %(label)s voting for", label=BASE_LABELS[vote.base])
    return _(
        "%(passage)s; passing candidates are ranked by votes for and the top %(seats)s are "
        "approved; a tie across the last place goes to a runoff; %(limit)s.",
        passage=passage,
        seats=vote.seats,
        limit=limit,
    )


def rating_rule_text(vote: Vote) -> str:
    """满意度测评's rule in words."""
    if vote.threshold is not None:
        base = _(
            "%(label)s (%(n)s, so at least %(t)s votes)",
            label=BASE_LABELS[vote.base],
            n={
                "all_deputies": vote.total_deputies,
                "present": vote.present_at_open,
                "valid_ballots": vote.valid_ballots,
            }[vote.base],
            t=vote.threshold,
        )
    else:
        base = str(BASE_LABELS[vote.base])
    return _(
        "Each project is rated satisfied when its “satisfied” votes are %(base)s; otherwise "
        "basically satisfied when “satisfied” and “basically satisfied” together are; "
        "otherwise unsatisfied, and it is flagged for rectification.",
        base=base,
    )
