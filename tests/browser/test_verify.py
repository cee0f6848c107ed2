"""Check the result from the paper (issue 18 item 8), in Chromium: a deputy's receipt looked up
on a phone with its proof checked in the page, and the offline verifier at the desk passing a
real record and failing it when one byte is changed. Screenshots in /tmp/shots/V/."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from tests.browser.checks import OVERFLOW
from tests.browser.conftest import DESK
from votesys.extensions import db
from votesys.voting.models import RollEntry, Vote

SHOTS = Path("/tmp/shots/V")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def accessible(page) -> None:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
           .map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    assert violations == [], (page.url, violations)


@pytest.fixture
def published(demo_app):
    """A published (not practice) demo vote with ballots, and one of its receipts."""
    with demo_app.app_context():
        vote_id, receipt = db.session.execute(
            select(Vote.id, RollEntry.receipt)
            .join(RollEntry, RollEntry.vote_id == Vote.id)
            .where(Vote.state == "published", Vote.practice.is_(False))
            .order_by(Vote.id, RollEntry.receipt)
            .limit(1)
        ).one()
    return demo_app.config["LIVE_URL"], vote_id, receipt


def test_a_deputy_checks_a_receipt_on_a_phone(browser, published):
    base, vote_id, receipt = published
    context = browser.new_context(**PHONE, bypass_csp=True)  # bypass: only to inject axe
    page = context.new_page()
    page.goto(f"{base}/verify")
    shot(page, "verify-phone-empty")
    # Typed as a person reads it off the tablet: lower case, a space for the hyphen.
    page.fill("#receipt", receipt.lower().replace("-", " "))
    page.click("form.stack-form button.primary")
    page.wait_for_selector("#proof-status.pass")
    assert page.locator("h2.check-verdict.pass").is_visible()
    assert page.locator("#proof-status.fail").count() == 0
    root = page.get_attribute("#proof-check", "data-root")
    page.fill("#printed-root", " ".join(root[i : i + 4] for i in range(0, 64, 4)))
    page.wait_for_selector("#printed-status.pass")
    assert page.evaluate(OVERFLOW) == []
    accessible(page)
    shot(page, "verify-phone-counted")
    page.fill("#printed-root", "0" * 64)
    page.wait_for_selector("#printed-status.fail")
    shot(page, "verify-phone-printed-differs")
    page.click(f"a[href$='/verify/record?vote={vote_id}']")
    page.wait_for_selector("#vote-id")
    assert page.input_value("#vote-id") == str(vote_id)
    # An unknown receipt: a clear message, no answer.
    page.goto(f"{base}/verify?receipt=22222-22222")
    assert page.locator("#receipt-error").is_visible()
    assert page.locator("#proof-check").count() == 0
    shot(page, "verify-phone-unknown")
    context.close()


def _files(app, vote_id: int, folder: Path) -> dict[str, Path]:
    client = app.test_client()
    paths = {}
    for suffix, name in (("", "record.json"), (".sig", "record.sig"), (".pem", "key.pem")):
        r = client.get(f"/api/v1/votes/{vote_id}/record{suffix}")
        assert r.status_code == 200
        paths[name] = folder / name
        paths[name].write_bytes(r.get_data())
    return paths


def _results(page) -> dict[str, str]:
    page.wait_for_selector("#verifier-checks li")
    return dict(
        zip(
            page.locator("#verifier-checks li strong").all_inner_texts(),
            page.locator("#verifier-checks li .check-status").evaluate_all(
                "els => els.map(e => e.classList[1])"
            ),
            strict=True,
        )
    )


def test_the_verifier_passes_a_real_record_and_fails_a_changed_byte(
    browser, published, demo_app, tmp_path
):
    base, vote_id, _receipt = published
    context = browser.new_context(**DESK, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{base}/verify/record?vote={vote_id}")
    page.wait_for_selector("body[data-verifier-ready='1']")

    # From the site: every check passes (the SHA-256 compared with the printed one).
    with demo_app.app_context():
        body = demo_app.test_client().get(f"/api/v1/votes/{vote_id}/record").get_data()
    page.fill("#printed-sha256", hashlib.sha256(body).hexdigest())
    page.click("#load-site button")
    seen = _results(page)
    assert set(seen.values()) <= {"pass", "none"}, seen
    assert list(seen.values()).count("pass") >= 6, seen  # signature, key, sha, roots, tally
    assert page.locator("[data-digest='sha256']").inner_text().replace(" ", "") == (
        hashlib.sha256(body).hexdigest()
    )
    accessible(page)
    shot(page, "verifier-desk-site-passed")

    # From files, with no network: the same files pass; one changed byte fails the signature.
    files = _files(demo_app, vote_id, tmp_path)
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.set_input_files("#file-record", str(files["record.json"]))
    page.set_input_files("#file-signature", str(files["record.sig"]))
    page.set_input_files("#file-key", str(files["key.pem"]))
    page.fill("#printed-sha256", "")
    page.click("#load-files button")
    page.wait_for_function(
        "document.getElementById('verifier-source').textContent.length > 0 &&"
        " !document.getElementById('verifier-source').textContent.includes('" + str(vote_id) + "')"
    )
    seen = _results(page)
    assert set(seen.values()) <= {"pass", "none"}, seen

    flipped = bytearray(files["record.json"].read_bytes())
    at = flipped.index(b'"ballots_cast":') + len(b'"ballots_cast":')
    flipped[at] = ord("9") if flipped[at] != ord("9") else ord("8")  # one digit changed
    changed = tmp_path / "changed.json"
    changed.write_bytes(bytes(flipped))
    page.set_input_files("#file-record", str(changed))
    page.click("#load-files button")
    page.wait_for_selector("#verifier-checks li .check-status.fail")
    first = page.locator("#verifier-checks li").first
    assert "fail" in first.locator(".check-status").get_attribute("class")  # the signature
    shot(page, "verifier-desk-byte-changed")
    assert asked == []  # checking files asked the network nothing
    assert errors == []
    context.close()


NO_WEBCRYPTO_ED25519 = """(() => {
  const original = crypto.subtle.importKey.bind(crypto.subtle);
  crypto.subtle.importKey = (format, data, algorithm, ...rest) => {
    const name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
    if (name === "Ed25519") {
      return Promise.reject(new DOMException("no Ed25519 here", "NotSupportedError"));
    }
    return original(format, data, algorithm, ...rest);
  };
})();"""


def test_without_webcrypto_ed25519_the_vendored_library_checks_confirmations(
    browser, published, demo_app, tmp_path
):
    """An older browser: noble-ed25519 checks the installation's signature and each
    scrutineer's; a confirmation signed over other bytes fails."""
    base, vote_id, _receipt = published
    files = _files(demo_app, vote_id, tmp_path)
    body = files["record.json"].read_bytes()

    def confirmation(code: str, signed: bytes) -> dict:
        key = Ed25519PrivateKey.generate()
        raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {
            "deputy_code": code,
            "public_key": base64.b64encode(raw).decode(),
            "signature": base64.b64encode(key.sign(signed)).decode(),
        }

    confirmations = tmp_path / "confirmations.json"
    confirmations.write_text(
        json.dumps([confirmation("D0001", body), confirmation("D0002", body + b" ")])
    )
    context = browser.new_context(**DESK)
    context.add_init_script(NO_WEBCRYPTO_ED25519)
    page = context.new_page()
    page.goto(f"{base}/verify/record")
    page.wait_for_selector("body[data-verifier-ready='1']")
    page.set_input_files("#file-record", str(files["record.json"]))
    page.set_input_files("#file-signature", str(files["record.sig"]))
    page.set_input_files("#file-key", str(files["key.pem"]))
    page.set_input_files("#file-confirmations", str(confirmations))
    page.click("#load-files button")
    page.wait_for_selector("#verifier-checks li")
    page.wait_for_function("document.getElementById('verifier-engine').textContent.length > 0")
    states = page.locator("#verifier-checks li .check-status").evaluate_all(
        "els => els.map(e => e.classList[1])"
    )
    names = page.locator("#verifier-checks li strong").all_inner_texts()
    assert states[0] == "pass"  # the installation's signature, by noble-ed25519
    assert "noble" in page.inner_text("#verifier-engine")
    assert [s for n, s in zip(names, states, strict=True) if "D0001" in n] == ["pass"]
    assert [s for n, s in zip(names, states, strict=True) if "D0002" in n] == ["fail"]
    shot(page, "verifier-desk-noble-confirmations")
    context.close()


