"""Forms of the stations: the citizen's opinion, and the staff's desk."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from votesys.categories import CATEGORY_LABELS
from votesys.fields import Form
from votesys.stations.labels import FEEDBACK_LABELS, KIND_LABELS, ROUTE_LABELS

# Lengths are checked by the services, which name the field in the message; these forms only
# carry the values.


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


class OpinionForm(Form):
    station = SelectField(_l("Send to station"), coerce=str, validate_choice=False)
    title = StringField(_l("Subject"))
    content = TextAreaField(_l("What is the problem or idea?"))
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("— choose —")), *_choices(CATEGORY_LABELS)],
        validate_choice=False,
    )
    place = StringField(_l("Where (optional)"))
    citizen_name = StringField(_l("Your name (optional)"))
    citizen_phone = StringField(_l("Your phone (optional)"))


class ReceptionOpinionForm(OpinionForm):
    received_on = DateField(_l("Received on"), validators=[Optional()])
    deputies = SelectMultipleField(_l("Deputies present"), coerce=str, validate_choice=False)


class FeedbackForm(Form):
    feedback = SelectField(
        _l("Are you satisfied with how it was handled?"),
        choices=_choices(FEEDBACK_LABELS),
        validate_choice=False,
    )
    note = TextAreaField(_l("Anything to add (optional)"))


class TrackForm(Form):
    class Meta:
        csrf = False

    code = StringField(_l("Tracking code"))


class StationForm(Form):
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS), validate_choice=False)
    jurisdiction = SelectField(_l("Jurisdiction"), coerce=str, validate_choice=False)
    address = StringField(_l("Address"))
    opening_hours = StringField(_l("Opening hours"))
    contact = StringField(_l("Contact"))
    reception_days = StringField(_l("Fixed reception days of the month (e.g. 10, 20, 30)"))


class ReceptionForm(Form):
    date = DateField(_l("Date"), validators=[Optional()])
    hours = StringField(_l("Hours"))
    topic = StringField(_l("Topic"))
    deputies = SelectMultipleField(_l("Deputies on duty"), coerce=str, validate_choice=False)


class MoveForm(Form):
    to = SelectField(_l("Move to"), coerce=str, validate_choice=False)
    note = TextAreaField(_l("Note (for a reply: the reply the citizen will read)"))
    route = SelectField(
        _l("Whose power it falls under"),
        choices=[SelectChoice("", _l("— choose —")), *_choices(ROUTE_LABELS)],
        validate_choice=False,
    )
    unit = StringField(_l("Handling unit"))
    due = DateField(_l("Due (empty: by the rule of the route)"), validators=[Optional()])
    signers = StringField(_l("Signing deputies (codes, separated by commas)"))
    reason = TextAreaField(_l("Reason it is not accepted"))
    feedback = SelectField(
        _l("Feedback"),
        choices=[SelectChoice("", "—"), *_choices(FEEDBACK_LABELS)],
        validate_choice=False,
    )
