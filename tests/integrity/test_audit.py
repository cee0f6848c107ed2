"""The audit chain: every organiser action appended, chained, and tampering named."""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from tests.factories import PIN
from votesys.extensions import db
from votesys.integrity import services
from votesys.integrity.models import AuditEntry


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_actions_are_audited_and_the_chain_verifies(make_scenario, organiser, api, client, runner):
    ids = make_scenario(deputies=3, candidates=2, seats=1)
    api.login("organiser", "organiser-pass")
    client.post("/api/v1/auth/token", json={"login": "organiser", "password": "wrong"})
    for code in ids["deputies"]:
        api.post(
            f"/api/v1/sessions/{ids['session']}/attendance", {"deputy_code": code}, as_="organiser"
        )
    api.delete(f"/api/v1/sessions/{ids['session']}/attendance/D0003", as_="organiser")
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    api.login("D0001", PIN)
    api.post(
        f"/api/v1/votes/{vid}/ballots",
        {"choices": {str(ids["candidates"]["c1"]): "for"}},
        as_="D0001",
    )
    api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    api.post(f"/api/v1/votes/{vid}/publish", as_="organiser")
    actions = _actions()
    for expected in (
        "scenario_loaded",
        "user_created",
        "login",
        "login_failed",
        "checked_in",
        "check_in_undone",
        "vote_opened",
        "vote_closed",
        "vote_published",
    ):
        assert expected in actions, expected
    # casting a ballot is never audited: the audit log must not time a deputy's vote
    assert "ballot" not in " ".join(actions)
    entries = db.session.scalars(select(AuditEntry)).all()
    opened = next(e for e in entries if e.action == "vote_opened")
    assert opened.actor == "user:organiser"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and result.output.strip().endswith("OK")


def test_editing_or_deleting_an_entry_is_named(make_scenario, organiser, runner):
    make_scenario(deputies=2)
    for i in range(3):
        services.audit("test_action", f"thing:{i}", n=i)
    db.session.commit()
    db.session.execute(
        text("UPDATE audit_entries SET details = :d WHERE seq = 3"), {"d": '{"n":99}'}
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == "FAILED: entry 3"
    db.session.execute(text("DELETE FROM audit_entries WHERE seq = 3"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.output.strip().splitlines()[-1] == "FAILED: entry 4"


def test_truncating_the_tail_is_detected(make_scenario, organiser, runner):
    make_scenario(deputies=2)
    last = max(e.seq for e in db.session.scalars(select(AuditEntry)))
    db.session.execute(text(f"DELETE FROM audit_entries WHERE seq = {last}"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "FAILED" in result.output


def test_concurrent_appends_form_one_chain(app, organiser):
    def work(i):
        with app.app_context():
            for j in range(5):
                services.audit("parallel", f"t{i}", j=j)
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    count, broken, why = services.verify_audit_chain()
    assert broken is None, why
    assert count == 1 + 30  # the organiser's creation, then the parallel appends
