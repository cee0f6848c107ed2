"""Forms of the register's pages: progress reports, milestones, changes, decisions, supervision.

Per-source and per-target amounts are read by name (``spent_<source>``, ``value_<target>``)
because their number depends on the project.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from votesys.fields import Form
from votesys.projects.labels import CHANGE_LABELS, STATUS_LABELS, SUPERVISION_LABELS
from votesys.projects.rules import REPORT_STATUSES


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(k, v) for k, v in labels.items()]


class ReportForm(Form):
    reported_on = DateField(_l("Report date"), validators=[DataRequired()])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s, STATUS_LABELS[s]) for s in REPORT_STATUSES],
    )
    progress = IntegerField(_l("Progress (per cent)"), validators=[NumberRange(0, 100)])
    narrative = TextAreaField(_l("Progress narrative"), validators=[Length(max=5000)])


class MilestoneForm(Form):
    done_on = DateField(_l("Done on"), validators=[DataRequired()])


class ChangeForm(Form):
    kind = SelectField(_l("Kind of change"), choices=_choices(CHANGE_LABELS))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])
    new_finish = DateField(_l("New finish date"), validators=[Optional()])
    scope = TextAreaField(_l("New scope"), validators=[Optional(), Length(max=5000)])


class DecisionForm(Form):
    decision_ref = StringField(
        _l("Decision reference"), validators=[DataRequired(), Length(max=200)]
    )
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))],
    )


class SupervisionForm(Form):
    kind = SelectField(_l("Kind"), choices=_choices(SUPERVISION_LABELS))
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    deputy = StringField(_l("Deputy code (optional)"), validators=[Optional(), Length(max=32)])
    text = TextAreaField(_l("Record"), validators=[DataRequired(), Length(max=5000)])
