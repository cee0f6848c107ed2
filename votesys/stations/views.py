"""The stations' desk: stations, reception days, opinions and their steps, figures, exports;
and the deputy's own page (duties and 一人一档)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from votesys.auth.views import roles_required
from votesys.categories import Category
from votesys.congress import services as congress
from votesys.congress.models import Congress, CongressSession, Deputy, Jurisdiction
from votesys.errors import DomainError, invalid
from votesys.extensions import db
from votesys.stations import export, rules, services
from votesys.stations.forms import MoveForm, ReceptionForm, ReceptionOpinionForm, StationForm
from votesys.stations.models import Opinion, Reception, Route, Source, Station, Step

bp = Blueprint("stations", __name__, url_prefix="/desk")
STAFF = ("station_staff", "organiser", "admin")
ORGANISERS = ("organiser", "admin")
PAGE = 50


def _station(station_id: int) -> Station:
    station = services.get_station(station_id)
    services.ensure_manages_station(current_user, station)
    return station


def _opinion(opinion_id: int) -> Opinion:
    opinion = services.get_opinion(opinion_id)
    services.ensure_may_handle(current_user, opinion)
    return opinion


def _back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values))


def _fail(err: DomainError) -> None:
    db.session.rollback()
    flash(err.message, "error")


# --- stations --------------------------------------------------------------------------------


@bp.get("/stations")
@roles_required(*STAFF)
def stations():
    if current_user.role == "station_staff":
        return _back(".station", station_id=current_user.station_id)
    items = services.managed_stations(current_user)
    form = StationForm()
    form.jurisdiction.choices = _jurisdiction_choices()
    counts = services.station_deputy_counts([s.id for s in items])
    return render_template("stations/desk_stations.html", stations=items, form=form, counts=counts)


def _jurisdiction_choices() -> list[tuple[str, str]]:
    nodes = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)).all()
    return [
        SelectChoice(n.code, f"{n.name} ({n.code})")
        for n in nodes
        if congress.manages(current_user, n)
    ]


@bp.post("/stations")
@roles_required(*ORGANISERS)
def create_station():
    form = StationForm()
    try:
        node = congress.jurisdiction_by_code(form.jurisdiction.data or "")
        congress.ensure_manages(current_user, node)
        days = _days(form.reception_days.data or "")
        station = services.create_station(
            node,
            form.name.data,
            form.kind.data,
            address=form.address.data,
            opening_hours=form.opening_hours.data,
            contact=form.contact.data,
            reception_days=days,
        )
    except DomainError as err:
        _fail(err)
        return _back(".stations")
    flash(_("Station created."), "ok")
    return _back(".station", station_id=station.id)


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
    st = _station(station_id)
    deputies = services.station_deputies(st)
    receptions = services.receptions(st, published_only=False)
    form = ReceptionForm()
    form.deputies.choices = [SelectChoice(d.code, f"{d.name} ({d.code})") for d in deputies]
    today = services.today()
    return render_template(
        "stations/desk_station.html",
        station=st,
        deputies=deputies,
        receptions=receptions,
        duties=services.duty_deputies([r.id for r in receptions]),
        form=form,
        today=today,
        deadline=rules.publish_deadline,
        figures=services.stats(station_ids=[st.id]),
    )


@bp.post("/stations/<int:station_id>/deputies")
@roles_required(*STAFF)
def station_deputies(station_id: int):
    st = _station(station_id)
    code = request.form.get("code", "")
    try:
        if request.form.get("remove"):
            services.remove_station_deputy(st, code)
        else:
            services.add_station_deputy(st, code)
    except DomainError as err:
        _fail(err)
    return _back(".station", station_id=st.id)


@bp.post("/stations/<int:station_id>/receptions")
@roles_required(*STAFF)
def create_reception(station_id: int):
    st = _station(station_id)
    form = ReceptionForm()
    try:
        if form.date.data is None:
            raise invalid("date", _("a date as YYYY-MM-DD"))
        services.create_reception(
            st,
            form.date.data,
            form.deputies.data or [],
            hours=form.hours.data,
            topic=form.topic.data,
        )
    except DomainError as err:
        _fail(err)
    else:
        flash(_("Reception day added. Publish it at least three days ahead."), "ok")
    return _back(".station", station_id=st.id)


@bp.post("/receptions/<int:reception_id>/publish")
@roles_required(*STAFF)
def publish_reception(reception_id: int):
    reception = db.session.get(Reception, reception_id)
    if reception is None:
        abort(404)
    _station(reception.station_id)
    try:
        services.publish_reception(reception)
    except DomainError as err:
        _fail(err)
    else:
        flash(_("Reception day published."), "ok")
    return _back(".station", station_id=reception.station_id)


# --- opinions --------------------------------------------------------------------------------


def _filtered_opinions():
    """The opinions this user may handle, filtered by the query string."""
    query = select(Opinion)
    if current_user.role == "station_staff":
        query = query.where(Opinion.station_id == current_user.station_id)
    elif current_user.jurisdiction_id is not None:
        query = query.where(
            Opinion.jurisdiction_id.in_(congress.subtree_ids(current_user.jurisdiction_id))
        )
    args = request.args
    if rules.digits(args.get("station", "")):
        query = query.where(Opinion.station_id == int(args["station"]))
    if args.get("status") in tuple(Step):
        query = query.where(Opinion.status == args["status"])
    if args.get("category") in Category.__members__.values():
        query = query.where(Opinion.category == args["category"])
    if args.get("overdue") == "1":
        query = query.where(
            Opinion.status.in_(services.OPEN_STEPS), Opinion.due_on < services.today()
        )
    if text := args.get("q", "").strip()[:100]:
        query = query.where(Opinion.title.contains(text) | Opinion.content.contains(text))
    return query


@bp.get("/opinions")
@roles_required(*STAFF)
def opinions():
    query = _filtered_opinions()
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(
        1,
        min(
            int(request.args.get("page", "1") or 1)
            if rules.digits(request.args.get("page", "1"))
            else 1,
            10**6,
        ),
    )
    rows = db.session.scalars(
        query.order_by(Opinion.received_on.desc(), Opinion.id.desc())
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    sessions = _sessions_for_merge()
    return render_template(
        "stations/desk_opinions.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        stations=services.managed_stations(current_user),
        sessions=sessions,
        today=services.today(),
        is_overdue=services.is_overdue,
        args=request.args,
    )


def _sessions_for_merge() -> list[CongressSession]:
    if current_user.role == "station_staff":
        return []
    rows = db.session.scalars(
        select(CongressSession).join(Congress).order_by(CongressSession.date.desc())
    ).all()
    return [s for s in rows if congress.manages(current_user, s.congress.jurisdiction)]


@bp.get("/opinions/export.<fmt>")
@roles_required(*STAFF)
def export_opinions(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows = db.session.scalars(_filtered_opinions().order_by(Opinion.received_on, Opinion.id)).all()
    body, mimetype = export.opinions(rows, fmt, on=services.today())
    name = f"opinions-{services.today().isoformat()}.{fmt}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@bp.post("/opinions/merge")
@roles_required(*STAFF)
def merge():
    ids = [int(i) for i in request.form.getlist("opinion") if rules.digits(i) and len(i) < 19]
    try:
        if request.form.get("into") == "reserve":
            item = services.merge_into_reserve(
                ids, current_user, title=request.form.get("title", "")
            )
            flash(_("Added to the reserve pool: %(title)s", title=item.title), "ok")
        else:
            sid = request.form.get("session", "")
            if not rules.digits(sid):
                raise invalid("session", _("choose the session the candidate goes before"))
            candidate = services.merge_into_candidate(
                ids,
                current_user,
                session=services.get_congress_session(int(sid)),
                title=request.form.get("title", ""),
                responsible_unit=request.form.get("responsible_unit", ""),
            )
            flash(_("Candidate project created: %(title)s", title=candidate.title), "ok")
    except DomainError as err:
        _fail(err)
    return _back(".opinions")


@bp.route("/stations/<int:station_id>/opinions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def register_opinion(station_id: int):
    st = _station(station_id)
    form = ReceptionOpinionForm()
    deputies = services.station_deputies(st)
    form.deputies.choices = [SelectChoice(d.code, f"{d.name} ({d.code})") for d in deputies]
    form.station.choices = [SelectChoice(str(st.id), st.name)]
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            fields = services.check_opinion(
                {name: form[name].data for name in services.OPINION_FIELDS}
            )
            present = [d for d in deputies if d.code in (form.deputies.data or [])]
            when = form.received_on.data or services.today()
            if when > services.today():
                raise invalid("received_on", _("not in the future"))
            opinion = services.create_opinion(
                fields,
                source=Source.RECEPTION,
                jurisdiction=st.jurisdiction,
                station=st,
                deputies=present,
                received_on=when,
            )
        except DomainError as err:
            db.session.rollback()
            errors[str(err.params.get("field", ""))] = err.message
        else:
            flash(_("Opinion registered."), "ok")
            return _back(".opinion", opinion_id=opinion.id)
    return render_template("stations/desk_register.html", form=form, station=st, errors=errors), (
        422 if errors else 200
    )


@bp.get("/opinions/<int:opinion_id>")
@roles_required(*STAFF)
def opinion(opinion_id: int):
    op = _opinion(opinion_id)
    form = MoveForm()
    targets = [
        t
        for t in Step
        if rules.move_allowed(op.status, t, route=op.route, feedback=op.feedback)
        or (op.status == Step.REGISTERED and t == Step.HANDLING)
    ]
    if op.status == Step.HANDLING and op.route is None:
        targets = [Step.SUPERVISED]
    form.to.choices = [SelectChoice(t.value, services._step_label(t)) for t in targets]
    deputies = db.session.execute(
        select(services.OpinionDeputy.role, Deputy)
        .join(Deputy, Deputy.id == services.OpinionDeputy.deputy_id)
        .where(services.OpinionDeputy.opinion_id == op.id)
    ).all()
    return render_template(
        "stations/desk_opinion.html",
        op=op,
        form=form,
        citizen=services.personal_data(op, current_user),
        overdue=services.is_overdue(op),
        deputies=deputies,
        Route=Route,
    )


@bp.post("/opinions/<int:opinion_id>/move")
@roles_required(*STAFF)
def move(opinion_id: int):
    op = _opinion(opinion_id)
    form = MoveForm()
    try:
        if form.to.data == Step.FEEDBACK:
            services.record_feedback(
                op,
                form.feedback.data or None,
                note=form.note.data or "",
                actor=f"user:{current_user.login}",
            )
        else:
            services.move(
                op,
                form.to.data or "",
                note=form.note.data or "",
                route=form.route.data or None,
                unit=form.unit.data or "",
                due=form.due.data,
                signers=[c for c in (form.signers.data or "").replace("，", ",").split(",")],
                reason=form.reason.data or "",
            )
    except DomainError as err:
        _fail(err)
    else:
        flash(_("Moved to: %(step)s", step=services._step_label(op.status)), "ok")
    return _back(".opinion", opinion_id=op.id)


# --- figures ---------------------------------------------------------------------------------


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
    figures = services.stats(start=start, end=end, **scope)
    per_station = [
        (st, services.stats(station_ids=[st.id], start=start, end=end))
        for st in _stations_in(scope)
    ]
    return render_template(
        "stations/desk_figures.html",
        figures=figures,
        rows=per_station,
        title=title,
        choices=_jurisdiction_choices() if node is not None else [],
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


# --- the deputy's own page -------------------------------------------------------------------


@bp.get("/me")
@roles_required("deputy")
def me():
    record = services.deputy_record(current_user)
    return render_template(
        "stations/deputy_me.html",
        record=record,
        duties=services.upcoming_duties(current_user),
    )
