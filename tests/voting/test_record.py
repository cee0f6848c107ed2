"""The signed election record: download, verify offline, and catch every tampering."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from tests import required
from tests.conftest import PG_URL
from tests.factories import paper_totals
from votesys.cli import main as votesys_main
from votesys.extensions import db
from votesys.integrity import rules
from votesys.integrity.rules import canonical_json, merkle_root
from votesys.voting import record_rules
from votesys.voting import rules as rules_1
from votesys.voting.models import VoteRecord
from votesys.voting.record_rules import verify_record


@pytest.fixture
def closed_vote(make_scenario, organiser, api):
    """Six deputies vote on four candidates for two places; the vote is closed."""
    ids = make_scenario(deputies=6, candidates=4, seats=2)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    c = [str(ids["candidates"][f"c{n}"]) for n in range(1, 5)]
    plans = [
        {c[0]: "for", c[1]: "for"},
        {c[0]: "for", c[2]: "against"},
        {c[1]: "for"},
        {c[0]: "for", c[3]: "for"},
        {c[2]: "abstain"},
    ]
    for code, choices in zip(ids["deputies"], plans, strict=False):
        assert (
            api.post(f"/api/v1/votes/{vid}/ballots", {"choices": choices}, as_=code).status_code
            == 201
        )
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    return ids


def download(api, vid, as_=None):
    body = api.get(f"/api/v1/votes/{vid}/record", as_=as_)
    sig = api.get(f"/api/v1/votes/{vid}/record.sig", as_=as_)
    pem = api.get(f"/api/v1/votes/{vid}/record.pem", as_=as_)
    assert body.status_code == sig.status_code == pem.status_code == 200
    return body.get_data(), sig.get_data(), pem.get_data()


def write(tmp_path, body, sig, pem):
    paths = tmp_path / "record.json", tmp_path / "record.sig", tmp_path / "key.pem"
    for path, data in zip(paths, (body, sig, pem), strict=True):
        path.write_bytes(data)
    return paths


def run_verify(*args, env=None):
    result = CliRunner().invoke(votesys_main, ["verify", *map(str, args)], env=env)
    return result.exit_code, result.output.strip().splitlines()


def test_record_is_published_signed_and_verifies_offline(closed_vote, api, client, tmp_path):
    vid = closed_vote["votes"]["main"]
    assert client.get(f"/api/v1/votes/{vid}/record").status_code == 403
    body, sig, pem = download(api, vid, as_="organiser")
    assert len(sig) == 64 and pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    record = json.loads(body)
    assert canonical_json(record) == body
    assert record["roll"] == {"current_deputies": 6, "present": 6, "ballots_cast": 5}
    assert len(record["ballots"]) == 5 and record["trackers"] == sorted(record["trackers"])
    assert "deputy" not in body.decode().lower().replace("current_deputies", "")
    api.post(f"/api/v1/votes/{vid}/publish", as_="organiser")
    assert download(api, vid) == (body, sig, pem)  # public now, the same bytes
    # with no database at all: the command needs only the three files
    code, lines = run_verify(
        *write(tmp_path, body, sig, pem)[:1],
        "--signature",
        tmp_path / "record.sig",
        "--key",
        tmp_path / "key.pem",
        env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    )
    assert code == 0 and lines[-1] == "OK", lines
    assert any(line.startswith("ok    signature") for line in lines)


def test_signature_verifies_with_openssl(closed_vote, api, tmp_path):
    openssl = required.program("openssl", "openssl")
    record, sig, key = write(
        tmp_path, *download(api, closed_vote["votes"]["main"], as_="organiser")
    )
    out = subprocess.run(
        [
            openssl,
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(key),
            "-rawin",
            "-in",
            str(record),
            "-sigfile",
            str(sig),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "Success" in out.stdout


def flip_choice(r):
    b = r["ballots"][0]
    r["ballots"][0] = ("A" if b[0] == "F" else "F") + b[1:]


def remove_ballot(r):
    r["ballots"].pop()


def add_ballot(r):
    r["ballots"].append("F" + "N" * (len(r["ballots"][0]) - 1))


def change_rule(r):
    r["vote"]["base"] = "none"  # no threshold: the same tally would approve two


@pytest.mark.parametrize(
    ("tamper", "check"),
    [
        (flip_choice, "tally"),
        (remove_ballot, "counts"),
        (add_ballot, "counts"),
        (change_rule, "decision"),
    ],
)
def test_tampered_records_fail_naming_the_check(closed_vote, api, tmp_path, tamper, check):
    body, sig, pem = download(api, closed_vote["votes"]["main"], as_="organiser")
    record = json.loads(body)
    tamper(record)
    failed = [c.name for c in verify_record(record) if not c.ok]
    assert failed and failed[0] == check, failed
    tampered = canonical_json(record)
    paths = write(tmp_path, tampered, sig, pem)
    code, lines = run_verify(paths[0], "--signature", paths[1], "--key", paths[2])
    assert code == 1 and lines[-1].startswith(f"FAILED: {check}") and "signature" in lines[-1]


def test_forged_signature_and_wrong_key_fail(closed_vote, api, tmp_path):
    body, sig, pem = download(api, closed_vote["votes"]["main"], as_="organiser")
    forged = bytes(64)
    paths = write(tmp_path, body, forged, pem)
    code, lines = run_verify(paths[0], "--signature", paths[1], "--key", paths[2])
    assert code == 1 and lines[-1] == "FAILED: signature"
    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    paths = write(tmp_path, body, sig, other)
    code, lines = run_verify(paths[0], "--signature", paths[1], "--key", paths[2])
    assert code == 1 and lines[-1] == "FAILED: signature"
    (tmp_path / "junk.json").write_text("{not json")
    code, lines = run_verify(tmp_path / "junk.json")
    assert code == 1 and lines[-1] == "FAILED: format"


@pytest.mark.parametrize("tamper", ["edit", "delete", "insert"])
def test_database_tampering_is_detected_against_the_record(
    closed_vote, api, app, runner, tmp_path, tamper
):
    vid = closed_vote["votes"]["main"]
    body, _, _ = download(api, vid, as_="organiser")
    path = tmp_path / "record.json"
    path.write_bytes(body)
    ok = runner.invoke(args=["verify", str(path), "--against-database"])
    assert ok.exit_code == 0 and ok.output.strip().endswith("OK"), ok.output
    victim = db.session.execute(text("SELECT id, marks FROM ballots LIMIT 1")).one()
    if tamper == "edit":
        flipped = ("A" if victim.marks[0] == "F" else "F") + victim.marks[1:]
        db.session.execute(
            text("UPDATE ballots SET marks = :m WHERE id = :i"), {"m": flipped, "i": victim.id}
        )
    elif tamper == "delete":
        db.session.execute(text("DELETE FROM ballots WHERE id = :i"), {"i": victim.id})
    else:
        db.session.execute(
            text("INSERT INTO ballots (id, vote_id, marks) VALUES (:i, :v, :m)"),
            {"i": "f" * 32, "v": vid, "m": victim.marks},
        )
    db.session.commit()
    bad = runner.invoke(args=["verify", str(path), "--against-database"])
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines()[-1] == "FAILED: database ballots"


def test_secrecy_after_close_no_shared_xmin_and_no_cast_order(closed_vote, api):
    """After close, no system column or physical position links a ballot to the roll."""
    if db.engine.dialect.name == "postgresql":
        shared = db.session.execute(
            text("SELECT count(*) FROM ballots b JOIN roll_entries r ON b.xmin = r.xmin")
        ).scalar()
        assert shared == 0
        xmins = db.session.execute(text("SELECT DISTINCT xmin::text FROM ballots")).all()
        assert len(xmins) == 1
    else:
        sql = db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'ballots'")
        ).scalar()
        assert "WITHOUT ROWID" in sql
        assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1


def test_paper_records_verify(make_scenario, organiser, api):
    record = _paper_record(make_scenario, api)
    assert record["paper"] == {"issued": 8, "returned": 8, "invalid": 1}
    assert all(c.ok for c in verify_record(record)), verify_record(record)
    record["tally"][0]["for"] = 6
    assert [c.name for c in verify_record(record) if not c.ok][0] == "tally"


def test_key_rotation_keeps_old_records_verifiable(closed_vote, api, runner, client):
    vid = closed_vote["votes"]["main"]
    body, sig, pem = download(api, vid, as_="organiser")
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    keys = client.get("/api/v1/keys").get_json()["keys"]
    assert len(keys) == 2 and keys[0]["valid_until"] and keys[1]["valid_until"] is None
    assert keys[0]["pem"].encode() == pem
    assert json.loads(rotated.output)["fingerprint"] == keys[1]["fingerprint"]
    assert download(api, vid, as_="organiser")[2] == pem  # the key that signed it


def test_the_demo_publishes_a_verifiable_record(app, runner, client, tmp_path):
    assert runner.invoke(args=["demo"]).exit_code == 0
    page = client.get("/votes/1/announcement").get_data(as_text=True)
    for link in (
        "/api/v1/votes/1/record",
        "/api/v1/votes/1/record.sig",
        "/api/v1/votes/1/record.pem",
    ):
        assert link in page
    body = client.get("/api/v1/votes/1/record").get_data()
    record = json.loads(body)
    assert len(record["ballots"]) == 179 and all(c.ok for c in verify_record(record))
    # 龙门镇's paper vote is published with its record; its runoff, a draft, has none yet
    assert client.get("/api/v1/votes/3/record").status_code == 200
    assert client.get("/api/v1/votes/4/record").status_code == 403


def test_merkle_root_known_answers():
    import hashlib

    empty = hashlib.sha256(b"").hexdigest()
    assert merkle_root([]) == empty
    one = hashlib.sha256(b"\x00FAN").hexdigest()
    assert merkle_root(["FAN"]) == one
    a, b = sorted([rules.leaf_hash(b"F"), rules.leaf_hash(b"A")])
    assert merkle_root(["F", "A"]) == hashlib.sha256(b"\x01" + a + b).hexdigest()
    # three leaves: the left subtree takes the largest power of two below 3
    x, y, z = sorted(rules.leaf_hash(m.encode()) for m in ("F", "A", "N"))
    left = rules.node_hash(x, y)
    assert merkle_root(["N", "F", "A"]) == rules.node_hash(left, z).hex()


@given(
    st.lists(st.text(alphabet="FAN", min_size=3, max_size=3), min_size=1, max_size=40), st.randoms()
)
def test_merkle_root_ignores_order_and_sees_every_change(ballots, rnd):
    shuffled = copy.copy(ballots)
    rnd.shuffle(shuffled)
    assert merkle_root(shuffled) == merkle_root(ballots)
    changed = copy.copy(ballots)
    changed[0] = "FFF" if changed[0] != "FFF" else "AAA"
    assert merkle_root(changed) != merkle_root(ballots)


def test_record_bytes_are_canonical(closed_vote, api):
    vid = closed_vote["votes"]["main"]
    body, sig, pem = download(api, vid, as_="organiser")
    assert canonical_json(json.loads(body)) == body
    # served byte for byte as they were stored and signed: the signature holds on them
    stored = db.session.get(VoteRecord, vid)
    assert (body, sig) == (stored.body, stored.signature)
    serialization.load_pem_public_key(pem).verify(sig, body)  # raises when it does not hold
    assert json.loads(body)["vote"]["id"] == vid


def test_a_record_re_signed_with_another_key_fails(closed_vote, api, tmp_path):
    """A forger who signs a doctored record with a key of their own is caught: the key is
    not the one the record names."""
    body, _, _ = download(api, closed_vote["votes"]["main"], as_="organiser")
    forger = Ed25519PrivateKey.generate()
    pem = forger.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    paths = write(tmp_path, body, forger.sign(body), pem)
    code, lines = run_verify(paths[0], "--signature", paths[1], "--key", paths[2])
    assert code == 1 and lines[-1] == "FAILED: signature"
    assert any("not the one the record names" in line for line in lines)


def test_against_database_with_junk_fails_cleanly(app, runner, tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    result = runner.invoke(args=["verify", str(junk), "--against-database"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1] == "FAILED: format, database ballots"


def test_rotation_destroys_the_old_private_key(closed_vote, app, runner):
    key_file = app.instance_path + "/signing-key.pem"
    before = open(key_file, "rb").read()
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert open(key_file, "rb").read() != before
    assert [f for f in os.listdir(app.instance_path) if "signing" in f] == ["signing-key.pem"]
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"


def test_demo_record_carries_the_session_date(app, runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    record = json.loads(client.get("/api/v1/votes/1/record").get_data())
    assert record["closed_at"].startswith("2026-01-08")


def test_a_forgery_with_its_own_key_is_caught_by_the_published_fingerprint(
    closed_vote, api, tmp_path
):
    """A forger who edits the ballots, recomputes everything, names their own key in the
    record and signs with it passes every content check; only the fingerprint the congress
    published exposes it, and verify prints the fingerprint to compare."""
    body, _, real_pem = download(api, closed_vote["votes"]["main"], as_="organiser")
    from votesys.integrity.services import key_fingerprint_of

    real = key_fingerprint_of(real_pem)
    forger = Ed25519PrivateKey.generate()
    pem = forger.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = json.loads(body)
    record["signing_key"] = key_fingerprint_of(pem)
    forged = canonical_json(record)
    paths = write(tmp_path, forged, forger.sign(forged), pem)
    code, lines = run_verify(paths[0], "--signature", paths[1], "--key", paths[2])
    assert lines[-1] == "OK" and any(record["signing_key"] in line for line in lines)
    code, lines = run_verify(
        paths[0], "--signature", paths[1], "--key", paths[2], "--fingerprint", real
    )
    assert code == 1 and lines[-1] == "FAILED: signature"
    assert any("not the published one" in line for line in lines)


def test_verify_says_when_the_signature_was_not_checked(closed_vote, api, tmp_path):
    body = download(api, closed_vote["votes"]["main"], as_="organiser")[0]
    (tmp_path / "r.json").write_bytes(body)
    code, lines = run_verify(tmp_path / "r.json")
    assert code == 0 and lines[-1] == "OK"
    assert any(line.startswith("skip  signature") for line in lines)


def test_hostile_files_fail_cleanly(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200000 + "]" * 200000)
    code, lines = run_verify(deep)
    assert code == 1 and lines[-1] == "FAILED: format"
    key = tmp_path / "k.pem"
    key.write_bytes(b"-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n")
    sig = tmp_path / "s.sig"
    sig.write_bytes(bytes(64))
    code, lines = run_verify(deep, "--signature", sig, "--key", key)
    assert code == 1 and "signature" in lines[-1]


def _paper_record(make_scenario, api):
    ids = make_scenario(deputies=9, candidates=2, seats=1, mode="paper")
    api.login("organiser", "organiser-pass")
    for code in list(ids["deputies"])[:8]:
        api.post(
            f"/api/v1/sessions/{ids['session']}/attendance", {"deputy_code": code}, as_="organiser"
        )
    vid = ids["votes"]["main"]
    api.post(f"/api/v1/votes/{vid}/open", as_="organiser")
    c1, c2 = str(ids["candidates"]["c1"]), str(ids["candidates"]["c2"])
    totals = paper_totals(c1, c2)
    api.post(f"/api/v1/votes/{vid}/paper", totals, as_="organiser")
    return json.loads(download(api, vid, as_="organiser")[0])


def test_paper_record_tamperings_are_named(make_scenario, organiser, api):
    record = _paper_record(make_scenario, api)
    assert all(c.ok for c in verify_record(record))
    cases = [
        (lambda r: r["roll"].update(ballots_cast=7), "counts"),
        (lambda r: r["roll"].update(present=10), "counts"),
        (lambda r: r["tally"].pop(), "candidates"),
        (
            lambda r: r["tally"].append({"candidate": 999, "for": 0, "against": 0, "abstain": 7}),
            "candidates",
        ),
        (lambda r: r["decision"].pop("void"), "format"),
        (lambda r: r["vote"].update(mode="electronic"), "format"),
    ]
    for tamper, check in cases:
        doctored = copy.deepcopy(record)
        tamper(doctored)
        failed = [c.name for c in verify_record(doctored) if not c.ok]
        assert failed and failed[0] == check, (check, failed)


def test_a_configured_key_folder_must_exist(closed_vote, app, monkeypatch, tmp_path):
    from votesys.integrity.services import signing_key

    monkeypatch.setenv("VOTESYS_SIGNING_KEY_FILE", str(tmp_path / "not-mounted" / "key.pem"))
    with pytest.raises(RuntimeError, match="does not exist"):
        signing_key()
    assert not (tmp_path / "not-mounted").exists()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's database file; PostgreSQL keeps its own")
def test_the_sqlite_database_is_readable_by_its_owner_only(app):
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert oct(os.stat(db.engine.url.database).st_mode & 0o777) == "0o600"


def changed_rules() -> SimpleNamespace:
    """Version "2" of the rules: passing needs every one of the base, not more than half."""
    law = SimpleNamespace(
        **{k: getattr(rules_1, k) for k in dir(rules_1) if not k.startswith("__")}
    )

    def passage_threshold(base, *, total, present, valid):
        if base == "none":
            return None
        denominator = {"all_deputies": total, "present": present, "valid_ballots": valid}[base]
        return denominator

    law.passage_threshold = passage_threshold
    return law


@pytest.fixture
def rules_changed(monkeypatch):
    monkeypatch.setattr(record_rules, "RULES", {"1": rules_1, "2": changed_rules()})
    monkeypatch.setattr(record_rules, "RULES_VERSION", "2")


def failed(record) -> list[str]:
    return [c.name for c in record_rules.verify_record(record) if not c.ok]


def test_a_record_names_its_rules(closed_vote, api):
    body, _, _ = download(api, closed_vote["votes"]["main"], as_="organiser")
    assert json.loads(body)["rules_version"] == record_rules.RULES_VERSION == "1"


def test_a_record_made_before_a_rule_change_still_verifies(
    closed_vote,
    api,
    tmp_path,
    rules_changed,
):
    body, sig, pem = download(api, closed_vote["votes"]["main"], as_="organiser")
    record = json.loads(body)
    assert failed(record) == []
    record_file, sig_file, key_file = write(tmp_path, body, sig, pem)
    code, lines = run_verify(record_file, "--signature", sig_file, "--key", key_file)
    assert code == 0 and lines[-1] == "OK"


def test_the_named_version_is_the_one_applied(closed_vote, api, rules_changed):
    """The same record claiming the new rules fails them (their threshold is 6 of 6, the
    record's 4); claiming rules this verifier does not know fails its format."""
    body, _, _ = download(api, closed_vote["votes"]["main"], as_="organiser")
    record = json.loads(body)
    record["rules_version"] = "2"
    assert "decision" in failed(record)
    record["rules_version"] = "9"
    assert failed(record) == ["format"]


def test_records_from_before_versions_were_named_use_version_one(closed_vote, api):
    body, _, _ = download(api, closed_vote["votes"]["main"], as_="organiser")
    record = json.loads(body)
    del record["rules_version"]  # as votesys 0.1.0 wrote them
    assert failed(record) == []
