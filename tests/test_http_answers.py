"""HTTP details every answer gets right: one charset on a CSV download, and the methods a
405 names in its Allow header."""

from __future__ import annotations

import pytest

from tests.pages import login, open_for_all

CSV = "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    "url",
    [
        "/projects/export.csv",
        "/projects/funding.csv",
        "/projects/progress.csv",
        "/api/v1/projects/export.csv",
    ],
)
def test_a_public_csv_download_says_its_charset_once(client, url):
    for _ in range(2):  # the second answer comes from the public cache
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["Content-Type"] == CSV, url


def test_a_desk_csv_download_says_its_charset_once(client, setup):
    open_for_all(client, setup)
    login(client, "organiser", "organiser-pass")
    vote = setup["votes"]["main"]
    assert client.post(f"/desk/votes/{vote}/close").status_code == 302
    urls = ("/desk/projects/register.csv", "/desk/opinions/export.csv", f"/votes/{vote}/result.csv")
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["Content-Type"] == CSV, url


@pytest.mark.parametrize("url", ["/projects", "/api/v1/health"])
def test_a_method_not_allowed_names_the_allowed_ones(client, url):
    r = client.delete(url)
    assert r.status_code == 405
    allowed = {m.strip() for m in r.headers.get("Allow", "").split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}, r.headers.get("Allow")
    if url.startswith("/api/"):
        assert r.get_json()["error"] == "method_not_allowed"
    else:
        assert "<html" in r.get_data(as_text=True).lower()
