"""Login forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from votesys.fields import Form


class LoginForm(Form):
    login = StringField(_l("Login or deputy code"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password or PIN"), validators=[DataRequired(), Length(max=128)])


class DeputyLoginForm(Form):
    code = StringField(_l("Deputy code"), validators=[DataRequired(), Length(max=32)])
    pin = PasswordField(_l("PIN"), validators=[DataRequired(), Length(max=12)])


class PinChangeForm(Form):
    current = PasswordField(_l("Current PIN"), validators=[DataRequired(), Length(max=12)])
    new = PasswordField(_l("New PIN"), validators=[DataRequired(), Length(min=4, max=12)])
    confirm = PasswordField(_l("New PIN again"), validators=[DataRequired(), Length(max=12)])
