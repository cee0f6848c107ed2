"""A deputy's receipt checked from the public site (issue 18 item 8): the published vote that
counted it and its Merkle inclusion proof; an unpublished or practice vote's receipt answers
exactly as an unknown one; malformed receipts are refused with a clear message."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import build_scenario
from tests.portal.conftest import counting
from votesys import scenario
from votesys.congress.models import Deputy
from votesys.extensions import cache, db
from votesys.integrity.rules import merkle_root, verify_inclusion
from votesys.voting.models import Vote, VoteRecord
from votesys.voting.record import parse_record
from votesys.voting.record_rules import verify_record
from votesys.voting.scrutiny_models import Confirmation

UNKNOWN = "22222-22222"


@pytest.fixture(autouse=True)
def _many_lookups(app):
    app.config["RECEIPT_RATE_LIMIT"] = "100000 per minute"


def _vote(api, *, practice: bool = False, publish: bool = True) -> tuple[int, list[str]]:
    """Five deputies cast on three candidates, the vote closed (and published); the receipts."""
    data = build_scenario(deputies=5, candidates=3, seats=1)
    data["votes"][0]["practice"] = practice
    ids = scenario.load(data)
    db.session.commit()
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    c1 = str(ids["candidates"]["c1"])
    receipts = []
    for code in sorted(ids["deputies"])[:4]:
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_=code)
        assert r.status_code == 201
        receipts.append(r.get_json()["receipt"])
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    if publish:
        assert api.post(f"/api/v1/votes/{vid}/publish", as_="organiser").status_code == 200
    return vid, receipts


@pytest.fixture
def published(organiser, api):
    return _vote(api)


def test_a_receipt_of_a_published_vote_is_proved_in_its_count(published, client):
    vid, receipts = published
    record = parse_record(db.session.get(VoteRecord, vid).body)
    assert record["trackers_root"] == merkle_root(record["trackers"])
    assert all(c.ok for c in verify_record(record))
    indexes = set()
    for receipt in receipts:
        r = client.get(f"/api/v1/public/receipts/{receipt}")
        assert r.status_code == 200
        answer = r.get_json()
        assert answer["vote_id"] == vid and answer["counted"] is True
        assert answer["root"] == record["trackers_root"] and answer["tree_size"] == 4
        assert verify_inclusion(
            receipt, answer["leaf_index"], answer["tree_size"], answer["proof"], answer["root"]
        )
        indexes.add(answer["leaf_index"])
    assert indexes == {0, 1, 2, 3}
    # Typed as a person types it: lower case, no hyphen, spaces.
    loose = receipts[0].lower().replace("-", " ")
    assert client.get(f"/api/v1/public/receipts/{loose}").get_json()["vote_id"] == vid


def test_the_proof_fails_for_a_receipt_not_in_the_record(published, client):
    vid, receipts = published
    answer = client.get(f"/api/v1/public/receipts/{receipts[0]}").get_json()
    args = (answer["leaf_index"], answer["tree_size"], answer["proof"], answer["root"])
    assert verify_inclusion(receipts[0], *args)
    assert not verify_inclusion(UNKNOWN, *args)
    assert not verify_inclusion(receipts[1], *args)


def _unknown_body(client):
    r = client.get(f"/api/v1/public/receipts/{UNKNOWN}")
    assert r.status_code == 404
    return r.get_json()


def test_an_unknown_receipt_is_404(published, client):
    body = _unknown_body(client)
    assert body["error"] == "unknown_receipt" and body["message"]


def test_an_unpublished_votes_receipt_answers_as_an_unknown_one(organiser, api, client):
    vid, receipts = _vote(api, publish=False)
    assert db.session.get(VoteRecord, vid) is not None  # closed and recorded, not published
    for receipt in receipts:
        r = client.get(f"/api/v1/public/receipts/{receipt}")
        assert r.status_code == 404 and r.get_json() == _unknown_body(client)
    page = client.get("/verify", query_string={"receipt": receipts[0]})
    unknown = client.get("/verify", query_string={"receipt": UNKNOWN})
    assert page.status_code == unknown.status_code == 404
    assert page.get_data(as_text=True) == unknown.get_data(as_text=True).replace(
        UNKNOWN, receipts[0]
    )


def test_a_practice_votes_receipt_answers_as_an_unknown_one(organiser, api, client):
    vid, receipts = _vote(api, practice=True, publish=False)
    assert db.session.get(Vote, vid).practice
    # Even if a practice vote's state said published, it is never answered.
    db.session.get(Vote, vid).state = "published"
    db.session.commit()
    for receipt in receipts:
        r = client.get(f"/api/v1/public/receipts/{receipt}")
        assert r.status_code == 404 and r.get_json() == _unknown_body(client)


@pytest.mark.parametrize(
    "typed",
    ["abc", "7KQ2M-9XRT4X", "7KQ2M-9XRT", "0OIL1-0OIL1", "ÄÄÄÄÄ-ÄÄÄÄÄ", "x" * 300, "' OR 1=1 --"],
)
def test_a_malformed_receipt_is_refused_with_a_clear_message(app, client, typed):
    r = client.get(f"/api/v1/public/receipts/{typed}")
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"] == "bad_receipt" and "7KQ2M-9XRT4" in body["message"]
    page = client.get("/verify", query_string={"receipt": typed})
    assert page.status_code == 400 and "7KQ2M-9XRT4" in page.get_data(as_text=True)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=80))
def test_any_text_is_answered_cleanly(app, client, typed):
    r = client.get("/verify", query_string={"receipt": typed})
    assert r.status_code in (200, 400, 404)
    if typed.strip("/") and "/" not in typed and typed not in (".", ".."):
        api = client.get(f"/api/v1/public/receipts/{typed}")
        assert api.status_code in (400, 404) and api.get_json()["message"]


def test_the_lookups_are_rate_limited(published, app, client):
    vid, receipts = published
    app.config["RECEIPT_RATE_LIMIT"] = "3 per minute"
    codes = [client.get(f"/api/v1/public/receipts/{receipts[0]}").status_code for _ in range(2)]
    codes += [client.get("/verify", query_string={"receipt": receipts[0]}).status_code]
    codes += [client.get(f"/api/v1/public/receipts/{UNKNOWN}").status_code]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/verify", query_string={"receipt": receipts[1]})
    assert limited.status_code == 429
    assert client.get("/verify").status_code == 200  # the empty form is not a look-up


def test_the_page_answers_in_plain_words_with_the_proof(published, client):
    vid, receipts = published
    cache.clear()
    page = client.get("/verify", query_string={"receipt": receipts[0].lower()})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    answer = client.get(f"/api/v1/public/receipts/{receipts[0]}").get_json()
    assert f'data-receipt="{receipts[0]}"' in html
    assert f'data-root="{answer["root"]}"' in html
    assert f'data-proof="{",".join(answer["proof"])}"' in html
    assert db.session.get(Vote, vid).title in html
    assert f"/verify/record?vote={vid}" in html
    assert "/static/verify.js" in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_old_records_without_a_trackers_root_still_verify(published):
    vid, _receipts = published
    record = parse_record(db.session.get(VoteRecord, vid).body)
    del record["trackers_root"]
    assert all(c.ok for c in verify_record(record))
    record["trackers_root"] = "00" * 32
    failed = [c for c in verify_record(record) if not c.ok]
    assert [c.name for c in failed] == ["trackers root"]


# --- the announcement ------------------------------------------------------------------


def test_the_announcement_prints_the_digests_and_a_qr_code(published, client, app):
    vid, _receipts = published
    row = db.session.get(VoteRecord, vid)
    record = parse_record(row.body)
    html = client.get(f"/votes/{vid}/announcement").get_data(as_text=True)

    def grouped(hex_digest):
        return " ".join(re.findall(".{1,4}", hex_digest))

    assert grouped(hashlib.sha256(row.body).hexdigest()) in html
    assert grouped(row.key_fingerprint) in html
    assert grouped(record["merkle_root"]) in html
    assert grouped(record["trackers_root"]) in html
    url = f"http://localhost/api/v1/votes/{vid}/record"
    qr = segno.make(url, error="m").svg_inline(scale=3, title=url, omitsize=True)
    assert qr in html  # segno's own SVG of the record's public address
    assert 'class="segno"' in html and "<svg" in html
    assert "/verify/record" in html
    # No scrutineer confirmed: no list of fingerprints ("None" in words).
    assert "check-scrutineers" not in html


def test_the_announcement_uses_the_public_url(published, client, app):
    vid, _receipts = published
    app.config["PUBLIC_URL"] = "https://rd.example.gov.cn"
    html = client.get(f"/votes/{vid}/announcement").get_data(as_text=True)
    url = f"https://rd.example.gov.cn/api/v1/votes/{vid}/record"
    assert segno.make(url, error="m").svg_inline(scale=3, title=url, omitsize=True) in html


def test_the_announcement_prints_the_scrutineers_fingerprints(published, client):
    vid, _receipts = published
    deputy = db.session.scalar(db.select(Deputy).where(Deputy.code == "D0001"))
    raw = bytes(range(32))
    db.session.add(
        Confirmation(
            vote_id=vid,
            deputy_id=deputy.id,
            public_key=base64.b64encode(raw).decode(),
            signature=base64.b64encode(b"\x00" * 64).decode(),
        )
    )
    db.session.commit()
    html = client.get(f"/votes/{vid}/announcement").get_data(as_text=True)
    fingerprint = hashlib.sha256(raw).hexdigest()
    assert " ".join(re.findall(".{4}", fingerprint)) in html
    assert deputy.name in html and "check-scrutineers" in html


def test_a_closed_vote_shows_its_digests_to_its_organiser_only(organiser, api, client):
    vid, _receipts = _vote(api, publish=False)
    row = db.session.get(VoteRecord, vid)
    digest = " ".join(re.findall(".{4}", hashlib.sha256(row.body).hexdigest()))
    assert client.get(f"/votes/{vid}/announcement").status_code == 403
    client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    assert digest in client.get(f"/votes/{vid}/announcement").get_data(as_text=True)


def test_the_verifier_page_loads_nothing_by_itself(app, client):
    html = client.get("/verify/record?vote=12").get_data(as_text=True)
    assert 'value="12"' in html and 'type="module"' in html and "verifier.js" in html
    assert 'value="<' not in client.get("/verify/record?vote=<b>").get_data(as_text=True)


def test_a_look_up_runs_a_few_statements(published, client):
    vid, receipts = published
    for url in (f"/api/v1/public/receipts/{receipts[0]}", f"/verify?receipt={receipts[1]}"):
        cache.clear()
        with counting() as seen:
            assert client.get(url).status_code == 200
        assert len(seen) <= 5, (url, seen)  # generation, the vote, its record, its session
