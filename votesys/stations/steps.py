"""The seven steps of an opinion: moves, handing on, due dates, feedback, overdue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from votesys import clock, fields
from votesys.auth.models import User
from votesys.congress.models import Deputy
from votesys.errors import InvalidInput, invalid
from votesys.extensions import db
from votesys.integrity.services import current_actor
from votesys.stations import notify, rules
from votesys.stations.common import today
from votesys.stations.labels import STEP_LABELS
from votesys.stations.models import Feedback, Opinion, OpinionDeputy, OpinionStep, Route, Step

OPEN_STEPS = (Step.HANDLING, Step.SUPERVISED)
DEFAULT_DUE = {
    Route.TOWNSHIP_ORDINARY: {"days": 15},
    Route.TOWNSHIP_MAJOR: {"days": 30},
    Route.COUNTY_OR_ABOVE: {"months": 3},
}


def move(
    opinion: Opinion,
    target: str,
    *,
    note: str = "",
    route: str | None = None,
    unit: str = "",
    due: date | None = None,
    signers: Iterable[str] = (),
    reason: str = "",
    feedback: str | None = None,
    actor: str | None = None,
    on: date | None = None,
) -> Opinion:
    """Move an opinion one step, with what that step needs; refuse any other move."""
    on = on or today()
    note = fields.text(note, "note", rules.MAX_NOTE, required=False)
    if target not in tuple(Step):
        raise invalid("to", _l("one of: %(keys)s", keys=", ".join(Step)))
    if route is not None and route not in tuple(Route):
        raise invalid("route", _l("one of: %(keys)s", keys=", ".join(Route)))
    if feedback is not None and feedback not in tuple(Feedback):
        raise invalid("feedback", _l("one of: %(keys)s", keys=", ".join(Feedback)))
    current = opinion.status
    effective_route = route if target == Step.HANDLING and current == Step.REGISTERED else None
    if not rules.move_allowed(
        current,
        target,
        route=effective_route or opinion.route,
        feedback=feedback if target == Step.FEEDBACK else opinion.feedback,
    ):
        raise InvalidInput(
            "step_not_allowed", current=step_label(current), target=step_label(target)
        )
    if target == Step.HANDLING and current == Step.REGISTERED:
        _start_handling(opinion, route, unit, due, signers, reason, on)
    elif target == Step.HANDLING:  # 重新办理 after an unsatisfied feedback
        opinion.feedback = None
        opinion.replied_on = None
        opinion.due_on = rules.due_date(opinion.route, on, _due_periods())
    elif target == Step.REPLIED:
        opinion.reply = fields.text(note, "note", rules.MAX_NOTE)
        opinion.replied_on = on
    elif target == Step.FEEDBACK:
        if feedback is None:
            raise invalid("feedback", _l("satisfied, basically or unsatisfied"))
        opinion.feedback = feedback
    elif target == Step.ARCHIVED:
        opinion.closed_on = on
    opinion.status = target
    actor = actor or current_actor()
    db.session.add(
        OpinionStep(
            opinion_id=opinion.id, from_step=current, to_step=target, actor=actor, note=note
        )
    )
    notify.step_moved(opinion, target, actor)  # a message to the citizen, if they agreed
    db.session.flush()
    return opinion


def _start_handling(opinion, route, unit, due, signers, reason, on) -> None:
    if route is None:
        raise invalid("route", _l("classify the matter: %(keys)s", keys=", ".join(Route)))
    opinion.route = route
    if route == Route.NOT_ACCEPTED:
        opinion.reason = fields.text(reason, "reason", rules.MAX_NOTE)
        return
    if route == Route.COUNTY_OR_ABOVE:
        codes = [c.strip() for c in signers if c and c.strip()]
        if not codes:
            raise invalid("signers", _l("a deputy's suggestion needs at least one signing deputy"))
        for code in dict.fromkeys(codes):
            deputy = db.session.scalar(select(Deputy).where(Deputy.code == code[:32]))
            if deputy is None:
                raise invalid("signers", _l("no deputy with code %(code)s", code=code[:32]))
            db.session.add(OpinionDeputy(opinion_id=opinion.id, deputy_id=deputy.id, role="signed"))
        opinion.handling_unit = fields.text(unit, "unit", 200, required=False) or str(
            _l("Standing committee of the people's congress")
        )
    else:
        opinion.handling_unit = fields.text(unit, "unit", 200)
    opinion.handed_on_at = on
    if due is not None and due < on:
        raise invalid("due", _l("not before the day it is handed on"))
    opinion.due_on = due or rules.due_date(route, on, _due_periods())


def _due_periods() -> dict:
    return current_app.config.get("OPINION_DUE_PERIODS") or DEFAULT_DUE


def record_feedback(opinion: Opinion, feedback: str, *, note: str = "", actor: str) -> Opinion:
    """反馈 by the citizen or a deputy; 不满意 sends the opinion back to handling."""
    if opinion.status != Step.REPLIED:
        raise InvalidInput("feedback_not_expected")
    move(opinion, Step.FEEDBACK, feedback=feedback, note=note, actor=actor)
    if feedback == Feedback.UNSATISFIED:
        move(opinion, Step.HANDLING, note=str(_l("Handled again (重新办理)")), actor=actor)
    return opinion


def is_overdue(opinion: Opinion, on: date | None = None) -> bool:
    return (
        opinion.status in OPEN_STEPS
        and opinion.due_on is not None
        and opinion.due_on < (on or today())
    )


def step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, step))


def history(opinion: Opinion) -> list[dict[str, Any]]:
    """The steps as the desk shows them: when (the congress's time), the step, who (a
    person's or an office's name rather than an account's login) and the note."""
    names = actor_names({s.actor for s in opinion.steps})
    return [
        {
            "at": clock.local_time(s.at),
            "step": s.to_step,
            "by": names.get(s.actor, s.actor),
            "note": s.note,
        }
        for s in opinion.steps
    ]


def actor_names(actors: Iterable[str]) -> dict[str, str]:
    """Who acted, by name: "user:<login>" is the account's name (its login if it has none),
    "deputy:<code>" the deputy's; the citizen and the system by what they are."""
    names = {
        "citizen": str(_l("Citizen")),
        "system": str(_l("System")),
        "anonymous": str(_l("anonymous")),
    }
    kinds: dict[str, set[str]] = {"user": set(), "deputy": set()}
    for actor in actors:
        kind, _sep, key = actor.partition(":")
        if kind in kinds and key:
            kinds[kind].add(key)
            names[actor] = key  # an account since removed: its login or code
    if kinds["user"]:
        rows = db.session.execute(
            select(User.login, User.name).where(User.login.in_(kinds["user"]))
        )
        names.update({f"user:{login}": name or login for login, name in rows})
    if kinds["deputy"]:
        rows = db.session.execute(
            select(Deputy.code, Deputy.name).where(Deputy.code.in_(kinds["deputy"]))
        )
        names.update({f"deputy:{code}": name or code for code, name in rows})
    return names
