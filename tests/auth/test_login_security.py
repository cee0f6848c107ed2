"""Login security: PIN lockout and unlock, rate limits, sessions, token expiry and revocation,
PIN change, and the security headers."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from tests.factories import PIN
from votesys.auth.models import ApiToken
from votesys.auth.services import PIN_LOCK_AFTER
from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.models_base import utcnow

WRONG = "999999"


def tablet(client, code, pin):
    return client.post("/tablet/login", data={"code": code, "pin": pin})


def deputy(code) -> Deputy:
    db.session.expire_all()
    return db.session.scalar(select(Deputy).where(Deputy.code == code))


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# -- PIN lockout ---------------------------------------------------------------------------


def test_four_wrong_pins_then_the_right_one_logs_in_and_resets_the_count(client, two_counties):
    for _ in range(PIN_LOCK_AFTER - 1):
        r = tablet(client, "D0001", WRONG)
        assert r.status_code == 401 and "代表编号或 PIN 码错误" in r.get_data(as_text=True)
    assert deputy("D0001").failed_pins == 4 and not deputy("D0001").pin_locked
    assert tablet(client, "D0001", PIN).status_code == 302
    assert deputy("D0001").failed_pins == 0


def test_the_fifth_wrong_pin_locks_until_unlocked(client, api, two_counties):
    for _ in range(PIN_LOCK_AFTER - 1):
        assert tablet(client, "D0001", WRONG).status_code == 401
    fifth = tablet(client, "D0001", WRONG)
    assert fifth.status_code == 423 and "已被锁定" in fifth.get_data(as_text=True)
    assert deputy("D0001").pin_locked and len(audits("pin_locked")) == 1
    # The right PIN no longer opens it: tablet, web login and API alike.
    right = tablet(client, "D0001", PIN)
    assert right.status_code == 423 and "请联系会务人员解锁" in right.get_data(as_text=True)
    assert client.post("/login", data={"login": "D0001", "password": PIN}).status_code == 423
    r = client.post("/api/v1/auth/token", json={"login": "D0001", "password": PIN})
    assert r.status_code == 423 and r.get_json()["error"] == "pin_locked"
    # Another deputy is not affected.
    assert tablet(client, "D0002", PIN).status_code == 302


def test_wrong_pins_count_across_tablet_web_and_api(client, two_counties):
    tablet(client, "d0001", WRONG)  # lower case: the same deputy
    client.post("/login", data={"login": "D0001", "password": WRONG})
    for _ in range(2):
        client.post("/api/v1/auth/token", json={"login": "D0001", "password": WRONG})
    assert deputy("D0001").failed_pins == 4
    r = client.post("/api/v1/auth/token", json={"login": "D0001", "password": WRONG})
    assert r.status_code == 423 and r.get_json()["error"] == "pin_now_locked"


def lock(client, code="D0001"):
    for _ in range(PIN_LOCK_AFTER):
        tablet(client, code, WRONG)
    assert deputy(code).pin_locked


def test_unlock_by_an_organiser_of_the_jurisdiction(client, api, two_counties):
    lock(client)
    api.login("org-there", "org-there-pass")
    api.login("org-here", "org-here-pass")
    refused = api.post("/api/v1/deputies/D0001/unlock", as_="org-there")
    assert refused.status_code == 403 and refused.get_json()["error"] == "out_of_scope"
    assert deputy("D0001").pin_locked
    ok = api.post("/api/v1/deputies/D0001/unlock", as_="org-here")
    assert ok.status_code == 200 and ok.get_json() == {"deputy_code": "D0001", "locked": False}
    assert not deputy("D0001").pin_locked and deputy("D0001").failed_pins == 0
    assert [e.object for e in audits("pin_unlocked")] == ["deputy:D0001"]
    assert tablet(client, "D0001", PIN).status_code == 302
    # A deputy cannot unlock anyone; an unknown code is 404.
    assert api.post("/api/v1/deputies/NOPE/unlock", as_="org-here").status_code == 404
    api.login("D0002", PIN)
    assert api.post("/api/v1/deputies/D0001/unlock", as_="D0002").status_code == 403


def test_unlock_button_on_the_desk(client, app, two_counties):
    lock(client)
    other = app.test_client()
    other.post("/login", data={"login": "org-there", "password": "org-there-pass"})
    d = deputy("D0001")
    assert other.post(f"/desk/deputies/{d.id}/unlock").status_code == 403
    assert deputy("D0001").pin_locked
    client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    page = client.get(f"/desk/congresses/{d.congress_id}").get_data(as_text=True)
    assert "解锁 PIN 码" in page and f"/desk/deputies/{d.id}/unlock" in page
    r = client.post(f"/desk/deputies/{d.id}/unlock")
    assert r.status_code == 302 and not deputy("D0001").pin_locked
    assert "解锁 PIN 码" not in client.get(f"/desk/congresses/{d.congress_id}").get_data(
        as_text=True
    )
    assert len(audits("pin_unlocked")) == 1


# -- Rate limits ---------------------------------------------------------------------------


def test_per_account_limit_counts_failures_across_the_three_logins(client, app, two_counties):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per minute"
    assert client.post("/login", data={"login": "org-here", "password": "x"}).status_code == 401
    r = client.post("/api/v1/auth/token", json={"login": "ORG-HERE", "password": "x"})
    assert r.status_code == 401
    assert client.post("/login", data={"login": "org-here", "password": "x"}).status_code == 401
    limited = client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    assert limited.status_code == 429
    assert "登录失败次数过多" in limited.get_data(as_text=True)
    assert limited.headers.get("Retry-After")
    api = client.post("/api/v1/auth/token", json={"login": "org-here", "password": "x"})
    assert api.status_code == 429 and api.get_json()["error"] == "login_rate_limited"
    # Another account from the same client is not limited by it.
    assert client.post("/login", data={"login": "organiser", "password": "x"}).status_code == 401
    english = client.post("/login?lang=en", data={"login": "org-here", "password": "x"})
    assert "Too many failed login attempts" in english.get_data(as_text=True)


def test_per_client_limit(client, app, two_counties):
    app.config["LOGIN_RATE_LIMIT_CLIENT"] = "4 per minute"
    for code in ("D0001", "D0002", "D0003", "D0004"):
        assert tablet(client, code, WRONG).status_code == 401
    assert tablet(client, "E0001", PIN).status_code == 429
    other = app.test_client()
    r = other.post(
        "/tablet/login",
        data={"code": "E0001", "pin": PIN},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert r.status_code == 302


def test_successful_logins_do_not_count(client, app, two_counties):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "2 per minute"
    app.config["LOGIN_RATE_LIMIT_CLIENT"] = "2 per minute"
    for _ in range(5):
        r = client.post(
            "/api/v1/auth/token", json={"login": "org-here", "password": "org-here-pass"}
        )
        assert r.status_code == 201


# -- Sessions ------------------------------------------------------------------------------


def cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_login_starts_a_fresh_session_with_safe_cookie_flags(client, two_counties):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        sess["lang"] = "zh"
    r = client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    header = cookie_header(r)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["lang"] == "zh"


def test_secure_cookie_when_configured_for_https(app, client, two_counties):
    app.config["SESSION_COOKIE_SECURE"] = True
    r = client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    assert "Secure" in cookie_header(r)


def test_logout_ends_every_session_and_revokes_tokens(app, client, api, two_counties):
    token = api.login("org-here", "org-here-pass")
    client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    stolen = client.get_cookie("session").value
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    assert elsewhere.get("/desk/").status_code == 200
    client.post("/logout")
    r = api.get("/api/v1/projects/dashboard", as_="org-here")
    assert r.status_code == 401 and r.get_json()["error"] == "token_expired"
    assert db.session.scalar(select(ApiToken.revoked).where(ApiToken.user_id.is_not(None)))
    assert token
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/desk/").status_code == 302  # to the login page
    assert elsewhere.get("/desk/").status_code == 302
    # Logging in again works.
    client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    assert client.get("/desk/").status_code == 200


# -- Tokens --------------------------------------------------------------------------------


def test_token_expiry_edges(client, api, app, two_counties):
    r = client.post("/api/v1/auth/token", json={"login": "org-here", "password": "org-here-pass"})
    body = r.get_json()
    assert body["expires_at"].endswith("Z")
    api.tokens["org-here"] = body["token"]
    row = db.session.scalar(select(ApiToken))
    lifetime = row.expires_at - row.created_at
    assert timedelta(minutes=719) < lifetime <= timedelta(minutes=721)
    url = "/api/v1/projects/dashboard"
    db.session.execute(update(ApiToken).values(expires_at=utcnow() + timedelta(seconds=30)))
    db.session.commit()
    assert api.get(url, as_="org-here").status_code == 200
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    r = api.get(url, as_="org-here")
    assert r.status_code == 401 and r.get_json()["error"] == "token_expired"
    db.session.execute(update(ApiToken).values(expires_at=None))  # issued before expiry existed
    db.session.commit()
    assert api.get(url, as_="org-here").status_code == 401


def test_configured_token_lifetime(client, app, two_counties):
    app.config["API_TOKEN_MINUTES"] = 5
    client.post("/api/v1/auth/token", json={"login": "org-here", "password": "org-here-pass"})
    row = db.session.scalar(select(ApiToken))
    assert timedelta(minutes=4) < row.expires_at - row.created_at <= timedelta(minutes=5, seconds=1)


def test_api_logout_revokes_this_token_or_all(api, two_counties):
    api.login("org-here", "org-here-pass")
    first = api.tokens["org-here"]
    api.login("org-here", "org-here-pass")
    second = api.tokens["org-here"]
    url = "/api/v1/projects/dashboard"
    r = api.post("/api/v1/auth/logout", as_="org-here")
    assert r.status_code == 200 and r.get_json() == {"revoked": 1}
    assert api.get(url, as_="org-here").status_code == 401
    api.tokens["org-here"] = first
    assert api.get(url, as_="org-here").status_code == 200
    api.login("org-here", "org-here-pass")
    r = api.post("/api/v1/auth/logout", {"everywhere": True}, as_="org-here")
    assert r.get_json() == {"revoked": 2}
    for token in (first, api.tokens["org-here"]):
        api.tokens["x"] = token
        assert api.get(url, as_="x").status_code == 401
    assert second
    api.tokens["x"] = "not-a-token"
    assert api.post("/api/v1/auth/logout", as_="x").status_code == 401
    assert api.post("/api/v1/auth/logout").status_code == 401
    api.login("org-here", "org-here-pass")
    bad = api.post("/api/v1/auth/logout", {"everywhere": "yes"}, as_="org-here")
    assert bad.status_code == 422 and bad.get_json()["field"] == "everywhere"


# -- PIN change ----------------------------------------------------------------------------


def test_pin_change_through_the_api(api, client, two_counties):
    api.login("D0001", PIN)
    first = api.tokens["D0001"]
    api.login("D0001", PIN)
    url = "/api/v1/auth/pin"
    wrong = api.post(url, {"current_pin": WRONG, "new_pin": "1357"}, as_="D0001")
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "bad_pin"
    assert deputy("D0001").failed_pins == 1
    for new in ("135", "1234567890123", "12a4", "１２３４"):
        r = api.post(url, {"current_pin": PIN, "new_pin": new}, as_="D0001")
        assert r.status_code == 422 and r.get_json()["field"] == "new_pin", new
    same = api.post(url, {"current_pin": PIN, "new_pin": PIN}, as_="D0001")
    assert same.status_code == 422
    assert api.post(url, {"current_pin": PIN, "new_pin": 1357}, as_="D0001").status_code == 422
    ok = api.post(url, {"current_pin": PIN, "new_pin": "1357"}, as_="D0001")
    assert ok.status_code == 200
    for token in (first, api.tokens["D0001"]):
        api.tokens["x"] = token
        assert api.get("/api/v1/deputies/me/record", as_="x").status_code == 401
    assert (
        client.post("/api/v1/auth/token", json={"login": "D0001", "password": PIN}).status_code
        == 401
    )
    api.login("D0001", "1357")
    assert [e.object for e in audits("pin_changed")] == ["deputy:D0001"]
    # Users have no PIN to change.
    api.login("org-here", "org-here-pass")
    assert api.post(url, {"current_pin": "x", "new_pin": "1234"}, as_="org-here").status_code == 403


def test_pin_change_wrong_current_pins_lock_too(api, two_counties):
    api.login("D0001", PIN)
    for _ in range(PIN_LOCK_AFTER - 1):
        r = api.post("/api/v1/auth/pin", {"current_pin": WRONG, "new_pin": "1357"}, as_="D0001")
        assert r.status_code == 401
    r = api.post("/api/v1/auth/pin", {"current_pin": WRONG, "new_pin": "1357"}, as_="D0001")
    assert r.status_code == 423 and deputy("D0001").pin_locked


def test_pin_change_on_the_tablet(app, client, two_counties):
    tablet(client, "D0001", PIN)
    other = app.test_client()
    tablet(other, "D0001", PIN)
    page = client.get("/tablet/pin")
    assert page.status_code == 200 and "修改 PIN 码" in page.get_data(as_text=True)
    assert "修改 PIN 码" in client.get("/tablet/").get_data(as_text=True)
    data = {"current": PIN, "new": "1357", "confirm": "1358"}
    r = client.post("/tablet/pin", data=data)
    assert r.status_code == 422 and "两次输入的新 PIN 码不一致" in r.get_data(as_text=True)
    r = client.post("/tablet/pin", data={**data, "confirm": "1357"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/tablet/")
    assert "PIN 码已修改" in client.get("/tablet/").get_data(as_text=True)
    assert other.get("/tablet/").status_code == 302  # the other tablet's session ended
    assert tablet(app.test_client(), "D0001", "1357").status_code == 302
    assert client.get("/tablet/pin").status_code == 200  # this one goes on
    empty = client.post("/tablet/pin", data={})
    assert empty.status_code == 422 and "请填写每一项" in empty.get_data(as_text=True)


def test_pin_change_page_is_for_deputies_only(client, two_counties):
    assert client.get("/tablet/pin").status_code == 302
    client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    assert client.get("/tablet/pin").status_code == 403


# -- Headers -------------------------------------------------------------------------------


def test_security_headers_and_hsts_over_https_only(client, two_counties):
    for url in ("/login", "/api/v1/health", "/no-such-page"):
        r = client.get(url)
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in r.headers
        secure = client.get(url, base_url="https://votes.example")
        assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


TEMPLATES = Path(__file__).resolve().parents[2] / "votesys" / "templates"


def test_no_template_has_inline_script_or_event_handler():
    """The CSP forbids inline script: every script is a file of static/, data is JSON."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.name}: {tag}")
        for attr in re.findall(r"\son[a-z]+\s*=", text, flags=re.I):
            offenders.append(f"{path.name}: {attr.strip()}")
        if re.search(r"javascript:", text, flags=re.I):
            offenders.append(f"{path.name}: javascript: URL")
    assert offenders == []
    assert (TEMPLATES / "hall" / "screen.html").exists()  # the scan did see the templates


