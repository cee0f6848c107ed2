"""Log in and out, for organisers at their desks and deputies on tablets."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from votesys.auth.forms import DeputyLoginForm, LoginForm, PinChangeForm
from votesys.auth.limits import login_limits
from votesys.auth.services import (
    PinLocked,
    authenticate,
    change_pin,
    end_sessions,
    pin_tries_left,
    record_failed_login,
    record_login,
    revoke_tokens,
)
from votesys.errors import DomainError, Forbidden, Unauthorized

bp = Blueprint("auth", __name__)


def roles_required(*roles: str):
    """Web pages: the logged-in principal must have one of ``roles``."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                raise Forbidden("forbidden")
            return view(*args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorate


def home_for(principal) -> str:
    if principal.is_deputy:
        return url_for("tablet.home")
    if principal.role == "station_staff":
        return url_for("stations.stations")
    if principal.role == "unit":
        return url_for("projects.unit_desk")
    return url_for("congress.desk")


@bp.get("/start")
def index():
    """Where a signed-in user starts: their desk, tablet or station; else the login page."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


def _refused(login: str, how: str, err: DomainError, *, deputies_only: bool = False):
    """Record a refused login; the message and status the login page shows for it."""
    locked_now = record_failed_login(login, how, deputies_only=deputies_only)
    if isinstance(err, PinLocked):
        return err.message, err.status
    if locked_now:
        return DomainError("pin_now_locked").message, PinLocked.status
    if deputies_only and (left := pin_tries_left(login)) is not None:
        # Deputy codes are printed on the seat cards: saying how many tries remain tells an
        # attacker nothing, and spares a deputy of seventy a lock without warning.
        return DomainError("bad_pin_tries", left=left).message, 401
    return (Unauthorized("bad_pin").message if deputies_only else err.message), 401


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            principal = authenticate(
                form.login.data, form.password.data, address=request.remote_addr
            )
        except Forbidden as err:
            error, status = err.message, err.status
        except (Unauthorized, PinLocked) as err:
            error, status = _refused(form.login.data, "web", err)
        else:
            return _start_session(principal, "web")
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/tablet/login", methods=["GET", "POST"])
@login_limits
def tablet_login():
    form = DeputyLoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            principal = authenticate(
                form.code.data, form.pin.data, deputies_only=True, address=request.remote_addr
            )
        except Forbidden as err:
            error, status = err.message, err.status
        except (Unauthorized, PinLocked) as err:
            error, status = _refused(form.code.data, "tablet", err, deputies_only=True)
        else:
            return _start_session(principal, "tablet")
    return render_template("auth/tablet_login.html", form=form, error=error), status


def _start_session(principal, how: str):
    """A fresh session at login: nothing carried over from before (no session fixation),
    stamped with the principal's epoch so that a later logout ends it everywhere."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["epoch"] = principal.auth_epoch or 0
    login_user(principal)
    record_login(principal, how)
    return redirect(home_for(principal))


@bp.post("/logout")
def logout():
    """End the session, every other session of the principal, and their API tokens."""
    was_deputy = current_user.is_authenticated and current_user.is_deputy
    if current_user.is_authenticated:
        revoke_tokens(current_user)
        end_sessions(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("auth.tablet_login" if was_deputy else "auth.login"))


@bp.route("/tablet/pin", methods=["GET", "POST"])
@roles_required("deputy")
def tablet_pin():
    """The deputy changes their PIN; their API tokens and other sessions end."""
    form = PinChangeForm()
    error, status = None, 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                change_pin(current_user, form.current.data, form.new.data, form.confirm.data)
            except Unauthorized:
                locked = record_failed_login(current_user.code, "pin_change", deputies_only=True)
                code = "pin_now_locked" if locked else "bad_pin"
                error, status = DomainError(code).message, 423 if locked else 401
                if locked:
                    logout_user()
                    session.clear()
            except DomainError as err:
                error, status = err.message, err.status
            else:
                session["epoch"] = current_user.auth_epoch
                flash(_("Your PIN has been changed."), "ok")
                return redirect(url_for("tablet.home"))
        else:
            error = _("Please fill in every field: the PIN is 4 to 12 digits.")
    return render_template("auth/pin_change.html", form=form, error=error), status
