"""The stations' desk pages for opinions: the list, export, merging, registering, the steps."""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from votesys.auth.views import roles_required
from votesys.categories import Category
from votesys.congress import services as congress
from votesys.congress.models import Congress, CongressSession, Deputy
from votesys.errors import DomainError, invalid
from votesys.extensions import db
from votesys.form_errors import flash_errors, label_of, labelled
from votesys.formats import paren
from votesys.stations import (
    adoption,
    common,
    downloads,
    intake,
    permissions,
    publicity,
    receptions,
    rules,
    steps,
)
from votesys.stations.blueprint import STAFF, back, bp, fail, station_or_404
from votesys.stations.forms import MoveForm, ReceptionOpinionForm
from votesys.stations.models import Opinion, OpinionDeputy, Route, Source, Step

PAGE = 50


def _opinion(opinion_id: int) -> Opinion:
    opinion = permissions.get_opinion(opinion_id)
    permissions.ensure_may_handle(current_user, opinion)
    return opinion


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
        query = query.where(Opinion.status.in_(steps.OPEN_STEPS), Opinion.due_on < common.today())
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
    # 附议: most supported first on request (an indication of interest, not a vote)
    by_support = (
        (publicity.support_count_column().desc(),) if request.args.get("sort") == "support" else ()
    )
    rows = db.session.scalars(
        query.order_by(*by_support, Opinion.received_on.desc(), Opinion.id.desc())
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
        stations=permissions.managed_stations(current_user),
        sessions=sessions,
        today=common.today(),
        is_overdue=steps.is_overdue,
        args=request.args,
        supports=publicity.support_counts([o.id for o in rows]),
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
    body, mimetype = downloads.opinions(rows, fmt, on=common.today())
    name = f"opinions-{common.today().isoformat()}.{fmt}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@bp.post("/opinions/merge")
@roles_required(*STAFF)
def merge():
    ids = [int(i) for i in request.form.getlist("opinion") if rules.digits(i) and len(i) < 19]
    try:
        if request.form.get("into") == "reserve":
            item = adoption.merge_into_reserve(
                ids, current_user, title=request.form.get("title", "")
            )
            flash(_("Added to the reserve pool: %(title)s", title=item.title), "ok")
        else:
            sid = request.form.get("session", "")
            if not rules.digits(sid):
                raise invalid("session", _("choose the session the candidate goes before"))
            candidate = adoption.merge_into_candidate(
                ids,
                current_user,
                session=permissions.get_congress_session(int(sid)),
                title=request.form.get("title", ""),
                responsible_unit=request.form.get("responsible_unit", ""),
            )
            flash(_("Candidate project created: %(title)s", title=candidate.title), "ok")
    except DomainError as err:
        fail(err, names=MERGE_NAMES)
    return back(".opinions")


# The merge form's fields (desk_opinions.html), by the names the services give them.
MERGE_NAMES = {
    "opinions": _l("Opinions"),
    "session": _l("Session"),
    "title": _l("Subject"),
    "summary": _l("Summary"),
    "responsible_unit": _l("Responsible unit"),
    "candidate": _l("Candidate project"),
}


@bp.route("/stations/<int:station_id>/opinions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def register_opinion(station_id: int):
    st = station_or_404(station_id)
    form = ReceptionOpinionForm()
    deputies = receptions.station_deputies(st)
    form.deputies.choices = [SelectChoice(d.code, d.name + paren(d.code)) for d in deputies]
    if request.method == "POST" and _checked(form):
        try:
            fields = intake.check_opinion({name: form[name].data for name in intake.OPINION_FIELDS})
            opinion = intake.create_opinion(
                fields,
                source=Source.RECEPTION,
                jurisdiction=st.jurisdiction,
                station=st,
                deputies=[d for d in deputies if d.code in (form.deputies.data or [])],
                received_on=form.received_on.data or common.today(),
            )
        except DomainError as err:
            db.session.rollback()
            form.attach(err)
        else:
            flash(_("Opinion registered."), "ok")
            return back(".opinion", opinion_id=opinion.id)
    return render_template("stations/desk_register.html", form=form, station=st), (
        422 if form.errors else 200
    )


def _checked(form: ReceptionOpinionForm) -> bool:
    """Every field checked at once, and the day received not after today."""
    valid = form.validate_on_submit()
    when = form.received_on.data
    if when is not None and when > common.today():
        form.received_on.errors = [
            *form.received_on.errors,
            labelled(label_of(form, form.received_on), _("not in the future")),
        ]
        valid = False
    return valid


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
    form.to.choices = [SelectChoice(t.value, steps.step_label(t)) for t in targets]
    deputies = db.session.execute(
        select(OpinionDeputy.role, Deputy)
        .join(Deputy, Deputy.id == OpinionDeputy.deputy_id)
        .where(OpinionDeputy.opinion_id == op.id)
    ).all()
    return render_template(
        "stations/desk_opinion.html",
        op=op,
        form=form,
        citizen=intake.personal_data(op, current_user),
        overdue=steps.is_overdue(op),
        history=steps.history(op),
        deputies=deputies,
        Route=Route,
        publicity=publicity.desk_state(op),
    )


@bp.post("/opinions/<int:opinion_id>/move")
@roles_required(*STAFF)
def move(opinion_id: int):
    op = _opinion(opinion_id)
    form = MoveForm()
    form.to.choices = [SelectChoice(t.value, steps.step_label(t)) for t in Step]
    if not form.validate_on_submit():
        flash_errors(form, flash)
        return back(".opinion", opinion_id=op.id)
    try:
        if form.to.data == Step.FEEDBACK:
            steps.record_feedback(
                op,
                form.feedback.data or None,
                note=form.note.data or "",
                actor=f"user:{current_user.login}",
            )
        else:
            steps.move(
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
        fail(err, form)
    else:
        flash(_("Moved to: %(step)s", step=steps.step_label(op.status)), "ok")
    return back(".opinion", opinion_id=op.id)
