"""A citizen's own data by tracking code (个人信息保护法), on the stations' API blueprint:
``GET /api/v1/opinions/track/{code}/data`` (what votesys holds about them, decrypted for
this answer only), ``DELETE /api/v1/opinions/track/{code}/contact`` (their name and
phone erased at once; again: 200, nothing more changes) and ``DELETE …/photos`` (the
photos sent with it deleted at once, since they may show faces) and ``DELETE …/publication``
(a published opinion taken off the public site); both idempotent too.

The tracking code is the only secret: 13 characters of base 32 (65 random bits), and these
answers are limited per client address (``TRACK_DATA_RATE_LIMIT``), so guessing one is out of
reach. An unknown code and a malformed one get the same 404."""

from __future__ import annotations

from flask import current_app

from votesys import clock
from votesys.extensions import limiter
from votesys.stations import lifetime, present
from votesys.stations.api import bp


def track_data_limit() -> str:
    return current_app.config["TRACK_DATA_RATE_LIMIT"]


def _private(answer: dict) -> tuple[dict, int, dict]:
    return answer, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"}


@bp.get("/opinions/track/<code>/data")
@limiter.shared_limit(track_data_limit, scope="track-data")
def citizen_data(code: str):
    """What votesys holds about the citizen of this opinion: name, phone, the opinion, its
    steps, their consent, the messages sent to them, its photos (described), whether it is
    published or hidden and its supports, its campaign's screening and feasibility."""
    return _private(lifetime.citizen_data(present.opinion_by_code(code)))


@bp.delete("/opinions/track/<code>/contact")
@limiter.shared_limit(track_data_limit, scope="track-data")
def erase_contact(code: str):
    """Erase the citizen's name and phone now; messages not yet sent are cancelled."""
    opinion = present.opinion_by_code(code)
    lifetime.erase_contact(opinion, reason=lifetime.AT_REQUEST, actor="citizen")
    return _private(
        {
            "contact": None,
            "notify_consent": False,
            "contact_erased_on": clock.iso_day(opinion.contact_erased_on),
        }
    )


@bp.delete("/opinions/track/<code>/photos")
@limiter.shared_limit(track_data_limit, scope="track-data")
def erase_photos(code: str):
    """Delete the opinion's photos now (they may show faces); again: 200, nothing changes."""
    opinion = present.opinion_by_code(code)
    erased = lifetime.erase_photos(opinion, actor="citizen")
    return _private({"photos": [], "erased": erased})


@bp.delete("/opinions/track/<code>/publication")
@limiter.shared_limit(track_data_limit, scope="track-data")
def withdraw_publication(code: str):
    """Take the published opinion off the public site now; again: 200, nothing changes."""
    opinion = present.opinion_by_code(code)
    withdrawn = lifetime.withdraw_publication(opinion, actor="citizen")
    return _private({"public": False, "withdrawn": withdrawn})
