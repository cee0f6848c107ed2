"""The deputy's own desk page: upcoming duties and their record (一人一档)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from votesys.auth.views import roles_required
from votesys.stations.blueprint import bp
from votesys.stations.figures import deputy_record
from votesys.stations.publicity import stations_of
from votesys.stations.receptions import upcoming_duties


@bp.get("/me")
@roles_required("deputy")
def me():
    record = deputy_record(current_user)
    return render_template(
        "stations/deputy_me.html",
        record=record,
        duties=upcoming_duties(current_user),
        poster_stations=stations_of(current_user),
    )
