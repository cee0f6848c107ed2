"""The database failing mid-request, at the handler or at the commit: a 503 with a clear
message (JSON for the API, a page for the rest), nothing stored, no traceback to the user."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.factories import PIN
from votesys.congress.models import Attendance
from votesys.extensions import db

UNAVAILABLE_ZH = "服务暂时不可用，请稍后重试。"


def _outage(*_args, **_kwargs):
    raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))


@pytest.fixture
def session_ids(make_scenario, organiser, api):
    ids = make_scenario(deputies=3)
    api.login("organiser", "organiser-pass")
    return ids


def _attendance() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Attendance))


@pytest.mark.parametrize("where", ["commit", "handler"])
def test_api_answers_503_json_and_stores_nothing(api, session_ids, monkeypatch, caplog, where):
    if where == "commit":
        monkeypatch.setattr(Session, "commit", _outage)
    else:
        monkeypatch.setattr("votesys.congress.services.check_in", _outage)
    response = api.post(
        f"/api/v1/sessions/{session_ids['session']}/attendance",
        {"deputy_code": "D0001"},
        as_="organiser",
    )
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.get_json() == {"error": "unavailable", "message": UNAVAILABLE_ZH}
    assert response.headers["Content-Security-Policy"]
    path = f"/api/v1/sessions/{session_ids['session']}/attendance"
    assert f"database unavailable (ConnectionError) on POST {path}" in caplog.messages
    assert _attendance() == 0
    retried = api.post(
        f"/api/v1/sessions/{session_ids['session']}/attendance",
        {"deputy_code": "D0001"},
        as_="organiser",
    )
    assert retried.status_code == 201 and _attendance() == 1


def test_page_answers_503_page_when_the_commit_fails(client, session_ids, monkeypatch):
    monkeypatch.setattr(Session, "commit", _outage)
    page = client.get(f"/hall/{session_ids['session']}")
    monkeypatch.undo()
    assert page.status_code == 503
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert UNAVAILABLE_ZH in text and "Traceback" not in text
    assert page.headers["X-Frame-Options"] == "DENY"


def test_logged_in_page_with_the_database_down_is_a_503_page(client, organiser, monkeypatch):
    """The database is down before the user is loaded: the error page does not ask it again."""
    login = client.post("/login", data={"login": "organiser", "password": "organiser-pass"})
    assert login.status_code == 302
    assert client.get("/desk/").status_code == 200
    for method in ("get", "execute", "scalar", "scalars"):
        monkeypatch.setattr(Session, method, _outage)
    page = client.get("/desk/")
    monkeypatch.undo()
    assert page.status_code == 503
    assert UNAVAILABLE_ZH in page.get_data(as_text=True)
    # The test's app context outlives its requests (a server's does not): forget its user.
    g.pop("_login_user", None)
    assert client.get("/desk/").status_code == 200  # back: still logged in


def test_tablet_page_at_a_failed_commit_keeps_no_store(client, app, make_scenario, monkeypatch):
    """The tablet's answers are never cached, the 503 that replaces one included."""
    make_scenario(deputies=3)
    assert client.post("/tablet/login", data={"code": "D0001", "pin": PIN}).status_code == 302
    monkeypatch.setattr(Session, "commit", _outage)
    page = client.get("/tablet/")
    monkeypatch.undo()
    assert page.status_code == 503 and page.headers["Cache-Control"] == "no-store"
    assert UNAVAILABLE_ZH in page.get_data(as_text=True)


def test_redis_unreachable_rate_limits_fall_back_to_each_process(tmp_path, monkeypatch):
    """Redis (the shared counters and the public cache) down: the public pages and form
    still answer, never a 500; the limit is still counted, in this process, until Redis is
    back."""
    from tests.conftest import FAST_HASH
    from tests.faults.live import free_port
    from votesys import create_app

    monkeypatch.setenv("VOTESYS_INSTANCE_PATH", str(tmp_path / "instance"))
    redis_down = f"redis://127.0.0.1:{free_port()}/3"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'redis-down.db'}",
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": redis_down,
            "RATELIMIT_STORAGE_URI": redis_down,
            "OPINION_RATE_LIMIT": "2 per hour",
            **FAST_HASH,
        }
    )
    from votesys.extensions import limiter

    try:
        with app.app_context():
            db.create_all()
            client = app.test_client()
            pages = [client.get(path).status_code for path in ("/", "/api/v1/public/votes")]
            statuses = [
                client.post("/opinions/new", data={"title": ""}).status_code for _ in range(3)
            ]
            db.engine.dispose()
    finally:
        # The limiter is a module global: later apps in this process start with a live store.
        limiter._storage_dead = False
    assert pages == [200, 200]
    assert statuses == [422, 422, 429]


@pytest.mark.parametrize("path", ["/", "/stations", "/opinions/new", "/hall/1"])
def test_public_pages_with_the_database_down_are_a_503_page(client, app, monkeypatch, path):
    for method in ("get", "execute", "scalar", "scalars"):
        monkeypatch.setattr(Session, method, _outage)
    page = client.get(path)
    monkeypatch.undo()
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert UNAVAILABLE_ZH in page.get_data(as_text=True)


def test_no_connection_free_in_the_pool_is_a_503_with_a_moment_to_wait(
    api, session_ids, monkeypatch, caplog
):
    """Thousands of tablets arriving at once can find every pooled connection taken for
    longer than the pool waits: a 503 with Retry-After (the tablet comes back), not a 500."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    def exhausted(*_args, **_kwargs):
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")

    monkeypatch.setattr("votesys.congress.services.check_in", exhausted)
    path = f"/api/v1/sessions/{session_ids['session']}/attendance"
    response = api.post(path, {"deputy_code": "D0001"}, as_="organiser")
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.get_json() == {"error": "unavailable", "message": UNAVAILABLE_ZH}
    assert 2 <= int(response.headers["Retry-After"]) <= 8
    assert f"database unavailable (TimeoutError) on POST {path}" in caplog.messages
    assert not [r for r in caplog.records if r.exc_info]  # no traceback logged: not a defect
    assert _attendance() == 0
