"""Scrutineers (监票人) and tellers (计票人), issue 18 item 1: appointed by the organiser, each
scrutineer's device key registered (a new one only once approved), every counted result
confirmed by signatures over the record's exact bytes before it may be published; the
signatures public beside the record and checked by `votesys verify --confirmations`."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.factories import PIN, build_scenario
from votesys import scenario
from votesys.auth.services import create_user
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.voting import scrutiny_rules
from votesys.voting.cli import verify_command
from votesys.voting.models import Vote
from votesys.voting.scrutiny_models import Confirmation, Scrutineer, Scrutiny

ORG = "organiser"


class Device:
    """A scrutineer's device: an Ed25519 key whose secret stays here."""

    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public = base64.b64encode(raw).decode()
        self.fingerprint = scrutiny_rules.fingerprint(raw)

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.key.sign(body)).decode()


@pytest.fixture
def world(app, organiser, api, fresh_user_per_request):
    """Six deputies seated, the organiser and every deputy holding a token."""
    ids = scenario.load(build_scenario(deputies=6, candidates=3, seats=2))
    db.session.commit()
    api.login(ORG, "organiser-pass")
    api.seat_everyone(ids)
    return ids


def _put(api, ids, codes, required=None, as_=ORG):
    body = {"deputy_codes": codes}
    if required is not None:
        body["required"] = required
    return api.client.put(
        f"/api/v1/sessions/{ids['session']}/scrutineers",
        json=body,
        headers={"Authorization": f"Bearer {api.tokens[as_]}"},
    )


def _count_vote(api, ids) -> int:
    """Open the main vote, every deputy votes for the first candidate, close it."""
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_=ORG).status_code == 200
    c1 = str(ids["candidates"]["c1"])
    for code in ids["deputies"]:
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_=code)
        assert r.status_code == 201
    assert api.post(f"/api/v1/votes/{vid}/close", as_=ORG).status_code == 200
    return vid


def _register(api, code: str, device: Device):
    return api.post("/api/v1/scrutineers/me/key", {"public_key": device.public}, as_=code)


def _record(api, vid: int, as_: str = ORG) -> bytes:
    r = api.get(f"/api/v1/votes/{vid}/record", as_=as_)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_data()


def _confirm(api, vid: int, code: str, signature: str):
    return api.post(f"/api/v1/votes/{vid}/confirmations", {"signature": signature}, as_=code)


# --- appointment --------------------------------------------------------------------------


def test_appointment_defaults_to_a_majority_and_is_audited(world, api):
    r = _put(api, world, ["D0001", "D0002", "D0003"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["required"] == 2
    assert [s["deputy_code"] for s in body["scrutineers"]] == ["D0001", "D0002", "D0003"]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "scrutineers_appointed")
    ).one()
    assert json.loads(entry.details) == {"deputies": ["D0001", "D0002", "D0003"], "required": 2}


@pytest.mark.parametrize(("n", "majority"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3)])
def test_the_default_is_a_majority(n, majority):
    assert scrutiny_rules.default_required(n) == majority


@pytest.mark.parametrize(
    ("required", "status"),
    [(0, 422), (1, 200), (3, 200), (4, 422), (-1, 422), ("2", 422), (True, 422)],
)
def test_required_lies_between_one_and_the_scrutineers(world, api, required, status):
    r = _put(api, world, ["D0001", "D0002", "D0003"], required)
    assert r.status_code == status, r.get_json()
    if status == 422:
        assert r.get_json()["field"] == "required"
        assert db.session.get(Scrutiny, world["session"]) is None  # nothing stored


