"""Translated names of the vote's settings and states, shown on pages and in messages."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

BASE_LABELS = {
    "all_deputies": _l("more than half of all current deputies"),
    "present": _l("more than half of the deputies present when the vote opened"),
    "valid_ballots": _l("more than half of the valid ballots"),
    "none": _l("no threshold"),
}
STYLE_LABELS = {
    "per_candidate": _l("for / against / abstain on each candidate"),
    "approval": _l("tick the candidates you support"),
}
MODE_LABELS = {
    "electronic": _l("tablets"),
    "paper": _l("paper ballots"),
}
STATE_LABELS = {
    "draft": _l("draft"),
    "open": _l("open"),
    "closed": _l("closed"),
    "published": _l("published"),
}
VOID_LABELS = {
    "returned_exceeds_issued": _l("more ballots were returned than issued"),
    "issued_exceeds_present": _l("more ballots were issued than deputies present"),
    "issued_exceeds_uncast": _l(
        "more paper ballots were issued than deputies present who had not voted on a tablet"
    ),
}
RATING_LABELS = {
    "satisfied": _l("satisfied"),
    "basically_satisfied": _l("basically satisfied"),
    "unsatisfied": _l("unsatisfied"),
}


def shown_title(vote) -> str:
    """A vote's title as tablets and the hall show it: a practice vote says it is one."""
    if vote.practice:
        return _("Practice vote: %(title)s", title=vote.title)
    return vote.title
