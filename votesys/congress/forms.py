"""Forms of the organisers' desk for congresses, sessions, rosters and check-in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField

from votesys.fields import Form
from votesys.form_errors import Between, Choice, LabelledForm, MaxChars, Required

LEVEL_CHOICES = [
    SelectChoice("province", _l("province")),
    SelectChoice("city", _l("city")),
    SelectChoice("county", _l("county / district")),
    SelectChoice("township", _l("township / street")),
]


class CongressForm(LabelledForm):
    jurisdiction_code = StringField(_l("Jurisdiction code"), validators=[Required(), MaxChars(32)])
    jurisdiction_name = StringField(_l("Jurisdiction name"), validators=[Required(), MaxChars(100)])
    level = SelectField(
        _l("Level"),
        choices=LEVEL_CHOICES,
        default="county",
        validate_choice=False,
        validators=[Choice()],
    )
    parent_code = StringField(_l("Parent jurisdiction code"), validators=[MaxChars(32)])
    name = StringField(_l("Congress name"), validators=[Required(), MaxChars(200)])
    term = IntegerField(_l("Term (届)"), validators=[Required(), Between(1, 99)])


class SessionForm(LabelledForm):
    name = StringField(_l("Session name"), validators=[Required(), MaxChars(200)])
    date = DateField(_l("Date"), validators=[Required()])


class UploadForm(Form):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])


class CheckInForm(LabelledForm):
    code = StringField(_l("Deputy code"), validators=[Required(), MaxChars(32)])
