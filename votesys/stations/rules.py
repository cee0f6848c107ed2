"""The rules of the stations as pure functions: the seven steps, tracking codes, phones, dates."""

from __future__ import annotations

import calendar
import re
import secrets
from datetime import date, timedelta

from votesys.stations.models import Feedback, Route, Step

ORDER = tuple(Step)
# Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 13  # 13 × 5 = 65 random bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
PUBLISH_LEAD_DAYS = 3
MAX_CONTENT = 5000
MAX_NOTE = 2000


def digits(text: str) -> bool:
    """ASCII digits only: "¹" and other Unicode digits pass ``isdigit`` but are no number."""
    return text.isascii() and text.isdigit()


def next_step(current: str) -> str | None:
    i = ORDER.index(Step(current))
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


def move_allowed(current: str, target: str, *, route: str | None, feedback: str | None) -> bool:
    """May an opinion at ``current`` move to ``target``?

    Only to the next step, with three exceptions and one restriction:
    - a matter not accepted is closed from handling straight to the archive, with its reason;
    - an unsatisfied feedback sends the opinion back to handling (重新办理);
    - an opinion not accepted has nothing to supervise, so it never moves to 督办;
    - an unsatisfied opinion cannot be archived: it goes back to handling first.
    ``route`` is the opinion's route (or the one given with a move into handling), ``feedback``
    the feedback recorded (or the one given with a move into feedback).
    """
    if current not in ORDER or target not in ORDER:
        return False
    if current == Step.HANDLING and route == Route.NOT_ACCEPTED:
        return target == Step.ARCHIVED
    if current == Step.FEEDBACK and feedback == Feedback.UNSATISFIED:
        return target == Step.HANDLING
    return target == next_step(current)


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_tracking_code(text: str) -> str | None:
    """What a citizen typed, in canonical form; None when it cannot be a code."""
    raw = re.sub(r"[\s\-]", "", (text or "")[:64]).upper().translate(_READ_AS)
    if len(raw) != CODE_LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def format_tracking_code(code: str) -> str:
    """Groups of four, five and four for reading aloud: ``7K3M-Q9XR2-TB4H``."""
    return f"{code[:4]}-{code[4:9]}-{code[9:]}"


def normalise_phone(text: str) -> str | None:
    """A mainland mobile (11 digits, 1[3-9]…) or a landline with area code; None otherwise."""
    raw = re.sub(r"[\s\-()（）]", "", text or "")
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    if re.fullmatch(r"1[3-9]\d{9}", raw) or re.fullmatch(r"0\d{9,11}", raw):
        return raw
    return None


def mask_phone(phone: str) -> str:
    """138****1234: the first three and last four digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_name(name: str) -> str:
    """张**: the family name only."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_date(route: str, handed_on: date, periods: dict[str, dict[str, int]]) -> date | None:
    """When a handed-on opinion must be replied to, from the configured period of its route."""
    period = periods.get(route)
    if not period:
        return None
    due = add_months(handed_on, period.get("months", 0))
    return due + timedelta(days=period.get("days", 0))


def publish_deadline(reception_day: date) -> date:
    """The last day a reception may be published: three days before it (DOMAIN.md)."""
    return reception_day - timedelta(days=PUBLISH_LEAD_DAYS)


def parse_reception_days(values) -> str:
    """[10, 20, 30] → "10,20,30"; raises ValueError on anything but distinct days 1–31."""
    values = list(values)
    if any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 31 for v in values):
        raise ValueError("days of the month, 1 to 31")
    days = sorted(set(values))
    if len(days) != len(values):
        raise ValueError("a day appears twice")
    return ",".join(str(d) for d in days)