def test_codes_must_be_current_deputies_of_the_congress_named_once(world, api):
    other = build_scenario(deputies=2, code_prefix="E", jurisdiction="430299")
    scenario.load(other)
    db.session.commit()
    # … and a code holding a NUL or a direction mark, which PostgreSQL would refuse
    for codes in (
        ["D0001", "E0001"],
        ["D0001", "NOPE"],
        ["D0001", "D0001"],
        "D0001",
        [1],
        [""],
        ["D0001", "D\x0001"],
        ["D0001\u202e"],
    ):
        r = _put(api, world, codes)
        assert r.status_code == 422, (codes, r.get_json())
        assert r.get_json()["field"] == "deputy_codes"
    deputy = db.session.scalar(select(Scrutineer))
    assert deputy is None
    from votesys.congress.models import Deputy

    db.session.scalar(select(Deputy).where(Deputy.code == "D0006")).status = "terminated"
    db.session.commit()
    r = _put(api, world, ["D0001", "D0006"])
    assert r.status_code == 422 and "D0006" in r.get_json()["message"]


def test_an_empty_list_removes_the_scrutiny_and_a_kept_scrutineer_keeps_their_key(world, api):
    assert _put(api, world, ["D0001", "D0002"]).status_code == 200
    device = Device()
    assert _register(api, "D0001", device).status_code == 200
    r = _put(api, world, ["D0001", "D0003"], 1)
    assert r.status_code == 200
    kept = {s["deputy_code"]: s["fingerprint"] for s in r.get_json()["scrutineers"]}
    assert kept == {"D0001": device.fingerprint, "D0003": None}
    r = _put(api, world, [])
    assert r.status_code == 200 and r.get_json()["scrutineers"] == []
    assert db.session.get(Scrutiny, world["session"]) is None


def test_only_an_organiser_who_manages_the_session_appoints(world, api):
    assert _put(api, world, ["D0001"], as_="D0001").status_code == 403
    create_user("far", "far-pass-1234", "organiser", jurisdiction_id=None)
    other = scenario.load(build_scenario(deputies=2, code_prefix="E", jurisdiction="430299"))
    db.session.commit()
    from votesys.congress.services import jurisdiction_by_code

    create_user(
        "away", "away-pass-1234", "organiser", jurisdiction_id=jurisdiction_by_code("430299").id
    )
    db.session.commit()
    api.login("away", "away-pass-1234")
    assert _put(api, world, ["D0001"], as_="away").status_code == 403
    assert other["session"] != world["session"]


def test_appointment_is_fixed_while_a_counted_result_awaits_publication(world, api):
    assert _put(api, world, ["D0001"], 1).status_code == 200
    vid = _count_vote(api, world)
    r = _put(api, world, ["D0002"], 1)
    assert r.status_code == 409 and r.get_json()["error"] == "scrutiny_locked"
    r = api.client.put(
        f"/api/v1/sessions/{world['session']}/tellers",
        json={"logins": []},
        headers={"Authorization": f"Bearer {api.tokens[ORG]}"},
    )
    assert r.status_code == 409
    device = Device()
    _register(api, "D0001", device)
    assert _confirm(api, vid, "D0001", device.sign(_record(api, vid))).status_code == 201
    assert api.post(f"/api/v1/votes/{vid}/publish", as_=ORG).status_code == 200
    assert _put(api, world, ["D0002"], 1).status_code == 200  # published: free again


def test_tellers_are_staff_who_manage_the_session(world, api):
    from votesys.congress.services import jurisdiction_by_code

    scenario.load(build_scenario(deputies=2, code_prefix="E", jurisdiction="430299"))
    create_user("teller", "teller-pass-12", "organiser", name="计票员甲")
    # an organiser of another county is no teller here
    create_user(
        "clerk", "clerk-pass-123", "organiser", jurisdiction_id=jurisdiction_by_code("430299").id
    )
    db.session.commit()
    url = f"/api/v1/sessions/{world['session']}/tellers"
    headers = {"Authorization": f"Bearer {api.tokens[ORG]}"}
    r = api.client.put(url, json={"logins": ["teller", "organiser"]}, headers=headers)
    assert r.status_code == 200
    assert [t["login"] for t in r.get_json()["tellers"]] == ["organiser", "teller"]
    for logins in (["clerk"], ["nobody"], ["teller", "teller"], "teller"):
        r = api.client.put(url, json={"logins": logins}, headers=headers)
        assert r.status_code == 422, logins
    shown = api.get(f"/api/v1/sessions/{world['session']}/scrutineers", as_=ORG).get_json()
    assert [t["login"] for t in shown["tellers"]] == ["organiser", "teller"]


