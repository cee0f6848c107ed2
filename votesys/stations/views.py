"""The stations' desk pages for the stations: set-up, stationed deputies, reception days."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from votesys.auth.views import roles_required
from votesys.congress import services as congress
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.form_errors import flash_errors
from votesys.formats import paren
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
from votesys.stations.forms import ReceptionForm, StationForm, days_of_month
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
    form.jurisdiction.choices = jurisdiction_choices()
    if not form.validate_on_submit():
        flash_errors(form, flash)
        return back(".stations")
    try:
        node = congress.jurisdiction_by_code(form.jurisdiction.data or "")
        congress.ensure_manages(current_user, node)
        station = receptions.create_station(
            node,
            form.name.data,
            form.kind.data,
            address=form.address.data,
            opening_hours=form.opening_hours.data,
            contact=form.contact.data,
            reception_days=days_of_month(form.reception_days.data or "") or [],
        )
    except DomainError as err:
        fail(err, form)
        return back(".stations")
    flash(_("Station created."), "ok")
    return back(".station", station_id=station.id)


@bp.get("/stations/<int:station_id>")
@roles_required(*STAFF)
def station(station_id: int):
    st = station_or_404(station_id)
    deputies = receptions.station_deputies(st)
    reception_days = receptions.receptions(st, published_only=False)
    form = ReceptionForm()
    form.deputies.choices = _deputy_choices(st, deputies)
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


def _deputy_choices(st, deputies=None) -> list[SelectChoice]:
    deputies = receptions.station_deputies(st) if deputies is None else deputies
    return [SelectChoice(d.code, d.name + paren(d.code)) for d in deputies]


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
        fail(err, names={"deputy": _l("Deputy code"), "code": _l("Deputy code")})
    return back(".station", station_id=st.id)


@bp.post("/stations/<int:station_id>/receptions")
@roles_required(*STAFF)
def create_reception(station_id: int):
    st = station_or_404(station_id)
    form = ReceptionForm()
    form.deputies.choices = _deputy_choices(st)
    if not form.validate_on_submit():
        flash_errors(form, flash)
        return back(".station", station_id=st.id)
    try:
        receptions.create_reception(
            st,
            form.date.data,
            form.deputies.data or [],
            hours=form.hours.data,
            topic=form.topic.data,
        )
    except DomainError as err:
        fail(err, form)
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
