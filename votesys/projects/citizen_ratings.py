"""群众满意度: citizens rate a project from the form its QR poster (民生码) opens.

Kept apart from the deputies' satisfaction rating (``projects.rating``, a vote of the
congress): another table, other figures, shown beside it and never added to it.

- Who may rate: anyone with a mainland mobile number, once per project. The number is
  normalised (spaces, dashes, +86/0086/86, full-width digits) and kept only as
  HMAC-SHA256 under the installation's rating key (``rating_key``) over the project's id
  and the number: a repeat is caught, the number cannot be read back, and one phone's
  ratings of two projects cannot be linked by their hashes.
- What may be rated: a project under way or completed (``RATABLE``). One not started has
  nothing to judge yet; a suspended or terminated one is no longer being delivered.
- ``satisfied_share`` is the 满意度 of Chinese assessment reports: (满意 + 基本满意) / total,
  in per cent with one decimal, rounded half up; None while nobody has rated.
- The comment is read by staff only (the organisers and the responsible unit): citizens
  write freely, and may name themselves, a neighbour or a worker; nothing is moderated.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from votesys import clock, fields
from votesys.errors import Conflict, invalid
from votesys.extensions import db
from votesys.projects.models import CitizenRating, Project, Rating, Status
from votesys.projects.rating_key import rating_key
from votesys.voting.rules import percent

CHOICES = tuple(r.value for r in Rating)
RATABLE = frozenset({Status.IN_PROGRESS, Status.DELAYED, Status.COMPLETED})
MAX_COMMENT = 500
MAX_PHONE = 40
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋", "0123456789+")
_SEPARATORS = re.compile(r"[\s\-()（）.·]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalise_mobile(text: Any) -> str | None:
    """A mainland mobile number as 11 ASCII digits (1[3-9]…), or None. Accepts what people
    type: spaces, dashes, brackets and dots between digits, +86 / 0086 / 86 before it,
    full-width digits. Landlines are refused: a rating is one person's, and a landline is a
    household's or an office's."""
    if not isinstance(text, str) or len(text) > MAX_PHONE:
        return None
    raw = _SEPARATORS.sub("", text.translate(_FULL_WIDTH))
    for prefix in ("+86", "0086", "86"):
        if raw.startswith(prefix) and len(raw) == len(prefix) + 11:
            raw = raw[len(prefix) :]
            break
    return raw if raw.isascii() and _MOBILE.fullmatch(raw) else None


def phone_hash(project_id: int, mobile: str) -> str:
    """HMAC-SHA256 (hex) of the project and the normalised number under the rating key."""
    message = f"votesys citizen rating v1\x00{project_id}\x00{mobile}".encode()
    return hmac.new(rating_key(), message, hashlib.sha256).hexdigest()


def ratable(project: Project) -> bool:
    return project.status in RATABLE


def clean_input(data: dict[str, Any]) -> tuple[str, str, str]:
    """(choice, normalised mobile, comment) of a form or a JSON body, or InvalidInput."""
    choice = data.get("choice")
    if not isinstance(choice, str) or choice not in CHOICES:
        raise invalid("choice", _l("one of satisfied, basically_satisfied, unsatisfied"))
    mobile = normalise_mobile(data.get("phone"))
    if mobile is None:
        raise invalid("phone", _l("a mainland mobile number of 11 digits, e.g. 138 0013 8000"))
    comment = fields.text(data.get("comment"), "comment", MAX_COMMENT, required=False)
    return choice, mobile, comment


def rate(project: Project, data: dict[str, Any]) -> CitizenRating:
    """Record one citizen's rating; refused when the project cannot be rated now or this
    phone has rated it already (409), or on bad input (422). Nothing stored on a refusal."""
    choice, mobile, comment = clean_input(data)
    if not ratable(project):
        raise Conflict("not_ratable")
    digest = phone_hash(project.id, mobile)
    taken = db.session.scalar(
        select(CitizenRating.id).where(
            CitizenRating.project_id == project.id, CitizenRating.phone_hash == digest
        )
    )
    if taken is not None:
        raise Conflict("already_rated")
    found = CitizenRating(
        project_id=project.id,
        choice=choice,
        phone_hash=digest,
        comment=comment,
        rated_on=clock.today(),
    )
    db.session.add(found)
    db.session.flush()  # two at once: the unique index refuses the second (409 conflict)
    return found


def figures(satisfied: int, basic: int, unsatisfied: int) -> dict[str, Any]:
    """The counts and the share satisfied, as every page and download shows them."""
    total = satisfied + basic + unsatisfied
    return {
        "satisfied": satisfied,
        "basically_satisfied": basic,
        "unsatisfied": unsatisfied,
        "total": total,
        "satisfied_share": percent(satisfied + basic, total),
    }


def _pivot(rows) -> dict[Any, dict[str, Any]]:
    """{key: figures} of (key, choice, count) rows."""
    counts: dict[Any, dict[str, int]] = {}
    for key, choice, n in rows:
        counts.setdefault(key, dict.fromkeys(CHOICES, 0))[choice] = n
    return {k: figures(*(c[x] for x in CHOICES)) for k, c in counts.items()}


def counts_of(project_id: int) -> dict[str, Any]:
    """A project's figures (one statement)."""
    rows = db.session.execute(
        select(CitizenRating.choice, func.count())
        .where(CitizenRating.project_id == project_id)
        .group_by(CitizenRating.choice)
    ).all()
    found = _pivot((0, choice, n) for choice, n in rows)
    return found.get(0) or figures(0, 0, 0)


def counts_by_project(project_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{project id: figures} of the projects rated at all (one statement)."""
    if not project_ids:
        return {}
    rows = db.session.execute(
        select(CitizenRating.project_id, CitizenRating.choice, func.count())
        .where(CitizenRating.project_id.in_(project_ids))
        .group_by(CitizenRating.project_id, CitizenRating.choice)
    ).all()
    return _pivot(rows)


def comments_of(project_id: int) -> list[CitizenRating]:
    """The ratings with a comment, newest first: for staff only."""
    return list(
        db.session.scalars(
            select(CitizenRating)
            .where(CitizenRating.project_id == project_id, CitizenRating.comment != "")
            .order_by(CitizenRating.rated_on.desc(), CitizenRating.id.desc())
        )
    )