# --- keys ---------------------------------------------------------------------------------


def test_the_first_key_registers_at_once_a_second_waits_for_approval(world, api):
    _put(api, world, ["D0001", "D0002"], 1)
    assert _register(api, "D0003", Device()).status_code == 403  # not a scrutineer
    first, second = Device(), Device()
    r = _register(api, "D0001", first)
    assert r.status_code == 200
    assert r.get_json() == {
        "session_id": world["session"],
        "status": "registered",
        "fingerprint": first.fingerprint,
        "pending_fingerprint": None,
    }
    assert _register(api, "D0001", first).status_code == 200  # the same key again: no change
    r = _register(api, "D0001", second)
    assert r.status_code == 202 and r.get_json()["status"] == "pending"
    assert r.get_json()["fingerprint"] == first.fingerprint  # the old key still counts
    url = f"/api/v1/sessions/{world['session']}/scrutineers/D0001/key"
    assert api.post(url, {"decision": "maybe"}, as_=ORG).status_code == 422
    assert api.post(url, {"decision": "approve"}, as_="D0001").status_code == 403
    r = api.post(url, {"decision": "approve"}, as_=ORG)
    assert r.status_code == 200
    shown = {s["deputy_code"]: s for s in r.get_json()["scrutineers"]}
    assert shown["D0001"]["fingerprint"] == second.fingerprint
    assert shown["D0001"]["pending_fingerprint"] is None
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "scrutineer_key_replaced")
    ).one()
    assert json.loads(entry.details) == {
        "deputy": "D0001",
        "fingerprint": first.fingerprint,
        "new_fingerprint": second.fingerprint,
    }
    assert api.post(url, {"decision": "approve"}, as_=ORG).get_json()["error"] == "no_pending_key"


def test_a_refused_key_leaves_the_old_one(world, api):
    _put(api, world, ["D0001"], 1)
    first, second = Device(), Device()
    _register(api, "D0001", first)
    _register(api, "D0001", second)
    url = f"/api/v1/sessions/{world['session']}/scrutineers/D0001/key"
    r = api.post(url, {"decision": "refuse"}, as_=ORG)
    assert r.get_json()["scrutineers"][0]["fingerprint"] == first.fingerprint
    assert r.get_json()["scrutineers"][0]["pending_fingerprint"] is None


@given(
    st.one_of(
        st.text(max_size=60), st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode())
    )
)
def test_anything_but_a_32_byte_key_is_no_key(value):
    raw = scrutiny_rules.public_key(value)
    assert raw is None or len(raw) == 32


def test_a_malformed_key_is_refused(world, api):
    _put(api, world, ["D0001"], 1)
    for bad in ("", "abc", base64.b64encode(b"x" * 31).decode(), 5, None):
        r = api.post("/api/v1/scrutineers/me/key", {"public_key": bad}, as_="D0001")
        assert r.status_code == 422 and r.get_json()["field"] == "public_key"
    assert db.session.scalar(select(Scrutineer.public_key)) is None


# --- confirmations and publication ---------------------------------------------------------


@pytest.fixture
def counted(world, api):
    """Three scrutineers (two required) with keys, and the main vote counted."""
    _put(api, world, ["D0001", "D0002", "D0003"], 2)
    devices = {code: Device() for code in ("D0001", "D0002", "D0003")}
    for code, device in devices.items():
        assert _register(api, code, device).status_code == 200
    return _count_vote(api, world), devices


