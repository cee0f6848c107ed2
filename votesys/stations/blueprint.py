"""The stations' desk blueprint and what its pages share: roles, scope, redirects, failures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from votesys.congress import services as congress
from votesys.congress.models import Jurisdiction
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.form_errors import describe
from votesys.formats import paren
from votesys.stations import permissions
from votesys.stations.models import Station

bp = Blueprint("stations", __name__, url_prefix="/desk")
STAFF = ("station_staff", "organiser", "admin")
ORGANISERS = ("organiser", "admin")


def station_or_404(station_id: int) -> Station:
    station = permissions.get_station(station_id)
    permissions.ensure_manages_station(current_user, station)
    return station


def back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values))


def fail(err: DomainError, form: Any = None, names: Mapping[str, Any] | None = None) -> None:
    """Nothing is stored; say why in a flash, an invalid field named by its label (the
    form's, or ``names``'), never by its internal name."""
    db.session.rollback()
    flash(describe(err, form, names), "error")


def jurisdiction_choices() -> list[tuple[str, str]]:
    nodes = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)).all()
    return [
        SelectChoice(n.code, n.name + paren(n.code))
        for n in nodes
        if congress.manages(current_user, n)
    ]
