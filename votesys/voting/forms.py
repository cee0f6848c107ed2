"""Forms of the organisers' desk for candidates, votes and paper totals."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Optional, ValidationError

from votesys.form_errors import Between, LabelledForm, MaxChars, Required
from votesys.voting.labels import BASE_LABELS, MODE_LABELS, STYLE_LABELS
from votesys.voting.rules import BASES, MODES, BallotStyle

# The form offers the styles an organiser sets up here (a rating vote is made from the
# register); values and labels are the vote's own (rules, labels).
STYLE_CHOICES = [
    SelectChoice(s, STYLE_LABELS[s]) for s in (BallotStyle.PER_CANDIDATE, BallotStyle.APPROVAL)
]
BASE_CHOICES = [SelectChoice(b, BASE_LABELS[b]) for b in BASES]
MODE_CHOICES = [SelectChoice(m, MODE_LABELS[m]) for m in MODES]


def finite_amount(form, field) -> None:
    """万元 from 0 to below 10^12 with at most two decimals: no NaN, no infinity."""
    value = field.data
    if value is None:
        return
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise ValidationError(_l("an amount in 万元 from 0 to 999,999,999,999.99"))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_l("at most two decimal places"))


class CandidateForm(LabelledForm):
    title = StringField(_l("Project title"), validators=[Required(), MaxChars(200)])
    summary = TextAreaField(_l("Summary"), validators=[MaxChars(2000)])
    responsible_unit = StringField(_l("Responsible unit"), validators=[MaxChars(200)])
    budget_wan = DecimalField(
        _l("Estimated budget (万元)"),
        places=2,
        validators=[Optional(), finite_amount],
    )


class VoteForm(LabelledForm):
    title = StringField(_l("Title"), validators=[Required(), MaxChars(200)])
    candidates = SelectMultipleField(
        _l("Candidates on the ballot"),
        coerce=int,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    seats = IntegerField(_l("Places (N)"), validators=[Required(), Between(1, 999)])
    max_for = IntegerField(
        _l("Most “for” marks per ballot (K)"), validators=[Required(), Between(1, 999)]
    )
    style = SelectField(_l("Ballot style"), choices=STYLE_CHOICES, default="per_candidate")
    base = SelectField(_l("Passage base"), choices=BASE_CHOICES, default="all_deputies")
    mode = SelectField(_l("Voting by"), choices=MODE_CHOICES, default="electronic")
    practice = BooleanField(
        _l("Practice vote (试投票): tests every tablet; never counted or published")
    )
    # An exception to the jurisdiction's rules (jurisdiction_rules), with its reason.
    exception = BooleanField(_l("Record an exception to this jurisdiction's rules"))
    exception_reason = TextAreaField(_l("Reason for the exception"), validators=[MaxChars(1000)])

    def exception_given(self) -> str | None:
        """The reason when the exception is ticked (blank: the service refuses it)."""
        return (self.exception_reason.data or "") if self.exception.data else None


class RulesForm(LabelledForm):
    """A jurisdiction's rules of the vote (its 票决办法), at the desk."""

    min_extra_candidates = IntegerField(
        _l("Candidates beyond the places (差额), at least"),
        validators=[Required(), Between(0, 99)],
    )
    default_base = SelectField(_l("Default passage base"), choices=BASE_CHOICES)
    rating_vote = BooleanField(_l("The jurisdiction holds a rating vote (满意度测评)"))


class PaperForm(LabelledForm):
    issued = IntegerField(_l("Ballots issued"), validators=[Required(), Between(0, 10**6)])
    returned = IntegerField(_l("Ballots returned"), validators=[Required(), Between(0, 10**6)])
    invalid = IntegerField(_l("Invalid ballots (废票)"), validators=[Required(), Between(0, 10**6)])
