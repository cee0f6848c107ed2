"""The stations' desk page of figures, for a station or a jurisdiction and a period."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from votesys.auth.views import roles_required
from votesys.congress import services as congress
from votesys.congress.models import Jurisdiction
from votesys.extensions import db
from votesys.stations.blueprint import STAFF, bp, jurisdiction_choices
from votesys.stations.figures import stats
from votesys.stations.models import Station


@bp.get("/figures")
@roles_required(*STAFF)
def figures():
    start = _arg_date("from")
    end = _arg_date("to")
    if current_user.role == "station_staff":
        scope = {"station_ids": [current_user.station_id]}
        title = current_user.station.name
        node = None
    else:
        code = request.args.get("jurisdiction") or (
            current_user.jurisdiction.code if current_user.jurisdiction else ""
        )
        node = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code[:32]))
        if node is None:
            node = db.session.scalar(
                select(Jurisdiction)
                .where(Jurisdiction.parent_id.is_(None))
                .order_by(Jurisdiction.id)
            )
        if node is None:
            return render_template(
                "stations/desk_figures.html",
                figures=None,
                rows=[],
                title="",
                choices=[],
                node=None,
                start=start,
                end=end,
            )
        congress.ensure_manages(current_user, node)
        scope = {"jurisdiction_ids": congress.subtree_ids(node.id)}
        title = node.name
    figures = stats(start=start, end=end, **scope)
    per_station = [
        (st, stats(station_ids=[st.id], start=start, end=end)) for st in _stations_in(scope)
    ]
    return render_template(
        "stations/desk_figures.html",
        figures=figures,
        rows=per_station,
        title=title,
        choices=jurisdiction_choices() if node is not None else [],
        node=node,
        start=start,
        end=end,
    )


def _stations_in(scope: dict) -> list[Station]:
    query = select(Station).order_by(Station.id)
    if "station_ids" in scope:
        query = query.where(Station.id.in_(scope["station_ids"]))
    else:
        query = query.where(Station.jurisdiction_id.in_(scope["jurisdiction_ids"]))
    return list(db.session.scalars(query.limit(200)))


def _arg_date(name: str) -> date | None:
    raw = request.args.get(name, "")
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None