def test_the_announcement_prints_its_digests_and_qr_code(browser, published):
    base, vote_id, _receipt = published
    context = browser.new_context(**DESK)
    page = context.new_page()
    page.goto(f"{base}/votes/{vote_id}/announcement")
    check = page.locator(".announcement-check")
    assert check.is_visible()
    assert check.locator("svg.segno").bounding_box()["width"] >= 100  # large enough to scan
    shot(page, "announcement-desk")
    page.emulate_media(media="print")
    assert check.is_visible() and page.locator(".verify-box").is_hidden()
    shot(page, "announcement-print")
    context.close()


def test_a_confirmation_by_a_key_of_small_order_fails_in_the_browser(
    browser, published, demo_app, tmp_path
):
    """The neutral point as a key, with R = the neutral point and S = 0, verifies over any
    bytes in WebCrypto; the verifier refuses such a key before asking WebCrypto."""
    base, vote_id, _receipt = published
    files = _files(demo_app, vote_id, tmp_path)
    neutral = bytes([1]) + bytes(31)
    confirmations = tmp_path / "confirmations.json"
    confirmations.write_text(
        json.dumps(
            [
                {
                    "deputy_code": "D0009",
                    "public_key": base64.b64encode(neutral).decode(),
                    "signature": base64.b64encode(neutral + bytes(32)).decode(),
                }
            ]
        )
    )
    context = browser.new_context(**DESK)
    page = context.new_page()
    page.goto(f"{base}/verify/record")
    page.wait_for_selector("body[data-verifier-ready='1']")
    page.set_input_files("#file-record", str(files["record.json"]))
    page.set_input_files("#file-signature", str(files["record.sig"]))
    page.set_input_files("#file-key", str(files["key.pem"]))
    page.set_input_files("#file-confirmations", str(confirmations))
    page.click("#load-files button")
    page.wait_for_selector("#verifier-checks li")
    states = page.locator("#verifier-checks li .check-status").evaluate_all(
        "els => els.map(e => e.classList[1])"
    )
    names = page.locator("#verifier-checks li strong").all_inner_texts()
    assert states[0] == "pass"  # the installation's own signature still checks
    assert [s for n, s in zip(names, states, strict=True) if "D0009" in n] == ["fail"]
    context.close()
