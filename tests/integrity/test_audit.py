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


def test_truncating_the_tail_and_its_head_is_caught_by_a_published_head(
    make_scenario, organiser, runner
):
    """Deleting the last entry and moving the head back keeps the chain whole; only a head
    published before (or a record signed after it) can tell."""
    make_scenario(deputies=2)
    first = runner.invoke(args=["audit", "verify"])
    seq, digest = first.output.strip().splitlines()[0].split("head ")[1].split(": ")
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    db.session.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": last.seq})
    db.session.execute(
        text("UPDATE audit_head SET seq = :s, hash = :h"),
        {"s": last.seq - 1, "h": last.prev_hash},
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify", "--expect-head", f"{seq}:{digest}"])
    assert result.exit_code == 1 and "not the published head" in result.output


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


def test_a_chain_rewritten_behind_a_signed_record_is_caught(make_scenario, organiser, api, runner):
    """Re-chaining the log from an edited entry keeps the chain consistent, but the election
    record signed the old head: audit verify compares them."""
    from votesys.integrity.rules import audit_entry_hash

    ids = make_scenario(deputies=3, candidates=2, seats=1)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    head_line = ok.output.strip().splitlines()[0]
    seq, digest = head_line.split("head ")[1].split(": ")
    # rewrite entry 2 and re-chain everything after it, head included
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    prev = entries[0].hash
    for entry in entries[1:]:
        if entry.seq == 2:
            entry.details = '{"forged":true}'
        entry.prev_hash = prev
        fields = {
            k: getattr(entry, k)
            for k in ("seq", "at", "actor", "action", "object", "details", "prev_hash")
        }
        entry.hash = audit_entry_hash(fields)
        prev = entry.hash
    db.session.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and bad.output.strip().splitlines()[-1] == "FAILED: anchors"
    assert f"the record of vote {vid}" in bad.output
    published = runner.invoke(args=["audit", "verify", "--expect-head", f"{seq}:{digest}"])
    assert "not the published head" in published.output


def test_a_failed_login_keeps_only_names_that_exist(organiser, client):
    client.post("/api/v1/auth/token", json={"login": "organiser", "password": "nope"})
    client.post("/api/v1/auth/token", json={"login": "my-secret-password", "password": "x"})
    objects = [
        e.object for e in db.session.scalars(select(AuditEntry)) if e.action == "login_failed"
    ]
    assert objects == ["login:organiser", "login:(unknown)"]
