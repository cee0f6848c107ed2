"""Domain errors and how each becomes an HTTP answer with a translated message, in one place."""

from __future__ import annotations

import logging
import random
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from votesys.extensions import db, login_manager

log = logging.getLogger(__name__)

# code -> message template; params are filled with %-formatting after translation.
MESSAGES: dict[str, Any] = {
    "bad_request": _l("The request could not be understood."),
    "bad_json": _l("The request body must be a JSON object."),
    "duplicate_key": _l("The request names “%(key)s” twice; each key may appear once."),
    "form_expired": _l("This page has expired. Please go back, reload the page and try again."),
    "too_large": _l("The request is too large."),
    "invalid": _l("%(field)s: %(reason)s"),
    "unauthorized": _l("Please log in first."),
    "bad_credentials": _l("Wrong login or password."),
    "bad_pin": _l("Wrong deputy code or PIN."),
    "bad_pin_tries": _l(
        "Wrong deputy code or PIN. %(left)s more wrong tries lock the PIN; "
        "if you are unsure, ask the desk staff."
    ),
    "pin_locked": _l(
        "This PIN is locked after too many wrong tries. Please ask the desk staff to unlock it."
    ),
    "pin_now_locked": _l(
        "Wrong PIN. It is now locked after too many wrong tries: "
        "please ask the desk staff to unlock it."
    ),
    "outside_hall": _l(
        "Deputies log in with their PIN on the congress hall's network only. "
        "Please use a tablet in the hall, or ask the desk staff."
    ),
    "login_rate_limited": _l(
        "Too many failed login attempts. Please wait a few minutes and try again."
    ),
    "token_expired": _l("Your login has expired or was ended. Please log in again."),
    "forbidden": _l("You do not have permission to do this."),
    "not_published": _l(
        "The result of this vote is not published yet. It is shown here once the congress "
        "publishes it."
    ),
    "out_of_scope": _l("This belongs to a jurisdiction you do not manage."),
    "not_found": _l("Not found."),
    "no_jurisdiction": _l("There is no such jurisdiction."),
    "method_not_allowed": _l("This method is not allowed here."),
    "wrong_state": _l("This vote is %(state)s; this action needs it to be %(needed)s."),
    "vote_not_open": _l("This vote is not open for voting."),
    "quorum_not_met": _l(
        "Quorum not met: %(present)s present, %(required)s required, of %(total)s deputies."
    ),
    "already_voted": _l("You have already voted in this vote. A deputy votes only once."),
    "practice_vote": _l(
        "This is a practice vote: its ballots are not counted and it is never published. "
        "Its result is which tablets cast and which did not."
    ),
    "not_electronic": _l("A paper vote has no roll of who voted: the tellers count the ballots."),
    "not_checked_in": _l("You are not checked in for this session. Please sign in at the desk."),
    "checked_in_after_opening": _l(
        "You checked in after this vote opened, so you cannot vote in it. "
        "You can vote in the next vote."
    ),
    "mandate_not_current": _l("Your mandate is not current, so you cannot vote."),
    "deputy_not_in_congress": _l("This deputy does not belong to this congress."),
    "too_many_for": _l(
        "At most %(max_for)s candidates may be marked “for”; this ballot marks %(count)s."
    ),
    "unknown_candidate": _l("Candidate %(candidate)s is not on this ballot."),
    "bad_choice": _l("“%(choice)s” is not a valid mark; use for, against or abstain."),
    "approval_for_only": _l("An approval ballot takes only “for” marks."),
    "another_open": _l("Another vote of this session is open; close it first."),
    "box_key_missing": _l(
        "The key of this vote's ballot box is missing on this server, so its ballots cannot "
        "be counted. Restore the key folder (ballot-boxes) from its backup, then close again."
    ),
    "paper_vote": _l("This vote is held on paper; enter the counted totals instead."),
    "electronic_vote": _l("This vote is held on tablets; it has no paper totals."),
    "fallen_back": _l(
        "This vote has switched to paper ballots: tablets take no more ballots. "
        "Please ask the staff for a paper ballot."
    ),
    "already_fallen_back": _l("This vote has already switched to paper ballots."),
    "paper_roll_closed": _l(
        "This vote switched to paper ballots and is closed: paper ballots name no one, so "
        "there is no list of who has not voted."
    ),
    "rating_on_tablets": _l("A rating is held on tablets only: it cannot switch to paper."),
    "paper_totals_missing": _l(
        "The tellers' totals of the paper ballots have not been entered: enter them first."
    ),
    "paper_not_confirmed": _l(
        "The paper totals await a scrutineer's confirmation: the vote is counted with them "
        "once a scrutineer of this session confirms them."
    ),
    "own_entry": _l("Whoever entered the paper totals cannot confirm them: another person must."),
    "nothing_to_confirm": _l("No paper totals of this vote await confirmation."),
    "paper_changed": _l(
        "The paper totals were corrected after you opened them. Reload, check the new "
        "figures and confirm again."
    ),
    "no_runoff_needed": _l("This vote has no tie that needs a runoff."),
    "runoff_exists": _l("A runoff for this vote has already been created."),
    "too_few_candidates": _l(
        "This jurisdiction's rule: a vote needs at least %(extra)s more candidates than places "
        "(差额); this one has %(candidates)s candidates for %(seats)s places. An organiser may "
        "record an exception with its reason."
    ),
    "rating_vote_not_held": _l(
        "This jurisdiction's rule: it holds no rating vote (满意度测评). An organiser may "
        "record an exception with its reason."
    ),
    # scrutineers (voting/scrutiny.py, voting/confirming.py)
    "not_a_scrutineer": _l("You are not a scrutineer of this session."),
    "scrutiny_locked": _l(
        "“%(title)s” is counted and awaits publication: the scrutineers and tellers cannot "
        "change until it is published."
    ),
    "scrutineer_mandate_ended": _l(
        "Your mandate as a deputy has ended, so you can no longer confirm results as a scrutineer."
    ),
    "no_key": _l("Register your signing key on your device first."),
    "no_pending_key": _l("This scrutineer has no new key awaiting approval."),
    "already_confirmed": _l("You have already confirmed this result with another signature."),
    "bad_signature": _l(
        "The signature does not verify with your registered key over this vote's record. "
        "Nothing was recorded."
    ),
    "not_confirmed": _l(
        "The scrutineers have not confirmed this result yet: %(confirmed)s of the "
        "%(required)s required."
    ),
    # calls for staff from a tablet (voting/calls.py)
    "no_session_to_call": _l("Your congress has no session yet, so there is no desk to call."),
    "call_too_soon": _l(
        "The staff were called a moment ago. Please wait %(seconds)s seconds before calling again."
    ),
    "no_open_call": _l("This deputy has no call waiting: it was answered or cancelled."),
    "step_not_allowed": _l(
        "An opinion at step “%(current)s” cannot move to “%(target)s”. "
        "Steps go in order: received, registered, handling, supervised, replied, feedback, "
        "archived."
    ),
    "publish_too_late": _l(
        "Reception days are published at least %(days)s days ahead: the reception of "
        "%(date)s could be published until %(deadline)s."
    ),
    "feedback_not_expected": _l("Feedback can be given once the opinion has been replied to."),
    # collection campaigns (stations/campaigns.py)
    "campaign_too_short": _l(
        "A collection campaign stays open at least %(minimum)s days, its first and last day "
        "counted; this window has %(days)s."
    ),
    "campaigns_overlap": _l(
        "This jurisdiction already has a campaign (for %(year)s) open from %(opens)s to "
        "%(closes)s: a jurisdiction runs one campaign at a time."
    ),
    "campaign_started": _l(
        "This campaign opened on %(opens)s: its window and negative list no longer change."
    ),
    "not_in_campaign": _l("This opinion did not come in during a collection campaign."),
    "already_candidate": _l("This opinion is already part of a candidate project."),
    "not_accepted_yet": _l(
        "Accept the opinion into the pool first: feasibility is studied for accepted opinions only."
    ),
    "feasibility_needed": _l(
        "“%(title)s” cannot become a candidate project yet: it came in during a collection "
        "campaign, and must be accepted into the pool and found feasible (or feasible on "
        "conditions) by the responsible unit first."
    ),
    "rate_limited": _l("Too many requests. Please wait a minute and try again."),
    "bad_receipt": _l(
        "A receipt has 10 letters and digits in two groups of five, like 7KQ2M-9XRT4. "
        "Please check it and try again."
    ),
    "unknown_receipt": _l(
        "No published vote has this receipt. Please check it and try again; a vote's "
        "receipts can be looked up once its result is published."
    ),
    "bad_rating": _l(
        "“%(choice)s” is not a valid rating; use satisfied, basically_satisfied or unsatisfied."
    ),
    "not_your_unit": _l("This project belongs to another responsible unit."),
    # citizens' ratings of projects (projects/citizen_ratings.py)
    "already_rated": _l(
        "This phone number has already rated this project. Each number rates a project once."
    ),
    "not_ratable": _l(
        "This project cannot be rated now: citizens rate a project once it is under way or "
        "completed, not before it starts nor once it is suspended or terminated."
    ),
    # published opinions and their support (stations/publicity.py)
    "already_supported": _l(
        "This browser has already supported this opinion. Each browser supports an opinion once."
    ),
    "opinion_not_published": _l(
        "This opinion is not published: its citizen did not choose to publish it."
    ),
    "not_hidden": _l("This opinion is not hidden."),
    "unknown_source": _l("“%(source)s” is not a funding source; use one of %(known)s."),
    "photo_too_large": _l("Photo %(name)s is larger than %(mb)s MB."),
    "project_terminated": _l("This project has been terminated; its plan no longer changes."),
    "change_decided": _l("This change request has already been decided."),
    "conflict": _l("This conflicts with the current state. Reload and try again."),
    "unavailable": _l("The service is briefly unavailable. Please try again in a moment."),
    "internal": _l("Something went wrong on our side. Nothing was saved. Please try again."),
}


