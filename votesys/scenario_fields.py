"""Reading a scenario file's fields, for the loader (votesys.scenario) and each room's
sections (stations, projects): a bad field is refused naming its path,
``deputies[12].code: duplicate``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

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


def text(value: Any, path: str, *, max_len: int = 200, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ScenarioError(path, "must be a string")
    value = value.strip()
    if not value and not allow_empty:
        raise ScenarioError(path, "must not be empty")
    if len(value) > max_len:
        raise ScenarioError(path, f"at most {max_len} characters")
    return value


def integer(value: Any, path: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ScenarioError(path, f"must be a whole number ≥ {low}")
    return value


def list_of(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise ScenarioError(path, "must be a list")
    return value


def choice(value: Any, path: str, allowed: tuple) -> str:
    if value not in allowed:
        raise ScenarioError(path, "one of " + ", ".join(str(a) for a in allowed))
    return value


def money(value: Any, path: str) -> Decimal | None:
    """万元 with at most two decimal places; a string or a number, never stored as float."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ScenarioError(path, 'an amount in 万元, e.g. "1200.50"')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ScenarioError(path, 'an amount in 万元, e.g. "1200.50"') from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ScenarioError(path, "a non-negative amount below 10^12")
    if amount != amount.quantize(Decimal("0.01")):
        raise ScenarioError(path, "at most two decimal places")
    return amount.quantize(Decimal("0.01"))