def test_publication_waits_for_exactly_the_number_required(world, api, counted):
    vid, devices = counted
    body = _record(api, vid, as_="D0001")  # a scrutineer reads the counted record
    assert body == _record(api, vid)
    r = api.post(f"/api/v1/votes/{vid}/publish", as_=ORG)
    assert r.status_code == 409 and r.get_json()["error"] == "not_confirmed"
    r = _confirm(api, vid, "D0001", devices["D0001"].sign(body))
    assert r.status_code == 201
    assert r.get_json() == {"vote_id": vid, "confirmed": 1, "appointed": 3, "required": 2}
    r = api.post(f"/api/v1/votes/{vid}/publish", as_=ORG)
    assert r.status_code == 409 and r.get_json()["error"] == "not_confirmed"
    assert _confirm(api, vid, "D0002", devices["D0002"].sign(body)).status_code == 201
    r = api.post(f"/api/v1/votes/{vid}/publish", as_=ORG)
    assert r.status_code == 200, r.get_json()
    # after publication: public, with the signatures beside it
    listed = api.get(f"/api/v1/votes/{vid}/record.confirmations").get_json()
    assert [c["deputy_code"] for c in listed] == ["D0001", "D0002"]
    for c in listed:
        assert scrutiny_rules.verifies(c["public_key"], c["signature"], body)
    # too late to confirm a published vote
    r = _confirm(api, vid, "D0003", devices["D0003"].sign(body))
    assert r.status_code == 409


def test_forged_and_wrong_key_signatures_are_refused(world, api, counted):
    vid, devices = counted
    body = _record(api, vid)
    forged = base64.b64encode(bytes(64)).decode()
    wrong_key = Device().sign(body)
    other_bytes = devices["D0001"].sign(body + b" ")
    others = devices["D0002"].sign(body)  # a real signature, by another scrutineer's key
    for signature in (forged, wrong_key, other_bytes, others):
        r = _confirm(api, vid, "D0001", signature)
        assert r.status_code == 422 and r.get_json()["error"] == "bad_signature"
    for malformed in ("", "!!", base64.b64encode(b"x" * 63).decode(), 7, None):
        r = _confirm(api, vid, "D0001", malformed)
        assert r.status_code == 422 and r.get_json()["field"] == "signature"
    assert db.session.scalar(select(Confirmation)) is None


def test_only_the_sessions_scrutineers_confirm_and_once(world, api, counted):
    vid, devices = counted
    body = _record(api, vid)
    r = _confirm(api, vid, "D0004", Device().sign(body))
    assert r.status_code == 403 and r.get_json()["error"] == "not_a_scrutineer"
    assert (
        api.post(f"/api/v1/votes/{vid}/confirmations", {"signature": "x"}, as_=ORG).status_code
        == 403
    )
    assert api.get(f"/api/v1/votes/{vid}/record", as_="D0004").status_code == 403
    signature = devices["D0001"].sign(body)
    assert _confirm(api, vid, "D0001", signature).status_code == 201
    assert _confirm(api, vid, "D0001", signature).status_code == 200  # a retry: the same answer
    # a new key approved after confirming: another signature is refused, the first kept
    new = Device()
    _register(api, "D0001", new)
    api.post(
        f"/api/v1/sessions/{world['session']}/scrutineers/D0001/key",
        {"decision": "approve"},
        as_=ORG,
    )
    r = _confirm(api, vid, "D0001", new.sign(body))
    assert r.status_code == 409 and r.get_json()["error"] == "already_confirmed"
    kept = db.session.scalars(select(Confirmation)).one()
    assert kept.public_key == devices["D0001"].public


def test_a_scrutineer_without_a_key_is_told_to_register_one(world, api):
    _put(api, world, ["D0001"], 1)
    vid = _count_vote(api, world)
    r = _confirm(api, vid, "D0001", Device().sign(b"x"))
    assert r.status_code == 409 and r.get_json()["error"] == "no_key"