class DomainError(Exception):
    """An expected refusal: carries a code, an HTTP status and the parameters of its message."""

    status = 400

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        template = MESSAGES.get(self.code, MESSAGES["bad_request"])
        return str(template) % {k: _display(v) for k, v in self.params.items()}

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if "field" in self.params:
            body["field"] = str(self.params["field"])
        return body


def _display(value: Any) -> Any:
    return str(value) if hasattr(value, "__html__") or not isinstance(value, int) else value


class InvalidInput(DomainError):
    status = 422


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Unavailable(DomainError):
    status = 503


def invalid(field: str, reason: Any) -> InvalidInput:
    """Shorthand for a field-level input error."""
    return InvalidInput("invalid", field=field, reason=reason)


def _as_trusted_host(app) -> None:
    """A Host header not in TRUSTED_HOSTS: Flask made no URL adapter for the request, and its
    ``request.host`` raises. The 400 page is built as if asked of the public URL's host (or
    the first trusted one), so that it renders like any error page and never names the host
    that was sent."""
    from flask.globals import request_ctx

    public = app.config.get("PUBLIC_URL")
    trusted = app.config.get("TRUSTED_HOSTS") or ["localhost"]
    host = urlsplit(public).netloc if public else trusted[0].lstrip(".")
    asked = request_ctx.request
    asked.host = host
    request_ctx.url_adapter = app.url_map.bind(
        host, script_name=asked.root_path or None, url_scheme=asked.scheme
    )


