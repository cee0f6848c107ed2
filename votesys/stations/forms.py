"""Forms of the stations: the citizen's opinion, and the staff's desk."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from votesys.categories import CATEGORY_LABELS
from votesys.fields import Form
from votesys.form_errors import Choice, LabelledForm, MaxChars, Reason, Required
from votesys.stations import rules
from votesys.stations.labels import FEEDBACK_LABELS, KIND_LABELS, ROUTE_LABELS

# The forms check every field at once, with the services' rules and lengths, and name each
# field by its label (votesys.form_errors); the services check again, and what they still
# refuse is put next to the field it names.


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


def _phone(value: str) -> bool:
    return bool(rules.normalise_phone(value))


class OpinionForm(LabelledForm):
    error_names = {"content": _l("Content")}

    # Its choices are the stations, set by the page.
    station = SelectField(
        _l("Send to station"), coerce=str, validate_choice=False, validators=[Required(), Choice()]
    )
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("— choose —")), *_choices(CATEGORY_LABELS)],
        validate_choice=False,
        validators=[Required(), Choice()],
    )
    title = StringField(_l("Subject"), validators=[Required(), MaxChars(200)])
    content = TextAreaField(
        _l("What is the problem or idea?"), validators=[Required(), MaxChars(rules.MAX_CONTENT)]
    )
    place = StringField(_l("Where (optional)"), validators=[MaxChars(200)])
    citizen_name = StringField(_l("Your name (optional)"), validators=[MaxChars(50)])
    citizen_phone = StringField(
        _l("Your phone (optional)"),
        validators=[
            MaxChars(40),
            Reason(_phone, _l("a mobile number (11 digits) or a landline with area code")),
        ],
    )
    notify_consent = BooleanField(
        _l("Send me a text message at each step of my opinion (needs a phone)"), default=False
    )
    # stations.publicity: up to three photos, and the citizen's choice to publish it
    photos = MultipleFileField(_l("Photos (optional, up to three)"))
    public = BooleanField(
        _l("Publish my opinion so that others can read and support it"), default=False
    )


class ReceptionOpinionForm(OpinionForm):
    page_order = ("received_on", *OpinionForm.page_order)
    station = None  # registered at the desk's own station
    received_on = DateField(_l("Received on"), validators=[Optional()])
    deputies = SelectMultipleField(
        _l("Deputies present"), coerce=str, validate_choice=False, validators=[Choice()]
    )


class FeedbackForm(LabelledForm):
    error_names = {"feedback": _l("Feedback")}

    feedback = SelectField(
        _l("Are you satisfied with how it was handled?"),
        choices=_choices(FEEDBACK_LABELS),
        validate_choice=False,
        validators=[Required(), Choice()],
    )
    note = TextAreaField(_l("Anything to add (optional)"), validators=[MaxChars(rules.MAX_NOTE)])


class TrackForm(Form):
    class Meta:
        csrf = False

    code = StringField(_l("Tracking code"))


def _days_of_month(text: str) -> bool:
    return days_of_month(text) is not None


def days_of_month(text: str) -> list[int] | None:
    """ "10, 20, 30" (or 10、20，30) as days of the month; None when it is not that."""
    parts = [
        p for p in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p
    ]
    if not all(rules.digits(p) and len(p) <= 2 and 1 <= int(p) <= 31 for p in parts):
        return None
    return [int(p) for p in parts]


class StationForm(LabelledForm):
    name = StringField(_l("Station name"), validators=[Required(), MaxChars(200)])
    kind = SelectField(
        _l("Kind"), choices=_choices(KIND_LABELS), validate_choice=False, validators=[Choice()]
    )
    # Its choices are the jurisdictions the organiser manages, set by the page.
    jurisdiction = SelectField(
        _l("Jurisdiction"), coerce=str, validate_choice=False, validators=[Required(), Choice()]
    )
    address = StringField(_l("Address"), validators=[MaxChars(300)])
    opening_hours = StringField(_l("Opening hours"), validators=[MaxChars(200)])
    contact = StringField(_l("Contact"), validators=[MaxChars(200)])
    reception_days = StringField(
        _l("Fixed reception days of the month (e.g. 10, 20, 30)"),
        validators=[Reason(_days_of_month, _l("days of the month, e.g. 10, 20, 30"))],
    )


class ReceptionForm(LabelledForm):
    date = DateField(_l("Date"), validators=[Required()])
    hours = StringField(_l("Hours"), validators=[MaxChars(100)])
    topic = StringField(_l("Topic"), validators=[MaxChars(200)])
    # Its choices are the deputies stationed here, set by the page.
    deputies = SelectMultipleField(
        _l("Deputies on duty"), coerce=str, validate_choice=False, validators=[Required(), Choice()]
    )


class MoveForm(LabelledForm):
    """What each step needs is the service's to check (steps.move): the form checks lengths
    and choices, and the page shows what the service refuses next to its field."""

    to = SelectField(_l("Move to"), coerce=str, validate_choice=False, validators=[Choice()])
    note = TextAreaField(
        _l("Note (for a reply: the reply the citizen will read)"),
        validators=[MaxChars(rules.MAX_NOTE)],
    )
    route = SelectField(
        _l("Whose power it falls under"),
        choices=[SelectChoice("", _l("— choose —")), *_choices(ROUTE_LABELS)],
        validate_choice=False,
        validators=[Choice()],
    )
    unit = StringField(_l("Handling unit"), validators=[MaxChars(200)])
    due = DateField(_l("Due (empty: by the rule of the route)"), validators=[Optional()])
    signers = StringField(
        _l("Signing deputies (codes, separated by commas)"), validators=[MaxChars(500)]
    )
    reason = TextAreaField(_l("Reason it is not accepted"), validators=[MaxChars(rules.MAX_NOTE)])
    feedback = SelectField(
        _l("Feedback"),
        choices=[SelectChoice("", "—"), *_choices(FEEDBACK_LABELS)],
        validate_choice=False,
        validators=[Choice()],
    )


class EraseContactForm(LabelledForm):
    confirm = BooleanField(
        _l("Yes, erase my name and phone now. This cannot be undone.")
    )  # the page checks it is ticked


class ErasePhotosForm(LabelledForm):
    confirm = BooleanField(
        _l("Yes, delete my photos now. This cannot be undone.")
    )  # the page checks it is ticked


class WithdrawPublicationForm(LabelledForm):
    confirm = BooleanField(
        _l("Yes, take my opinion off the public site now.")
    )  # the page checks it is ticked
