"""Forms of the organisers' desk for congresses, sessions, rosters and check-in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from votesys.fields import Form

LEVEL_CHOICES = [
    SelectChoice("province", _l("province")),
    SelectChoice("city", _l("city")),
    SelectChoice("county", _l("county / district")),
    SelectChoice("township", _l("township / street")),
]


class CongressForm(Form):
    jurisdiction_code = StringField(
        _l("Jurisdiction code"), validators=[DataRequired(), Length(max=32)]
    )
    jurisdiction_name = StringField(
        _l("Jurisdiction name"), validators=[DataRequired(), Length(max=100)]
    )
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, default="county")
    parent_code = StringField(
        _l("Parent jurisdiction code"), validators=[Optional(), Length(max=32)]
    )
    name = StringField(_l("Congress name"), validators=[DataRequired(), Length(max=200)])
    term = IntegerField(_l("Term (届)"), validators=[DataRequired(), NumberRange(1, 99)])


class SessionForm(Form):
    name = StringField(_l("Session name"), validators=[DataRequired(), Length(max=200)])
    date = DateField(_l("Date"), validators=[DataRequired()])


class UploadForm(Form):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])


class CheckInForm(Form):
    code = StringField(_l("Deputy code"), validators=[DataRequired(), Length(max=32)])
