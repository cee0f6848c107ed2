"""The tracking page's part for the citizen's own data, on the public stations' blueprint:
download what votesys holds about them, erase their name and phone, delete the photos sent
with the opinion, and take a published opinion off the public site (each: a confirm step,
then a form with its CSRF token). Limited per client address as the API's answers."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from votesys.errors import DomainError
from votesys.extensions import db, limiter
from votesys.form_errors import describe
from votesys.stations import lifetime, present, rules
from votesys.stations.forms import EraseContactForm, ErasePhotosForm, WithdrawPublicationForm
from votesys.stations.privacy_api import track_data_limit
from votesys.stations.public import bp


@bp.get("/track/<code>/data.json")
@limiter.shared_limit(track_data_limit, scope="track-data")
def my_data(code: str):
    opinion = present.opinion_by_code(code)
    body = json.dumps(lifetime.citizen_data(opinion), ensure_ascii=False, indent=2)
    name = f"votesys-{rules.format_tracking_code(opinion.tracking_code)}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/track/<code>/contact")
def erase_confirm(code: str):
    opinion = present.opinion_by_code(code)
    return render_template(
        "stations/public_erase_confirm.html",
        code=opinion.tracking_code,
        data=present.tracking_dict(opinion),
        contact=lifetime.contact_state(opinion),
        form=EraseContactForm(),
        photos_form=ErasePhotosForm(),
        publication_form=WithdrawPublicationForm(),
    )


@bp.post("/track/<code>/contact")
@limiter.shared_limit(track_data_limit, scope="track-data")
def erase(code: str):
    opinion = present.opinion_by_code(code)
    form = EraseContactForm()
    if not form.validate_on_submit() or not form.confirm.data:
        flash(_("Tick the box to confirm that your name and phone are to be erased."), "error")
        return redirect(url_for(".erase_confirm", code=opinion.tracking_code))
    try:
        lifetime.erase_contact(opinion, reason=lifetime.AT_REQUEST, actor="citizen")
    except DomainError as err:
        db.session.rollback()
        flash(describe(err, form), "error")
    else:
        flash(_("Your name and phone have been erased. Messages not yet sent are cancelled."), "ok")
    return redirect(url_for(".track", code=opinion.tracking_code))


@bp.post("/track/<code>/photos")
@limiter.shared_limit(track_data_limit, scope="track-data")
def erase_photos(code: str):
    """Delete the photos sent with the opinion (they may show faces), after the confirm box."""
    return _confirmed(
        code,
        ErasePhotosForm(),
        "photos",
        lifetime.erase_photos,
        refused=_("Tick the box to confirm that your photos are to be deleted."),
        done=_("Your photos have been deleted."),
    )


@bp.post("/track/<code>/publication")
@limiter.shared_limit(track_data_limit, scope="track-data")
def withdraw_publication(code: str):
    """Take the published opinion off the public site, after the confirm box."""
    return _confirmed(
        code,
        WithdrawPublicationForm(),
        "publication",
        lifetime.withdraw_publication,
        refused=_("Tick the box to confirm that your opinion is to leave the public site."),
        done=_("Your opinion is no longer on the public site."),
    )


def _confirmed(code: str, form, anchor: str, act, *, refused: str, done: str):
    """A citizen's action on their opinion, taken once its confirm box is ticked; back to the
    confirm page's part ``anchor`` otherwise."""
    opinion = present.opinion_by_code(code)
    if not form.validate_on_submit() or not form.confirm.data:
        flash(refused, "error")
        return redirect(url_for(".erase_confirm", code=opinion.tracking_code) + f"#{anchor}")
    act(opinion, actor="citizen")
    flash(done, "ok")
    return redirect(url_for(".track", code=opinion.tracking_code))
