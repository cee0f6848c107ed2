"""What every page of a deputy's tablet carries besides the vote: the 呼叫工作人员 button
(voting.calls), the 长辈模式 control (congress.display: text size, high contrast) and the
countdown's template filter. Each works as a plain form post (CSRF) that comes back to the
page, and tablet_aids.js sends the same form without leaving the page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from votesys.auth.views import roles_required
from votesys.congress import display
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.form_errors import describe
from votesys.voting import calls, countdown
from votesys.voting.models import Vote

bp = Blueprint("tablet_aids", __name__, url_prefix="/tablet")
LABELS = {"text_size": _l("Text size"), "high_contrast": _l("High contrast")}


@bp.app_context_processor
def _tablet_values() -> dict:
    """Functions (called only by the pages that show them): the deputy's body classes, and
    the deputy's call waiting for staff."""
    return {
        "elder_classes": lambda: display.body_classes(current_user),
        "staff_call": lambda: calls.open_call(current_user) if _is_deputy() else None,
        "text_sizes": display.TEXT_SIZES,
    }


@bp.app_template_filter("seconds_left")
def seconds_left(vote: Vote) -> int | None:
    """Seconds left on the vote's time limit by the server's clock (None: no limit)."""
    return countdown.seconds_left(vote)


@bp.app_template_filter("clock_text")
def clock_text(seconds: int | None) -> str:
    """Seconds as a clock shows them: "4:05", "1:00:00" (countdown.js writes the same);
    nothing for a vote without a time limit (None), never a "0:00" that means no limit."""
    if seconds is None:
        return ""
    seconds = max(0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _is_deputy() -> bool:
    return bool(current_user.is_authenticated and getattr(current_user, "is_deputy", False))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _back():
    """Back to the page the form was on (a path of this site only), else the tablet's home."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or parts.scheme
        or parts.netloc
    ):
        target = url_for("tablet.home")
    return redirect(target, 303)


def _call_state() -> dict:
    call = calls.open_call(current_user)
    return {
        "called": call is not None,
        "made_at": calls.call_dict(call)["made_at"] if call else None,
    }


def _answer(done, error: DomainError | None = None):
    if error is not None:
        db.session.rollback()
        if _wants_json():
            return error.to_json(), error.status
        flash(describe(error, names=LABELS), "error")
        return _back()
    if _wants_json():
        return done()
    return _back()


@bp.get("/call")
@roles_required("deputy")
def call_state():
    """Whether the deputy's call still waits (the tablet asks while it shows one)."""
    return _call_state()


@bp.post("/call")
@roles_required("deputy")
def call():
    """呼叫工作人员: the same call while one is open; the desk lights up with the name."""
    try:
        calls.call_staff(current_user)
    except DomainError as err:
        return _answer(_call_state, err)
    return _answer(_call_state)


@bp.post("/call/cancel")
@roles_required("deputy")
def cancel_call():
    calls.cancel_call(current_user)
    return _answer(_call_state)


@bp.post("/display")
@roles_required("deputy")
def set_display():
    """长辈模式: the text size (standard, large, largest) and high contrast (on, off)."""
    contrast = request.form.get("contrast")
    try:
        display.set_display(
            current_user,
            text_size=request.form.get("text_size") or None,
            high_contrast={"on": True, "off": False}.get(contrast, contrast or None),
        )
    except DomainError as err:
        return _answer(None, err)
    return _answer(
        lambda: {
            "text_size": current_user.text_size,
            "high_contrast": current_user.high_contrast,
            "classes": display.body_classes(current_user),
        }
    )