def test_a_session_without_scrutineers_publishes_as_before(world, api):
    vid = _count_vote(api, world)
    assert api.post(f"/api/v1/votes/{vid}/publish", as_=ORG).status_code == 200
    assert api.get(f"/api/v1/votes/{vid}/record.confirmations").get_json() == []
    page = api.client.get(f"/votes/{vid}/announcement").get_data(as_text=True)
    assert 'class="scrutiny-line"' in page


def test_confirmations_are_as_visible_as_the_record(world, api, counted):
    vid, devices = counted
    url = f"/api/v1/votes/{vid}/record.confirmations"
    assert api.get(url).status_code == 403  # anonymous, before publication
    assert api.get(url, as_="D0004").status_code == 403
    assert api.get(url, as_=ORG).get_json() == []
    assert api.get(url, as_="D0001").status_code == 200


def test_a_practice_vote_takes_no_confirmation(app, organiser, api, fresh_user_per_request):
    data = build_scenario(deputies=6, candidates=3, seats=2)
    data["votes"][0]["practice"] = True
    ids = scenario.load(data)
    db.session.commit()
    api.login(ORG, "organiser-pass")
    api.seat_everyone(ids)
    _put(api, ids, ["D0001"], 1)
    device = Device()
    _register(api, "D0001", device)
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_=ORG)
    api.post(f"/api/v1/votes/{vid}/close", as_=ORG)
    r = _confirm(api, vid, "D0001", device.sign(b"{}"))
    assert r.status_code == 409 and r.get_json()["error"] == "practice_vote"
    # a closed practice vote does not hold the appointment fixed
    assert _put(api, ids, ["D0002"], 1).status_code == 200


# --- votesys verify --confirmations ----------------------------------------------------------


def test_verify_checks_every_confirmation_offline(world, api, counted, tmp_path):
    from click.testing import CliRunner

    vid, devices = counted
    body = _record(api, vid)
    for code in ("D0001", "D0002"):
        assert _confirm(api, vid, code, devices[code].sign(body)).status_code == 201
    (tmp_path / "r.json").write_bytes(body)
    listed = api.get(f"/api/v1/votes/{vid}/record.confirmations", as_=ORG).get_json()
    (tmp_path / "c.json").write_text(json.dumps(listed))
    run = CliRunner().invoke(
        verify_command, [str(tmp_path / "r.json"), "--confirmations", str(tmp_path / "c.json")]
    )
    lines = run.output.strip().splitlines()
    assert run.exit_code == 0, run.output
    assert lines[-1] == "OK"
    assert "ok    confirmation by D0001: key " + devices["D0001"].fingerprint in lines
    assert "      confirmed by 2 scrutineers" in lines

    def verify(confirmations) -> tuple[int, list[str]]:
        (tmp_path / "bad.json").write_text(json.dumps(confirmations))
        out = CliRunner().invoke(
            verify_command,
            [str(tmp_path / "r.json"), "--confirmations", str(tmp_path / "bad.json")],
        )
        return out.exit_code, out.output.strip().splitlines()

    forged = [dict(listed[0], signature=base64.b64encode(bytes(64)).decode()), listed[1]]
    code, lines = verify(forged)
    assert code == 1 and lines[-1].startswith("FAILED")
    assert "      confirmed by 1 scrutineers" in lines
    wrong_key = [dict(listed[0], public_key=devices["D0003"].public), listed[1]]
    code, lines = verify(wrong_key)
    assert code == 1 and "FAIL  confirmation by D0001" in "\n".join(lines)
    same_key = [listed[0], dict(listed[0], deputy_code="D0002")]
    assert verify(same_key)[0] == 1
    assert verify({"not": "a list"})[0] == 1
    # a changed byte in the record breaks every confirmation
    (tmp_path / "r.json").write_bytes(body.replace(b'"ballots_cast":6', b'"ballots_cast":7'))
    code, lines = verify(listed)
    assert code == 1 and lines[-1].startswith("FAILED")


