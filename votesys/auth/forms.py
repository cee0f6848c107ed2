"""Login forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    login = StringField(_l("Login or deputy code"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password or PIN"), validators=[DataRequired(), Length(max=128)])


class DeputyLoginForm(FlaskForm):
    code = StringField(_l("Deputy code"), validators=[DataRequired(), Length(max=32)])
    pin = PasswordField(_l("PIN"), validators=[DataRequired(), Length(max=12)])


class PinChangeForm(FlaskForm):
    current = PasswordField(_l("Current PIN"), validators=[DataRequired(), Length(max=12)])
    new = PasswordField(_l("New PIN"), validators=[DataRequired(), Length(min=4, max=12)])
    confirm = PasswordField(_l("New PIN again"), validators=[DataRequired(), Length(max=12)])
