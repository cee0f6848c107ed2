"""Their data's lifetime (issue 19, item 7): contact details erased a set time after the
opinion is archived, by `votesys erase-expired`; by tracking code a citizen downloads what is
held about them and erases their name and phone at once."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.stations.conftest import NAME, PHONE
from tests.stations.test_notify import _messages, _new, _register
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.integrity.services import verify_audit_chain
from votesys.stations import lifetime
from votesys.stations.message_models import MessageState
from votesys.stations.message_rules import erase_due, erase_due_on
from votesys.stations.models import Opinion, Step

ARCHIVED_ON = date(2025, 11, 20)


def _archived(api, county) -> Opinion:
    opinion = _new(api, county, notify_consent=True)
    opinion.status = Step.ARCHIVED
    opinion.closed_on = ARCHIVED_ON
    db.session.commit()
    return opinion


def _erasures() -> list[AuditEntry]:
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "opinion_contact_erased"))
    )


@pytest.mark.parametrize("days_after, erased", [(364, False), (365, True), (366, True)])
def test_contact_details_are_erased_365_days_after_archiving(
    app, runner, logged_in, county, days_after, erased
):
    opinion = _archived(logged_in, county)
    app.config["VOTESYS_TODAY"] = (ARCHIVED_ON + timedelta(days=days_after)).isoformat()
    result = runner.invoke(args=["erase-expired"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert (opinion.citizen_phone_enc is None) is erased
    assert (opinion.citizen_name_enc is None) is erased
    assert opinion.notify_consent is not erased
    assert len(_erasures()) == (1 if erased else 0)
    if erased:
        assert opinion.contact_erased_on == ARCHIVED_ON + timedelta(days=days_after)
        [entry] = _erasures()
        assert entry.object == f"opinion:{opinion.id}" and entry.actor == "system"
        assert NAME not in entry.details and PHONE not in entry.details
        assert json.loads(entry.details)["reason"] == "retention"
        assert verify_audit_chain()[0] >= 1
    # Run again the same day: nothing more to erase, no second entry.
    runner.invoke(args=["erase-expired"])
    assert len(_erasures()) == (1 if erased else 0)


def test_the_retention_is_configurable_and_open_opinions_are_kept(app, runner, logged_in, county):
    app.config["PERSONAL_DATA_DAYS"] = 30
    archived = _archived(logged_in, county)
    still_open = _new(logged_in, county)
    still_open.received_on = ARCHIVED_ON - timedelta(days=900)
    db.session.commit()
    app.config["VOTESYS_TODAY"] = (ARCHIVED_ON + timedelta(days=30)).isoformat()
    runner.invoke(args=["erase-expired"])
    db.session.expire_all()
    assert archived.citizen_phone_enc is None
    assert still_open.citizen_phone_enc is not None  # not archived: still being handled


def test_erase_due_boundary():
    assert erase_due_on(ARCHIVED_ON, 365) == date(2026, 11, 20)
    assert not erase_due(ARCHIVED_ON, date(2026, 11, 19), 365)
    assert erase_due(ARCHIVED_ON, date(2026, 11, 20), 365)
    assert not erase_due(None, date(2099, 1, 1), 365)


def test_a_citizen_downloads_what_is_held_about_them(app, logged_in, county):
    api = logged_in
    opinion = _new(api, county, notify_consent=True)
    _register(api, opinion)
    code = opinion.tracking_code
    response = api.get(f"/api/v1/opinions/track/{code}/data")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["contact"] == {"name": NAME, "phone": PHONE}
    assert data["notify_consent"] is True and data["contact_erased_on"] is None
    assert data["opinion"]["content"].startswith("北街12号")
    assert [s["step"] for s in data["opinion"]["steps"]] == ["received", "registered"]
    assert [(m["step"], m["state"]) for m in data["messages"]] == [("registered", "pending")]
    assert data["retention"] == {"days": 365, "erase_on": None}
    # The same as a file from the tracking page.
    page = app.test_client().get(f"/track/{code}/data.json")
    assert page.status_code == 200 and "attachment" in page.headers["Content-Disposition"]
    assert json.loads(page.data)["contact"]["phone"] == PHONE


def test_a_citizen_erases_their_contact_details_at_once(app, logged_in, county):
    api = logged_in
    opinion = _new(api, county, notify_consent=True)
    _register(api, opinion)
    code = opinion.tracking_code
    erased = api.delete(f"/api/v1/opinions/track/{code}/contact")
    assert erased.status_code == 200
    assert erased.get_json() == {
        "contact": None,
        "notify_consent": False,
        "contact_erased_on": "2026-11-20",
    }
    data = api.get(f"/api/v1/opinions/track/{code}/data").get_json()
    assert data["contact"] is None and data["notify_consent"] is False
    assert data["contact_erased_on"] == "2026-11-20"
    assert [m["state"] for m in data["messages"]] == [MessageState.CANCELLED]
    [entry] = _erasures()
    assert entry.actor == "citizen" and json.loads(entry.details) == {
        "messages_cancelled": 1,
        "reason": "citizen_request",
    }
    # Again: 200 and the same answer (idempotent); nothing more in the audit chain.
    again = api.delete(f"/api/v1/opinions/track/{code}/contact")
    assert again.status_code == 200 and again.get_json() == erased.get_json()
    assert len(_erasures()) == 1
    # Later steps send nothing.
    api.post(
        f"/api/v1/opinions/{opinion.id}/steps",
        {"to": "handling", "route": "township_ordinary", "unit": "城关镇"},
        as_="staff_n",
    )
    assert [m.state for m in _messages()] == [MessageState.CANCELLED]
    # The desk sees no name or phone any more.
    staff = api.get(f"/api/v1/opinions/{opinion.id}", as_="staff_n").get_json()
    assert staff["citizen"]["name"] == "" and staff["citizen"]["phone"] == ""


def test_the_desk_shows_consent_and_erasure(fresh_user_per_request, app, client, logged_in, county):
    opinion = _new(logged_in, county, notify_consent=True)
    client.post("/login", data={"login": "staff_n", "password": "staff-pass-n"})
    page = client.get(f"/desk/opinions/{opinion.id}").get_data(as_text=True)
    assert 'id="notify-consent"' in page and 'id="contact-erased-on"' not in page
    logged_in.delete(f"/api/v1/opinions/track/{opinion.tracking_code}/contact")
    page = client.get(f"/desk/opinions/{opinion.id}").get_data(as_text=True)
    assert 'id="contact-erased-on"' in page and 'id="notify-consent"' not in page
    assert NAME not in page and PHONE not in page


@pytest.mark.parametrize("method, suffix", [("get", "data"), ("delete", "contact")])
def test_unknown_and_malformed_codes_get_the_same_404(logged_in, county, method, suffix):
    api = logged_in
    answers = [
        getattr(api.client, method)(f"/api/v1/opinions/track/{code}/{suffix}")
        for code in ("0000-00000-0000", "not-a-code", "x" * 300, "%00")
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.data for a in answers}) == 1


def test_these_answers_are_rate_limited_per_address(app, logged_in, county):
    app.config["TRACK_DATA_RATE_LIMIT"] = "3 per minute"
    code = _new(logged_in, county).tracking_code
    client = app.test_client()
    answers = [
        client.get(f"/api/v1/opinions/track/{code}/data").status_code,
        client.delete(f"/api/v1/opinions/track/{code}/contact").status_code,
        client.get("/api/v1/opinions/track/0000-00000-0000/data").status_code,
        client.get(f"/api/v1/opinions/track/{code}/data").status_code,
    ]
    assert answers == [200, 200, 404, 429]  # a wrong guess counts too
    other = client.get(
        f"/api/v1/opinions/track/{code}/data", environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert other.status_code == 200


def test_the_tracking_page_erases_after_a_confirm_step_with_csrf(app, logged_in, county):
    opinion = _new(logged_in, county, notify_consent=True)
    code = opinion.tracking_code
    client = app.test_client()
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert 'id="erase-contact"' in page and 'id="download-data"' in page
    confirm = client.get(f"/track/{code}/contact")
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.get_data(as_text=True)
    # Not ticked: nothing erased.
    client.post(f"/track/{code}/contact", data={})
    db.session.expire_all()
    assert opinion.citizen_phone_enc is not None
    # Without the CSRF token (as a forged cross-site form would be): refused.
    app.config["WTF_CSRF_ENABLED"] = True
    forged = client.post(f"/track/{code}/contact", data={"confirm": "y"})
    assert forged.status_code in (302, 400)
    db.session.expire_all()
    assert opinion.citizen_phone_enc is not None
    app.config["WTF_CSRF_ENABLED"] = False
    done = client.post(f"/track/{code}/contact", data={"confirm": "y"}, follow_redirects=True)
    assert 'id="contact-erased"' in done.get_data(as_text=True)
    db.session.expire_all()
    assert opinion.citizen_phone_enc is None and opinion.citizen_name_enc is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) >= 1


def test_erase_contact_of_an_opinion_without_any_changes_nothing(logged_in, county):
    opinion = _new(logged_in, county, citizen_name="", citizen_phone="")
    assert lifetime.erase_contact(opinion, reason="x", actor="citizen") is False
    assert _erasures() == [] and opinion.contact_erased_on is None
