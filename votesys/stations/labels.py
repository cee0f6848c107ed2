"""Translated labels of the stations' keys (steps, categories, routes, feedback, kinds)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STEP_LABELS = {
    "received": _l("Received (接待)"),
    "registered": _l("Registered (登记)"),
    "handling": _l("Handling (处理)"),
    "supervised": _l("Supervised (督办)"),
    "replied": _l("Replied (回复)"),
    "feedback": _l("Feedback (反馈)"),
    "archived": _l("Archived (归档)"),
}

ROUTE_LABELS = {
    "township_ordinary": _l("Ordinary township matter: handed to the township office"),
    "township_major": _l("Major township matter: inspection and report to the township"),
    "county_or_above": _l("County or above: a deputy's suggestion to the congress"),
    "not_accepted": _l("Not accepted"),
}

FEEDBACK_LABELS = {
    "satisfied": _l("Satisfied"),
    "basically": _l("Basically satisfied"),
    "unsatisfied": _l("Unsatisfied"),
}

KIND_LABELS = {
    "station": _l("Deputies' liaison station"),
    "room": _l("Deputy's studio"),
    "reception_room": _l("Reception room"),
    "building": _l("Building liaison point"),
    "industrial_park": _l("Industrial park liaison point"),
}

SOURCE_LABELS = {
    "reception": _l("At a reception"),
    "online": _l("Online"),
    "deputy": _l("Through a deputy"),
}
