"""Posters with a QR code (代表码, 联络站码): every station's, and every stationed deputy's,
an A4 page to print; the code opens the opinion form for that station, or addressed to that
deputy there (the form locked to them). /desk/posters lists them all."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from votesys.auth.views import roles_required
from votesys.errors import Forbidden, NotFound
from votesys.extensions import db
from votesys.public_cache import public_url_for
from votesys.qr import qr_svg
from votesys.stations import permissions, receptions
from votesys.stations.blueprint import STAFF, bp, station_or_404
from votesys.stations.models import Station, StationDeputy


def station_url(station: Station) -> str:
    """Where a station's poster leads: the opinion form for it, on the public URL."""
    return public_url_for("public_stations.new_opinion", station=station.id)


def deputy_url(station: Station, deputy_id: int) -> str:
    """Where a deputy's poster leads: the form addressed to them at that station."""
    return public_url_for("public_stations.new_opinion", station=station.id, deputy=deputy_id)


@bp.get("/posters")
@roles_required(*STAFF)
def posters():
    items = permissions.managed_stations(current_user)
    deputies = {s.id: receptions.station_deputies(s) for s in items}
    return render_template("stations/desk_posters.html", stations=items, deputies=deputies)


@bp.get("/stations/<int:station_id>/poster")
@roles_required(*STAFF)
def station_poster(station_id: int):
    station = station_or_404(station_id)
    url = station_url(station)
    return render_template(
        "stations/poster.html", station=station, deputy=None, url=url, qr=qr_svg(url)
    )


@bp.get("/stations/<int:station_id>/deputies/<int:deputy_id>/poster")
@roles_required(*STAFF, "deputy")
def deputy_poster(station_id: int, deputy_id: int):
    """A stationed deputy's poster: for the station's staff and organisers, and the deputy."""
    station = permissions.get_station(station_id)
    if current_user.role == "deputy":
        if current_user.id != deputy_id:
            raise Forbidden("forbidden")
    else:
        permissions.ensure_manages_station(current_user, station)
    link = db.session.get(StationDeputy, (station.id, deputy_id))
    if link is None:
        raise NotFound("not_found")
    url = deputy_url(station, deputy_id)
    return render_template(
        "stations/poster.html", station=station, deputy=link.deputy, url=url, qr=qr_svg(url)
    )
