"""The Host header cannot poison the public cache: absolute URLs come from the configured
public URL, other hosts are refused (TRUSTED_HOSTS); without either, the cache key carries
the host, so one request's host is never served to another visitor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from votesys import config

PUBLIC = "https://votes.example.gov.cn"


def og(response) -> dict[str, str]:
    page = response.get_data(as_text=True)
    return dict(re.findall(r'<meta property="og:(url|image)" content="([^"]*)"', page))


@pytest.fixture
def public(app):
    app.config["PUBLIC_URL"] = PUBLIC
    app.config["TRUSTED_HOSTS"] = config.trusted_hosts(PUBLIC)
    return app


@pytest.mark.parametrize("path", ["/", "/projects?year=2026"])
def test_an_unknown_host_is_refused_and_pages_carry_the_public_url(public, client, path):
    refused = client.get(path, headers={"Host": "evil.example"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert refused.mimetype == "text/html" and "<title>" in page and "Traceback" not in page
    assert "evil.example" not in page
    api = client.get("/api/v1/public/projects", headers={"Host": "evil.example"})
    assert api.status_code == 400 and api.get_json()["error"] == "bad_request"
    for host in ("votes.example.gov.cn", "localhost", "127.0.0.1:5000"):
        seen = og(client.get(path, headers={"Host": host}))
        assert seen["url"] == PUBLIC + path, host
        assert seen["image"] == PUBLIC + "/static/share.png"


def test_without_settings_one_hosts_urls_are_not_served_to_another(app, client):
    poisoned = client.get("/", headers={"Host": "evil.example"})
    assert poisoned.status_code == 200  # development: every host is answered, as before
    assert og(poisoned)["url"] == "http://evil.example/"
    for path in ("/", "/projects"):
        client.get(path, headers={"Host": "evil.example"})
        normal = client.get(path)
        assert "evil.example" not in normal.get_data(as_text=True), path
        assert og(normal) == {
            "url": f"http://localhost{path}",
            "image": "http://localhost/static/share.png",
        }


def test_settings_from_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("VOTESYS_PUBLIC_URL", raising=False)
    monkeypatch.delenv("VOTESYS_TRUSTED_HOSTS", raising=False)
    none = config.load(tmp_path)
    assert none["PUBLIC_URL"] is None and none["TRUSTED_HOSTS"] is None
    monkeypatch.setenv("VOTESYS_PUBLIC_URL", PUBLIC + "/")
    derived = config.load(tmp_path)
    assert derived["PUBLIC_URL"] == PUBLIC
    assert derived["TRUSTED_HOSTS"] == ["votes.example.gov.cn", "localhost", "127.0.0.1"]
    monkeypatch.setenv("VOTESYS_TRUSTED_HOSTS", "votes.example.gov.cn, 10.0.0.11 ,")
    assert config.load(tmp_path)["TRUSTED_HOSTS"] == ["votes.example.gov.cn", "10.0.0.11"]
    for bad in ("votes.example.gov.cn", "ftp://votes.example.gov.cn", "https://x.cn/votes"):
        monkeypatch.setenv("VOTESYS_PUBLIC_URL", bad)
        with pytest.raises(ValueError, match="VOTESYS_PUBLIC_URL"):
            config.load(tmp_path)
