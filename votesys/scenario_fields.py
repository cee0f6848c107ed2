"""Reading a scenario file's fields, for the loader (votesys.scenario) and each room's
sections (stations, projects): a bad field is refused naming its path,
``deputies[12].code: duplicate``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from votesys import fields
from votesys.errors import InvalidInput


class ScenarioError(InvalidInput):
    """A bad field, named by its path: ``deputies[12].code: duplicate``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("invalid", field=path, reason=reason)
        self.path, self.reason = path, reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def object_of(value: Any, path: str, fields: tuple[set[str], set[str]]) -> dict:
    """An object with all of the ``fields``' required keys and none but those and the
    optional ones."""
    if not isinstance(value, dict):
        raise ScenarioError(path or "(file)", "must be an object")
    required, optional = fields
    for key in sorted(required):
        if key not in value:
            raise ScenarioError(join(path, key), "required")
    for key in sorted(value):
        if key not in required | optional:
            raise ScenarioError(join(path, key), "unknown field")
    return value


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _reason(err: InvalidInput) -> str:
    return str(err.params.get("reason", err.code))


def text(value: Any, path: str, *, max_len: int = 200, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ScenarioError(path, "must be a string")
    try:
        return fields.text(value, path, max_len, required=not allow_empty)
    except InvalidInput as err:
        raise ScenarioError(path, _reason(err)) from None


def integer(value: Any, path: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ScenarioError(path, f"must be a whole number ≥ {low}")
    return value


def flag(value: Any, path: str) -> bool:
    """true or false, as JSON writes them (not 0/1, not "yes")."""
    if not isinstance(value, bool):
        raise ScenarioError(path, "must be true or false")
    return value


def list_of(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise ScenarioError(path, "must be a list")
    return value


def choice(value: Any, path: str, allowed: tuple) -> str:
    try:
        return fields.choice(value, path, allowed)
    except InvalidInput as err:
        raise ScenarioError(path, _reason(err)) from None


def money(value: Any, path: str, *, strict: bool = False) -> Decimal | None:
    """万元 with at most two decimal places; a string or a number (a JSON number is read by
    its decimal digits, never stored as float). None stays None. ``strict`` (the register's
    figures): a string or a whole number only, and never None."""
    if value is None and not strict:
        return None
    if isinstance(value, float) and not strict:
        value = repr(value)
    try:
        return fields.money_of(value)
    except ValueError as err:
        raise ScenarioError(path, str(err.args[0])) from None