# --- pages ------------------------------------------------------------------------------------


def test_desk_pages_show_the_confirmations_and_the_report(world, api, counted, client):
    from tests.pages import login

    vid, devices = counted
    body = _record(api, vid)
    _confirm(api, vid, "D0001", devices["D0001"].sign(body))
    login(client, ORG, "organiser-pass")
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert 'id="scrutiny-status"' in page and 'id="publish-waits"' in page
    assert "<strong data-confirmed>1</strong> / 3" in page
    assert 'disabled aria-describedby="publish-waits"' in page
    report = client.get(f"/desk/votes/{vid}/report")
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    assert scrutiny_rules.grouped(devices["D0001"].fingerprint) in html
    assert html.count('class="sign"') >= 4  # a heading and a line for each of 3 scrutineers
    session_page = client.get(f"/desk/sessions/{world['session']}").get_data(as_text=True)
    assert 'id="scrutiny"' in session_page
    r = client.post(
        f"/desk/sessions/{world['session']}/scrutiny",
        data={"deputy_codes": "D0004", "required": "1"},
    )
    assert r.status_code == 302
    assert db.session.get(Scrutiny, world["session"]).required == 2  # locked: unchanged
    r = client.post(f"/desk/votes/{vid}/publish")
    assert db.session.get(Vote, vid).state == "closed"


def test_the_desk_form_appoints(world, client):
    from tests.pages import login

    login(client, ORG, "organiser-pass")
    r = client.post(
        f"/desk/sessions/{world['session']}/scrutiny",
        data={"deputy_codes": "D0001, D0002 D0003", "required": ""},
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Scrutiny, world["session"]).required == 2
    r = client.post(f"/desk/sessions/{world['session']}/tellers", data={"logins": "organiser"})
    assert r.status_code == 302
    page = client.get(f"/desk/sessions/{world['session']}").get_data(as_text=True)
    assert 'id="tellers"' in page


def test_the_hall_and_the_scrutineers_page_show_the_count(world, api, counted, client):
    from tests.pages import login

    vid, devices = counted
    _confirm(api, vid, "D0002", devices["D0002"].sign(_record(api, vid)))
    state = client.get(f"/hall/{world['session']}/state.json").get_json()
    assert state["scrutiny"] == {"confirmed": 1, "appointed": 3, "required": 2}
    assert state["awaiting"]["id"] == vid and state["result"] is None
    login(client, "D0001", PIN, tablet=True)
    page = client.get("/tablet/scrutiny").get_data(as_text=True)
    assert f'id="scrutiny-vote-{vid}"' in page and 'class="button huge primary scr-confirm"' in page
    assert f'data-registered="{devices["D0001"].fingerprint}"' in page
    # the page's own JSON endpoints (session cookie; CSRF is off in tests)
    body = client.get(f"/api/v1/votes/{vid}/record").get_data()
    r = client.post(
        f"/tablet/scrutiny/votes/{vid}/confirm.json",
        json={"signature": devices["D0001"].sign(body)},
    )
    assert r.status_code == 201 and r.get_json()["confirmed"] == 2
    r = client.post(f"/tablet/scrutiny/votes/{vid}/confirm.json", json={"signature": "AAAA"})
    assert r.status_code in (409, 422)
    client.post("/logout")
    login(client, "D0004", PIN, tablet=True)
    assert "scrutiny-vote" not in client.get("/tablet/scrutiny").get_data(as_text=True)


# --- the demo ---------------------------------------------------------------------------------