def test_the_tablet_says_how_many_tries_remain(app, client, two_counties):
    first = tablet(client, "D0001", WRONG)
    assert first.status_code == 401 and "再错 4 次" in first.get_data(as_text=True)
    for _ in range(3):
        tablet(client, "D0001", WRONG)
    last = tablet(client, "D0001", WRONG)
    assert last.status_code == 423 and deputy("D0001").pin_locked
    # an unknown code is told nothing of tries
    unknown = tablet(client, "D9999", WRONG)
    assert unknown.status_code == 401 and "再错" not in unknown.get_data(as_text=True)


def test_unlocking_at_the_check_in_desk_returns_to_it(app, client, two_counties):
    for _ in range(PIN_LOCK_AFTER):
        tablet(client, "D0001", WRONG)
    here, _there = two_counties
    client.post("/login", data={"login": "org-here", "password": "org-here-pass"})
    d = deputy("D0001")
    desk = client.get(f"/desk/sessions/{here['session']}/checkin?q=D0001").get_data(as_text=True)
    assert 'name="checkin"' in desk
    r = client.post(
        f"/desk/deputies/{d.id}/unlock", data={"checkin": here["session"], "q": "D0001"}
    )
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/desk/sessions/{here['session']}/checkin?q=D0001")
    assert not deputy("D0001").pin_locked
