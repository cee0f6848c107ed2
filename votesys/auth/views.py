"""Log in and out, for organisers at their desks and deputies on tablets."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from votesys.auth.forms import DeputyLoginForm, LoginForm
from votesys.auth.services import authenticate, record_failed_login, record_login
from votesys.errors import Forbidden, Unauthorized

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


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            principal = authenticate(form.login.data, form.password.data)
        except Unauthorized as err:
            record_failed_login(form.login.data, "web")
            error = err.message
        else:
            return _start_session(principal, "web")
    return render_template("auth/login.html", form=form, error=error), 401 if error else 200


@bp.route("/tablet/login", methods=["GET", "POST"])
def tablet_login():
    form = DeputyLoginForm()
    error = None
    if form.validate_on_submit():
        try:
            principal = authenticate(form.code.data, form.pin.data, deputies_only=True)
        except Unauthorized:
            record_failed_login(form.code.data, "tablet")
            error = Unauthorized("bad_pin").message
        else:
            return _start_session(principal, "tablet")
    status = 401 if error else 200
    return render_template("auth/tablet_login.html", form=form, error=error), status


def _start_session(principal, how: str):
    lang = session.get("lang")
    session.clear()  # a fresh session at login: nothing carried over from before
    if lang:
        session["lang"] = lang
    login_user(principal)
    record_login(principal, how)
    return redirect(home_for(principal))


@bp.post("/logout")
def logout():
    was_deputy = current_user.is_authenticated and current_user.is_deputy
    logout_user()
    session.clear()
    return redirect(url_for("auth.tablet_login" if was_deputy else "auth.login"))
