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
from wtforms.validators import Optional

from votesys.form_errors import Between, Choice, LabelledForm, MaxChars, Required
from votesys.projects.labels import (
    CHANGE_LABELS,
    COMPLETION_LABELS,
    STATUS_LABELS,
    SUPERVISION_LABELS,
)
from votesys.projects.rules import REPORT_STATUSES

# Every field is checked at once and its error names its label (votesys.form_errors); the
# services check again (votesys.fields), and what they refuse is said with the label too.


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(k, v) for k, v in labels.items()]


class ReportForm(LabelledForm):
    reported_on = DateField(_l("Report date"), validators=[Required()])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s, STATUS_LABELS[s]) for s in REPORT_STATUSES],
        validate_choice=False,
        validators=[Choice()],
    )
    progress = IntegerField(_l("Progress (per cent)"), validators=[Required(), Between(0, 100)])
    narrative = TextAreaField(_l("Progress narrative"), validators=[MaxChars(5000)])
    correction = TextAreaField(
        _l("Correction (only when lowering money spent: why)"), validators=[MaxChars(500)]
    )


class PlanForm(LabelledForm):
    """实施计划 at the desk: the plan's single values. Funding per source, targets and
    milestones are read by name (``funding_<source>``, ``target_name_<n>`` …)."""

    unit = StringField(_l("Responsible unit"), validators=[Required(), MaxChars(200)])
    lead_official = StringField(_l("Lead official"), validators=[MaxChars(100)])
    completion = SelectField(
        _l("Completion"),
        choices=_choices(COMPLETION_LABELS),
        validate_choice=False,
        validators=[Choice()],
    )
    planned_start = DateField(_l("Planned start"), validators=[Optional()])
    planned_finish = DateField(_l("Planned finish"), validators=[Required()])


class MilestoneForm(LabelledForm):
    done_on = DateField(_l("Done on"), validators=[Required()])


class ChangeForm(LabelledForm):
    kind = SelectField(
        _l("Kind of change"),
        choices=_choices(CHANGE_LABELS),
        validate_choice=False,
        validators=[Choice()],
    )
    reason = TextAreaField(_l("Reason"), validators=[Required(), MaxChars(5000)])
    new_finish = DateField(_l("New finish date"), validators=[Optional()])
    scope = TextAreaField(_l("New scope"), validators=[MaxChars(5000)])


class DecisionForm(LabelledForm):
    decision_ref = StringField(_l("Decision reference"), validators=[Required(), MaxChars(200)])
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))],
        validate_choice=False,
        validators=[Required(), Choice()],
    )


class SupervisionForm(LabelledForm):
    kind = SelectField(
        _l("Kind"),
        choices=_choices(SUPERVISION_LABELS),
        validate_choice=False,
        validators=[Choice()],
    )
    held_on = DateField(_l("Date"), validators=[Required()])
    deputy = StringField(_l("Deputy code (optional)"), validators=[MaxChars(32)])
    text = TextAreaField(_l("Record"), validators=[Required(), MaxChars(5000)])