# Pages of deputies and staff; every other page belongs to the public site.
STAFF_PATHS = ("/desk", "/tablet", "/hall", "/login", "/logout", "/start")


def register(app, *, login_endpoints: tuple[str, ...] = ()) -> None:
    """Install handlers that turn every failure into a clean JSON or HTML answer.
    ``login_endpoints``: where a 429 means too many refused logins (auth.limits)."""
    from flask import g, render_template, request
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout
    from werkzeug.exceptions import HTTPException, MethodNotAllowed, SecurityError

    def wants_json() -> bool:
        return request.path.startswith("/api/") or request.path.endswith(".json")

    def answer(err: DomainError):
        # Whatever failed, the session's transaction is over: roll back before rendering, so
        # the page (which reads the current user) does not touch a failed transaction.
        db.session.rollback()
        if wants_json():
            return err.to_json(), err.status
        if request.path.startswith(STAFF_PATHS):
            return render_template("error.html", error=err), err.status
        # The public site's own 404 and 500 pages, in its style and the visitor's language.
        return render_template("error_site.html", error=err), err.status

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        retry_after = getattr(err, "retry_after", None)
        if retry_after is None:
            return answer(err)
        response = app.make_response(answer(err))
        response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        code = {
            400: "bad_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            429: "rate_limited",
        }.get(err.code or 500, "bad_request")
        if isinstance(err, CSRFError):
            code = "form_expired"
        if isinstance(err, SecurityError):  # a Host header not in TRUSTED_HOSTS
            _as_trusted_host(app)
        if err.code == 429 and request.endpoint in login_endpoints:
            code = "login_rate_limited"
        wrapped = DomainError(code)
        wrapped.status = err.code or 400
        response = answer(wrapped)
        if err.code == 429:
            response = app.make_response(response)
            response.headers.setdefault("Retry-After", "60")
        if isinstance(err, MethodNotAllowed) and err.valid_methods:
            # RFC 9110: a 405 says which methods the resource has.
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(sorted(err.valid_methods))
        return response

    @app.errorhandler(IntegrityError)
    def integrity_error(err: IntegrityError):
        # Two requests raced for the same row (a double scan, a double click): one won.
        log.info("integrity conflict: %s", type(err.orig).__name__)
        return answer(Conflict("conflict"))

    @app.errorhandler(DataError)
    def bad_value(err: DataError):
        # A value the database refuses (a number beyond its integers, a NUL character in a
        # text): bad input, not an outage. The checks before the database should catch these.
        log.warning("value refused by the database: %s", type(err.orig).__name__)
        return answer(BadRequest("bad_request"))

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_down(err: Exception):
        # One line an operator can grep, naming the driver's reason (AdminShutdown,
        # ConnectionTimeout, …, or the process's pool having no connection free in time:
        # TimeoutError); never the statement or its values.
        reason = type(getattr(err, "orig", None) or err).__name__
        log.warning("database unavailable (%s) on %s %s", reason, request.method, request.path)
        # The page must not ask the database who is logged in (it is down, and the rollback
        # expired the user loaded before): it renders as for a visitor.
        g._login_user = login_manager.anonymous_user()
        busy = Unavailable("unavailable")
        # A moment's wait, a little different for each client: a hall of tablets turned
        # away together must not come back together.
        busy.retry_after = random.randint(2, 8)
        return domain_error(busy)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        wrapped = DomainError("internal")
        wrapped.status = 500
        return answer(wrapped)
