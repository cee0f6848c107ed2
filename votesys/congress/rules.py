"""The congress's own rule, pure: the quorum of a session (no Flask, no database)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quorum:
    """法定人数: a session may vote when at least two-thirds of current deputies are present."""

    total: int
    present: int

    @property
    def required(self) -> int:
        # "三分之二以上" includes the bound: the smallest n with 3n >= 2 * total.
        return -(-2 * self.total // 3)

    @property
    def met(self) -> bool:
        return self.total > 0 and self.present >= self.required

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "total": self.total,
            "present": self.present,
            "required": self.required,
            "met": self.met,
        }
