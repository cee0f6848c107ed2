"""The stations' desk pages for the stations: set-up, stationed deputies, reception days."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from votesys.auth.views import roles_required
from votesys.congress import services as congress
from votesys.errors import DomainError, invalid
from votesys.extensions import db
from votesys.stations import common, permissions, receptions, rules
from votesys.stations.blueprint import (
    ORGANISERS,
    STAFF,
    back,
    bp,
    fail,
    jurisdiction_choices,
    station_or_404,
)
from votesys.stations.figures import stats
from votesys.stations.forms import ReceptionForm, StationForm
from votesys.stations.models import Reception


@bp.get("/stations")
@roles_required(*STAFF)
def stations():
    if current_user.role == "station_staff":
        return back(".station", station_id=current_user.station_id)
    items = permissions.managed_stations(current_user)
    form = StationForm()
    form.jurisdiction.choices = jurisdiction_choices()
    counts = receptions.station_deputy_counts([s.id for s in items])
    return render_template("stations/desk_stations.html", stations=items, form=form, counts=counts)


@bp.post("/stations")
@roles_required(*ORGANISERS)
def create_station():
    form = StationForm()
    try:
        node = congress.jurisdiction_by_code(form.jurisdiction.data or "")
        congress.ensure_manages(current_user, node)
        days = _days(form.reception_days.data or "")
        station = receptions.create_station(
            node,
            form.name.data,
            form.kind.data,
            address=form.address.data,
            opening_hours=form.opening_hours.data,
            contact=form.contact.data,
            reception_days=days,
        )
    except DomainError as err:
        fail(err)
        return back(".stations")
    flash(_("Station created."), "ok")
    return back(".station", station_id=station.id)


def _days(text: str) -> list[int]:
    parts = [
        p for p in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p
    ]
    if not all(rules.digits(p) and len(p) <= 2 for p in parts):
        raise invalid("reception_days", _("days of the month, e.g. 10, 20, 30"))
    return [int(p) for p in parts]


@bp.get("/stations/<int:station_id>")
@roles_required(*STAFF)
def station(station_id: int):
    st = station_or_404(station_id)
    deputies = receptions.station_deputies(st)
    reception_days = receptions.receptions(st, published_only=False)
    form = ReceptionForm()
    form.deputies.choices = [SelectChoice(d.code, f"{d.name} ({d.code})") for d in deputies]
    today = common.today()
    return render_template(
        "stations/desk_station.html",
        station=st,
        deputies=deputies,
        receptions=reception_days,
        duties=receptions.duty_deputies([r.id for r in reception_days]),
        form=form,
        today=today,
        deadline=rules.publish_deadline,
        figures=stats(station_ids=[st.id]),
    )


@bp.post("/stations/<int:station_id>/deputies")
@roles_required(*STAFF)
def station_deputies(station_id: int):
    st = station_or_404(station_id)
    code = request.form.get("code", "")
    try:
        if request.form.get("remove"):
            receptions.remove_station_deputy(st, code)
        else:
            receptions.add_station_deputy(st, code)
    except DomainError as err:
        fail(err)
    return back(".station", station_id=st.id)


@bp.post("/stations/<int:station_id>/receptions")
@roles_required(*STAFF)
def create_reception(station_id: int):
    st = station_or_404(station_id)
    form = ReceptionForm()
    try:
        if form.date.data is None:
            raise invalid("date", _("a date as YYYY-MM-DD"))
        receptions.create_reception(
            st,
            form.date.data,
            form.deputies.data or [],
            hours=form.hours.data,
            topic=form.topic.data,
        )
    except DomainError as err:
        fail(err)
    else:
        flash(_("Reception day added. Publish it at least three days ahead."), "ok")
    return back(".station", station_id=st.id)


@bp.post("/receptions/<int:reception_id>/publish")
@roles_required(*STAFF)
def publish_reception(reception_id: int):
    reception = db.session.get(Reception, reception_id)
    if reception is None:
        abort(404)
    station_or_404(reception.station_id)
    try:
        receptions.publish_reception(reception)
    except DomainError as err:
        fail(err)
    else:
        flash(_("Reception day published."), "ok")
    return back(".station", station_id=reception.station_id)