def test_the_demos_2026_vote_is_confirmed_by_its_scrutineers(app, client, runner):
    from votesys.demo.scrutiny import SCRUTINEERS_2026

    assert runner.invoke(args=["demo"]).exit_code == 0
    vote = db.session.scalars(select(Vote).where(Vote.state == "published")).first()
    listed = client.get(f"/api/v1/votes/{vote.id}/record.confirmations").get_json()
    assert [c["deputy_code"] for c in listed] == SCRUTINEERS_2026
    body = client.get(f"/api/v1/votes/{vote.id}/record").get_data()
    assert scrutiny_rules.check_confirmations(body, listed).confirmed == 3
    state = client.get(f"/hall/{vote.session_id}/state.json").get_json()
    assert state["scrutiny"] == {"confirmed": 3, "appointed": 3, "required": 2}
    page = client.get(f"/votes/{vote.id}/announcement").get_data(as_text=True)
    assert "scrutiny-line" in page and "唐秀芬" in page  # a name, not an interface string


@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0), st.integers(1, 255))
def test_a_changed_byte_breaks_a_confirmation(body, where, flip):
    device = Device()
    listed = [{"deputy_code": "A1", "public_key": device.public, "signature": device.sign(body)}]
    assert scrutiny_rules.check_confirmations(body, listed).confirmed == 1
    i = where % len(body)
    changed = body[:i] + bytes([body[i] ^ flip]) + body[i + 1 :]
    checked = scrutiny_rules.check_confirmations(changed, listed)
    assert checked.confirmed == 0 and not checked.ok


# --- review: who may confirm, and what a published result's confirmation stays ---------------


def test_a_scrutineer_whose_mandate_ended_cannot_confirm(world, api, counted):
    from votesys.congress.models import Deputy

    vid, devices = counted
    body = _record(api, vid)
    db.session.scalar(select(Deputy).where(Deputy.code == "D0001")).status = "terminated"
    db.session.commit()
    r = _confirm(api, vid, "D0001", devices["D0001"].sign(body))
    assert r.status_code == 403 and r.get_json()["error"] == "scrutineer_mandate_ended"
    assert db.session.scalar(select(Confirmation)) is None


def test_a_later_appointment_does_not_rewrite_a_published_confirmation(world, api, counted):
    from votesys.voting import confirming

    vid, devices = counted
    body = _record(api, vid)
    for code in ("D0001", "D0002"):
        assert _confirm(api, vid, code, devices[code].sign(body)).status_code == 201
    assert api.post(f"/api/v1/votes/{vid}/publish", as_=ORG).status_code == 200
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "vote_published")
    ).one()
    assert json.loads(entry.details) == {
        "scrutineers": ["D0001", "D0002", "D0003"],
        "required": 2,
        "confirmed_by": ["D0001", "D0002"],
    }
    # the session appoints others for its next votes: the published vote keeps its own
    assert _put(api, world, ["D0004", "D0005"], 2).status_code == 200
    db.session.expire_all()
    s = confirming.status(db.session.get(Vote, vid))
    assert (s["confirmed"], s["appointed"], s["required"]) == (2, 3, 2)
    assert [p["code"] for p in s["scrutineers"] if p["confirmed"]] == ["D0001", "D0002"]
    state = api.client.get(f"/hall/{world['session']}/state.json").get_json()
    assert state["scrutiny"] == {"confirmed": 2, "appointed": 3, "required": 2}


def test_a_result_published_without_scrutineers_stays_so(world, api):
    from votesys.voting import confirming

    vid = _count_vote(api, world)
    assert api.post(f"/api/v1/votes/{vid}/publish", as_=ORG).status_code == 200
    assert _put(api, world, ["D0001"], 1).status_code == 200  # appointed afterwards
    db.session.expire_all()
    assert confirming.status(db.session.get(Vote, vid)) is None
    page = api.client.get(f"/votes/{vid}/announcement?lang=en").get_data(as_text=True)
    assert "appointed no scrutineers" in page


