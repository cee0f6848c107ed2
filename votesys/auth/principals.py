"""Who signs in: accounts (``User``, auth's own) and deputies. Deputies sign in with their
code and PIN, but they are the congress's: ``votesys.congress.models`` registers their
model here when it is imported, so that auth, a floor below the congress, never imports it
(as Flask-Login is told how to load a user)."""

from __future__ import annotations

from typing import Any

_deputies: dict[str, Any] = {}


def register_deputies(model: type) -> None:
    """The deputies' model: a ``code``, a ``pin_hash``, ``failed_pins``, ``locked_at``,
    ``auth_epoch`` and ``is_deputy`` true."""
    _deputies["model"] = model


def deputy_model() -> Any:
    try:
        return _deputies["model"]
    except KeyError:
        raise RuntimeError(
            "no deputies' model registered: import votesys.congress.models"
        ) from None


def is_deputy(principal: object) -> bool:
    return bool(getattr(principal, "is_deputy", False))
