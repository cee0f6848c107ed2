"""Errors of HTML forms, as a person reads them: every field's error at once, each next to its
field, in plain words that name the field by its label (never its internal name or a value
list's keys).

A form derives from ``LabelledForm`` (a ``fields.Form``: the same character rules) and gives
its fields the validators here (``Required``, ``MaxChars``, ``Choice``, ``Between``,
``Reason``), which name the field's label. The base form's own character checks, and a
value a field could not read (a number, a date), are named the same way. What a service
still refuses (``InvalidInput(field, reason)``, one at a time) is put next to the field it
names with ``attach``, or said with the label in a flash by ``describe``.

The label a message names is the field's label without a trailing remark in brackets ("Your
phone (optional)" → "Your phone"), or the form's ``error_names`` entry for the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.fields import SelectFieldBase
from wtforms.validators import StopValidation, ValidationError

from votesys import fields
from votesys.errors import MESSAGES, DomainError, InvalidInput

#: A trailing remark in brackets, ASCII or full-width: "(optional)", "（选填）".
REMARK = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
#: The reason ``fields.text`` gives an empty required field: said as "please fill in".
REQUIRED = _l("required")
#: What a field of each kind holds, when what was typed could not be read as it.
TYPE_REASONS = {
    "IntegerField": _l("a whole number"),
    "DecimalField": _l("a number, e.g. 1200.50"),
    "DateField": _l("a date as YYYY-MM-DD"),
}


class Named(str):
    """A message that already names its field (the base form leaves it as it is)."""


def label_of(form: Any, field: Field) -> str:
    """The field's name in a message: the form's ``error_names`` entry, else its label
    without a trailing remark in brackets."""
    names = getattr(form, "error_names", None) or {}
    if field.short_name in names:
        return str(names[field.short_name])
    label = str(field.label.text)
    return REMARK.sub("", label) or label


def labelled(label: str, reason: Any) -> Named:
    """ "Label: reason", in the user's language (the message of any field's error)."""
    return Named(str(MESSAGES["invalid"]) % {"field": label, "reason": str(reason)})


def _is_choice(field: Field) -> bool:
    return isinstance(field, SelectFieldBase)


def _lists_keys(field: Field, reason: str) -> bool:
    """Whether a service's reason for a choice names the field's internal values ("one of:
    education, health, …"): it is then said as "choose from the list", since the page shows
    the values by their labels."""
    keys = {str(choice[0]) for choice in field.iter_choices()} - {""}
    return bool(keys & set(re.findall(r"[A-Za-z_]+", reason)))


def _choose_message(form: Any, field: Field) -> Named:
    return Named(_("Please choose “%(label)s” from the list.", label=label_of(form, field)))


def _required_message(label: str, *, choice: bool = False) -> Named:
    if choice:
        return Named(_("Please choose “%(label)s”.", label=label))
    return Named(_("Please fill in “%(label)s”.", label=label))


def _text(data: Any) -> str:
    """Text as ``fields.text`` counts it: line ends as one character, trimmed."""
    return data.replace("\r\n", "\n").replace("\r", "\n").strip()


class Required:
    """Filled in (text: not only spaces; a choice: one chosen). Says "please fill in" or
    "please choose", naming the field."""

    field_flags = {"required": True}

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        empty = not _text(data) if isinstance(data, str) else data in (None, "", [], ())
        if not empty:
            return
        if field.process_errors and field.raw_data and any(field.raw_data):
            return  # something was typed that could not be read: the base form says so
        field.errors[:] = []
        raise StopValidation(_required_message(label_of(form, field), choice=_is_choice(field)))


class MaxChars:
    """At most ``n`` characters, counted as the services count them; the message says how
    many there are. Long text areas show a counter of the characters left (``maxchars``)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.field_flags = {"maxchars": n}

    def __call__(self, form: Any, field: Field) -> None:
        if not isinstance(field.data, str):
            return
        length = len(_text(field.data))
        if length > self.n:
            raise ValidationError(
                Named(
                    _(
                        "“%(label)s” is too long: at most %(max)s characters (now %(length)s).",
                        label=label_of(form, field),
                        max=self.n,
                        length=length,
                    )
                )
            )


class Choice:
    """A value of the field's list (or of ``allowed``); an empty value is left to
    ``Required``. The message never lists the values: it asks to choose from the list."""

    def __init__(self, allowed: Iterable[Any] | Callable[[], Iterable[Any]] | None = None):
        self.allowed = allowed

    def _values(self, field: Field) -> set[str]:
        if self.allowed is None:
            return {str(choice[0]) for choice in field.iter_choices()} - {""}
        allowed = self.allowed() if callable(self.allowed) else self.allowed
        return {str(value) for value in allowed}

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        values = data if isinstance(data, list | tuple) else [data]
        values = [v for v in values if v not in (None, "")]
        allowed = self._values(field)
        if any(str(v) not in allowed for v in values):
            raise ValidationError(_choose_message(form, field))


class Between:
    """A number from ``low`` to ``high``."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high
        self.field_flags = {"min": low, "max": high}

    def __call__(self, form: Any, field: Field) -> None:
        if field.data is None:
            return
        if not self.low <= field.data <= self.high:
            raise ValidationError(
                labelled(
                    label_of(form, field),
                    _l("between %(low)s and %(high)s", low=self.low, high=self.high),
                )
            )


class Reason:
    """A check of the field's value by a function that returns whether it is good; when it
    is not, the message is the label and ``reason`` (an empty value is not checked)."""

    def __init__(self, check: Callable[[Any], bool], reason: Any) -> None:
        self.check, self.reason = check, reason

    def __call__(self, form: Any, field: Field) -> None:
        if field.data in (None, "") or (isinstance(field.data, str) and not _text(field.data)):
            return
        if not self.check(field.data):
            raise ValidationError(labelled(label_of(form, field), self.reason))


def _field(form: Any, name: str) -> Field | None:
    """The form's field a service names: "title", or "spent.county" / "photos[0]" by the
    part before the first "." or "[" when only that is a field."""
    if form is None or not name:
        return None
    for key in (name, re.split(r"[.\[]", name, maxsplit=1)[0]):
        if key in form._fields and key != "csrf_token":
            return form._fields[key]
    return None


def describe(err: DomainError, form: Any = None, names: Mapping[str, Any] | None = None) -> str:
    """A service's refusal in plain words: an invalid field named by its label (the form's
    field, else ``names`` — by the whole name, then by its part before "." or "["); for a
    choice, "please choose … from the list" rather than the reason's list of keys. Any other
    refusal's own message."""
    if not isinstance(err, InvalidInput) or "field" not in err.params:
        return err.message
    name = str(err.params["field"])
    reason = err.params.get("reason", "")
    field = _field(form, name)
    if field is not None:
        if _is_choice(field) and _lists_keys(field, str(reason)):
            return _choose_message(form, field)
        if str(reason) == str(REQUIRED):
            return _required_message(label_of(form, field), choice=_is_choice(field))
        return labelled(label_of(form, field), reason)
    names = names or {}
    for key in (name, re.split(r"[.\[]", name, maxsplit=1)[0]):
        if key in names:
            if str(reason) == str(REQUIRED):
                return _required_message(str(names[key]))
            return labelled(str(names[key]), reason)
    return err.message