# A key of small order (here the neutral point) "verifies" one signature — R the neutral
# point, S = 0 — over any bytes at all: a confirmation that would survive any change of the
# record. The eight small-order points, and their encodings with the sign bit set or y ≥ p.
SMALL_ORDER_KEYS = [
    bytes([1] + [0] * 31),
    bytes(32),
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    bytes([0xEC] + [0xFF] * 30 + [0x7F]),
    bytes([0xED] + [0xFF] * 30 + [0x7F]),
    bytes([0xEE] + [0xFF] * 30 + [0x7F]),
    bytes([0x01] + [0] * 30 + [0x80]),
    bytes([0xEC] + [0xFF] * 31),
]
ANY_BYTES_SIGNATURE = base64.b64encode(bytes([1] + [0] * 31) + bytes(32)).decode()


@pytest.mark.parametrize("raw", SMALL_ORDER_KEYS, ids=lambda raw: raw.hex()[:8])
def test_a_key_of_small_order_is_no_key(raw):
    assert scrutiny_rules.public_key(base64.b64encode(raw).decode()) is None


def test_a_weak_key_is_refused_and_its_universal_signature_fails_verify(world, api, tmp_path):
    from click.testing import CliRunner

    _put(api, world, ["D0001"], 1)
    weak = base64.b64encode(SMALL_ORDER_KEYS[0]).decode()
    r = api.post("/api/v1/scrutineers/me/key", {"public_key": weak}, as_="D0001")
    assert r.status_code == 422 and r.get_json()["field"] == "public_key"
    assert db.session.scalar(select(Scrutineer.public_key)) is None
    # a forger's confirmations file for a doctored record: FAILED, not "confirmed by 1"
    (tmp_path / "r.json").write_bytes(b'{"doctored": true}')
    forged = [{"deputy_code": "D0001", "public_key": weak, "signature": ANY_BYTES_SIGNATURE}]
    (tmp_path / "c.json").write_text(json.dumps(forged))
    run = CliRunner().invoke(
        verify_command, [str(tmp_path / "r.json"), "--confirmations", str(tmp_path / "c.json")]
    )
    lines = run.output.strip().splitlines()
    assert run.exit_code == 1 and lines[-1].startswith("FAILED")
    assert "      confirmed by 0 scrutineers" in lines


@given(st.binary(min_size=32, max_size=32))
def test_a_key_accepted_is_a_point_of_large_order(raw):
    accepted = scrutiny_rules.public_key(base64.b64encode(raw).decode())
    if accepted is not None:
        point = scrutiny_rules._point(raw)
        assert point is not None and not scrutiny_rules._small_order(point)


def test_the_scrutineers_json_endpoints_need_the_pages_csrf_token(app, world, api):
    """The tablet's own endpoints are cookie-authenticated: without the page's token another
    site cannot register its key in a scrutineer's name."""
    import re

    from tests.pages import login

    _put(api, world, ["D0001"], 1)
    client = app.test_client()
    login(client, "D0001", PIN, tablet=True)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        r = client.post("/tablet/scrutiny/key.json", json={"public_key": Device().public})
        assert r.status_code == 400
        assert db.session.scalar(select(Scrutineer.public_key)) is None
        page = client.get("/tablet/scrutiny").get_data(as_text=True)
        token = re.search(r'data-csrf="([^"]+)"', page).group(1)
        r = client.post(
            "/tablet/scrutiny/key.json",
            json={"public_key": Device().public},
            headers={"X-CSRFToken": token},
        )
        assert r.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe not text", b"[" * 100_000, b'[{"deputy_code": "A", "public_key": {}}, 5]', b""],
    ids=["binary", "deep", "odd", "empty"],
)
def test_verify_says_failed_for_a_malformed_confirmations_file(tmp_path, content):
    from click.testing import CliRunner

    (tmp_path / "r.json").write_bytes(b"{}")
    (tmp_path / "c.json").write_bytes(content)
    run = CliRunner().invoke(
        verify_command, [str(tmp_path / "r.json"), "--confirmations", str(tmp_path / "c.json")]
    )
    assert run.exception is None or isinstance(run.exception, SystemExit), run.exception
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert run.output.strip().splitlines()[-1].startswith("FAILED")
    assert "FAIL  confirmation" in run.output
