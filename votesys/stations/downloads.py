"""The opinion list for download, without personal data and without tracking codes (a code
lets its holder give feedback, so it stays with the citizen)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from votesys import tabular
from votesys.categories import CATEGORY_LABELS
from votesys.stations import steps
from votesys.stations.labels import FEEDBACK_LABELS, ROUTE_LABELS, STEP_LABELS
from votesys.stations.models import Opinion


def opinions(rows: list[Opinion], fmt: str, *, on: date) -> tuple[bytes | str, str]:
    header = [
        _("No."),
        _("Received on"),
        _("Station"),
        _("Category"),
        _("Subject"),
        _("Place"),
        _("Step"),
        _("Route"),
        _("Handling unit"),
        _("Due"),
        _("Overdue"),
        _("Replied on"),
        _("Feedback"),
        _("Closed on"),
    ]
    body = (
        [
            o.id,
            o.received_on.isoformat(),
            o.station.name if o.station else "",
            str(CATEGORY_LABELS[o.category]),
            o.title,
            o.place,
            str(STEP_LABELS[o.status]),
            str(ROUTE_LABELS[o.route]) if o.route else "",
            o.handling_unit,
            o.due_on.isoformat() if o.due_on else "",
            _("yes") if steps.is_overdue(o, on) else "",
            o.replied_on.isoformat() if o.replied_on else "",
            str(FEEDBACK_LABELS[o.feedback]) if o.feedback else "",
            o.closed_on.isoformat() if o.closed_on else "",
        ]
        for o in rows
    )
    return tabular.table(header, body, fmt, _("Opinions"))