class LabelledForm(fields.Form):
    """A form whose every error names its field by its label."""

    #: The name a message gives a field whose label is a question or long: {field: name}.
    error_names: Mapping[str, Any] = {}
    #: The fields in the order the page shows them, when it is not the class's.
    page_order: tuple[str, ...] = ()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if not field.errors:
                continue
            label = label_of(self, field)
            named = []
            for error in field.errors:
                if isinstance(error, Named):
                    named.append(error)
                elif _is_choice(field):  # WTForms' "Not a valid choice"
                    named.append(_choose_message(self, field))
                elif error in field.process_errors and field.type in TYPE_REASONS:
                    named.append(labelled(label, TYPE_REASONS[field.type]))
                else:
                    named.append(labelled(label, error))
            field.errors = list(dict.fromkeys(named))
        return valid

    def attach(self, err: DomainError, names: Mapping[str, Any] | None = None) -> None:
        """Show a service's refusal on the page: next to the field it names, else above the
        form (``form_errors``), in plain words (``describe``)."""
        message = describe(err, self, names)
        field = _field(self, str(err.params.get("field", ""))) if err.params else None
        if isinstance(err, InvalidInput) and field is not None:
            field.errors = [*field.errors, message]
        else:
            self.form_errors.append(message)

    def error_list(self) -> list[tuple[str, str]]:
        """(the field's id, or "" for the form, message) of every error, in the form's
        order: the summary above the form links each to its field."""
        out = [("", str(m)) for m in self.form_errors]
        order = {name: i for i, name in enumerate(self.page_order)}
        fields_ = sorted(self, key=lambda f: order.get(f.short_name, len(order)))
        for field in fields_:
            if field.short_name == "csrf_token":
                continue
            out.extend((field.id, str(m)) for m in field.errors)
        return out


def flash_errors(form: LabelledForm, flash: Callable[[str, str], Any]) -> None:
    """Every error of a form that redirects back, one flash each."""
    for _id, message in form.error_list():
        flash(message, "error")
