"""Pages of every room alike, through the test client: logging in, the language, CSRF, unknown
pages and expired forms (each room's own pages are tested in its folder)."""

from __future__ import annotations

import re

from tests.pages import login


def test_login_pages_and_redirects(client, setup):
    assert client.get("/start").headers["Location"].endswith("/login")
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in page.get_data(as_text=True)
    bad = login(client, "organiser", "wrong")
    assert bad.status_code == 401 and "登录名或密码错误" in bad.get_data(as_text=True)
    ok = login(client, "organiser", "organiser-pass")
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/desk/")
    assert client.get("/tablet/").status_code == 403


def test_english_switch(client, setup):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in page and 'lang="en"' in page
    assert "Log in" in client.get("/login").get_data(as_text=True)
    assert "登录" in client.get("/login?lang=zh").get_data(as_text=True)


def test_csrf_is_enforced_on_forms(app, setup):
    """A form posted without the page's token is refused and does nothing; with it, the
    same form works."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    credentials = {"login": "organiser", "password": "organiser-pass"}
    r = client.post("/login", data=credentials)
    assert r.status_code == 400 and "Location" not in r.headers
    desk = client.get("/desk/")
    assert desk.status_code == 302 and "/login" in desk.headers["Location"]  # not logged in
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    ok = client.post("/login", data={**credentials, "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/desk/")


def test_unknown_pages_are_clean(client):
    r = client.get("/no/such/page")
    page = r.get_data(as_text=True)
    assert r.status_code == 404 and "Traceback" not in page
    assert "<h1>页面不存在</h1>" in page and 'href="/"' in page  # its own page, a way home
    assert client.get("/api/v1/nothing").get_json()["error"] == "not_found"


def test_an_expired_form_says_what_to_do(app, setup):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    r = client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)


def test_language_switch_on_a_posted_page_goes_home(client, setup):
    login(client, "organiser", "organiser-pass")
    r = client.post(f"/desk/sessions/{setup['session']}/votes/new", data={"title": ""})
    assert 'href="/start?lang=en"' in r.get_data(as_text=True)
