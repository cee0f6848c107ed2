"""Translated names of the register's sources, completion types, states and changes (a
rating's names are the vote's: voting.labels.RATING_LABELS)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SOURCE_LABELS = {
    "provincial": _l("provincial funds"),
    "city": _l("city funds"),
    "county": _l("county funds"),
    "township": _l("township funds"),
    "social": _l("social capital"),
    "pending": _l("source to be settled"),
}
# The parts of an implementation plan (rules.PLAN_PARTS), as a missing part is named.
PLAN_PART_LABELS = {
    "unit": _l("responsible unit"),
    "dates": _l("planned finish"),
    "funding": _l("funding sources"),
    "targets": _l("quantified targets"),
}
# Shown instead of 未开工 0% while the plan is being drawn up (queries.in_planning).
PLANNING_LABEL = _l("plan being drawn up")
COMPLETION_LABELS = {
    "this_year": _l("this year"),
    "two_years": _l("in two years"),
    "long_term": _l("long-term"),
}
STATUS_LABELS = {
    "not_started": _l("not started"),
    "in_progress": _l("in progress"),
    "completed": _l("completed"),
    "delayed": _l("delayed"),
    "suspended": _l("suspended"),
    "terminated": _l("terminated"),
}
CHANGE_LABELS = {
    "adjust": _l("adjustment"),
    "postpone": _l("postponement"),
    "terminate": _l("termination"),
}
CHANGE_STATE_LABELS = {
    "pending": _l("awaiting decision"),
    "approved": _l("change approved"),
    "rejected": _l("change rejected"),
}
SUPERVISION_LABELS = {
    "inspection": _l("inspection"),
    "comment": _l("comment"),
    "hearing": _l("progress hearing"),
}


def source_label(key: str) -> str:
    """A configured source outside the defaults is shown by its key."""
    return str(SOURCE_LABELS.get(key, key))
