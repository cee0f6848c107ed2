"""Public pages of the stations: directory, the opinion form, and tracking by code."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from votesys.categories import CATEGORY_LABELS
from votesys.errors import DomainError, InvalidInput
from votesys.extensions import db, limiter
from votesys.form_errors import describe, flash_errors
from votesys.models_base import MAX_ID
from votesys.public_cache import public_cached
from votesys.stations import directory as places
from votesys.stations import (
    intake,
    labels,
    lifetime,
    permissions,
    present,
    publicity,
    receptions,
    rules,
    steps,
)
from votesys.stations.forms import FeedbackForm, OpinionForm, TrackForm

bp = Blueprint("public_stations", __name__)


@bp.app_context_processor
def _labels() -> dict:
    return {
        "step_labels": labels.STEP_LABELS,
        "category_labels": CATEGORY_LABELS,
        "route_labels": labels.ROUTE_LABELS,
        "feedback_labels": labels.FEEDBACK_LABELS,
        "kind_labels": labels.KIND_LABELS,
        "source_labels": labels.SOURCE_LABELS,
        "format_code": rules.format_tracking_code,
    }


def _opinion_limit() -> str:
    return current_app.config["OPINION_RATE_LIMIT"]


@bp.get("/stations")
@public_cached
def directory():
    shown = places.directory(request.args.get("jurisdiction"))
    counts = receptions.station_deputy_counts([s.id for _, items in shown.groups for s in items])
    return render_template("stations/public_directory.html", shown=shown, counts=counts)


@bp.get("/stations/<int:station_id>")
@public_cached
def station(station_id: int):
    detail = present.station_detail(permissions.get_station(station_id))
    return render_template("stations/public_station.html", station=detail)


@bp.route("/opinions/new", methods=["GET", "POST"])
@limiter.shared_limit(_opinion_limit, scope="opinions", methods=["POST"])
def new_opinion():
    form = OpinionForm()
    groups, narrow = _form_stations(request.values.get("station", ""))
    form.station.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(s.id), f"{name} · {s.name}") for name, items in groups for s in items
    ]
    if request.method == "GET" and rules.digits(request.args.get("station", "")):
        form.station.data = request.args["station"]
    addressed = publicity.addressed_on_form(request.values)  # 代表码: locked to the deputy
    if form.validate_on_submit():
        try:
            opinion = intake.submit_online(
                {name: form[name].data for name in intake.OPINION_FIELDS}
                | {"station": form.station.data or None, "deputy": request.form.get("deputy")},
                photos=publicity.uploads(form.photos.data),
            )
        except InvalidInput as err:
            db.session.rollback()
            form.attach(err)
        else:
            return redirect(url_for(".track", code=opinion.tracking_code, new=1))
    status = 422 if form.errors else 200
    return render_template(
        "stations/public_opinion_form.html", form=form, addressed=addressed, narrow=narrow
    ), status


# A form may list every station of a city (hundreds); a province has thousands (a page of
# 340 KB, and 130 ms of a submission's 179 spent listing them): there the form lists the
# stations of the chosen station's jurisdiction, chosen from the directory or a QR poster.
def _form_stations(chosen: str) -> tuple[list[tuple[str, list]], bool]:
    """The stations the opinion form offers, and whether the citizen must first find theirs
    in the directory (many stations, none chosen)."""
    if not places.many_stations():
        return places.grouped_stations(), False
    if not (rules.digits(chosen) and int(chosen) <= MAX_ID):
        return [], True
    return places.grouped_stations(near=int(chosen)), False


@bp.get("/track")
def track_form():
    form = TrackForm(request.args)
    error = None
    if form.code.data:
        code = rules.normalise_tracking_code(form.code.data)
        if code:
            return redirect(url_for(".track", code=code))
        error = _("A tracking code has 13 letters and digits, like 7K3M-Q9XR2-TB4H.")
    return render_template("stations/public_track_form.html", form=form, error=error), (
        422 if error else 200
    )


@bp.get("/track/<code>")
def track(code: str):
    try:
        opinion = present.opinion_by_code(code)
    except DomainError:
        form = TrackForm(code=code[:64])
        error = _("No opinion has this tracking code. Please check it and try again.")
        return render_template("stations/public_track_form.html", form=form, error=error), 404
    return render_template(
        "stations/public_track.html",
        data=present.tracking_dict(opinion),
        code=opinion.tracking_code,
        new=request.args.get("new") == "1",
        form=FeedbackForm(),
        contact=lifetime.contact_state(opinion),
    )


@bp.post("/track/<code>/feedback")
@limiter.limit(_opinion_limit)
def feedback(code: str):
    opinion = present.opinion_by_code(code)
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash_errors(form, flash)
        return redirect(url_for(".track", code=opinion.tracking_code))
    try:
        steps.record_feedback(
            opinion, form.feedback.data, note=form.note.data or "", actor="citizen"
        )
    except DomainError as err:
        db.session.rollback()
        flash(describe(err, form), "error")
    else:
        flash(_("Thank you: your feedback has been recorded."), "ok")
    return redirect(url_for(".track", code=opinion.tracking_code))
