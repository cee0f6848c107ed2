"""No public page, download or API answer carries a citizen's personal data, a tracking code
other than the visitor's own, a PIN or password hash, or an official's or account's name —
over the demo, which is rich in all of them, crawled link by link from the home page."""

from __future__ import annotations

import io
import json
import re
from collections import deque

from openpyxl import load_workbook
from sqlalchemy import select

from votesys.auth.models import User
from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.personal import decrypt
from votesys.projects.models import Project, Report
from votesys.stations.models import Opinion
from votesys.stations.rules import format_tracking_code, mask_phone

STAFF = ("/desk", "/login", "/logout", "/start", "/tablet")
LINK = re.compile(r'(?:href|src)="(/[^"#]*)"')


def secrets() -> dict[str, str]:
    """Every string that must never reach the public, with what it is."""
    out: dict[str, str] = {}
    for o in db.session.scalars(select(Opinion)):
        if o.citizen_name_enc:
            out[decrypt(o.citizen_name_enc)] = "citizen name"
        if o.citizen_phone_enc:
            phone = decrypt(o.citizen_phone_enc)
            out[phone] = "citizen phone"
            out[mask_phone(phone)] = "masked phone"
        out[o.tracking_code] = "tracking code"
        out[format_tracking_code(o.tracking_code)] = "tracking code"
    for d in db.session.scalars(select(Deputy)):
        out[d.pin_hash] = "PIN hash"
    for u in db.session.scalars(select(User)):
        out[u.password_hash] = "password hash"
    for p in db.session.scalars(select(Project)):
        if p.lead_official:
            out[p.lead_official] = "lead official"
    for author in db.session.scalars(select(Report.author).distinct()):
        if author:
            out[f"user:{author}" if not author.startswith("user:") else author] = "author"
    out["$argon2"] = "a hash"
    return out


def body_text(r) -> str:
    if r.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(r.data), read_only=True)
        return "\n".join(
            " ".join(str(c) for c in row if c is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if r.mimetype.startswith("image/") or r.mimetype == "application/octet-stream":
        return ""  # photos (re-encoded, no metadata) and the record's signature
    assert r.mimetype.startswith(("text/", "application/")), r.mimetype
    return r.get_data(as_text=True)


def crawl(client, forbidden: dict[str, str]) -> tuple[set[str], list]:
    """Visit the public site and API from the home page; return the URLs and the leaks."""
    refs = db.session.scalars(select(Project.ref)).all()
    seeds = [
        "/",
        "/?lang=en",
        "/api/v1/public/jurisdictions",
        "/api/v1/public/projects?year=2026",
        "/api/v1/public/votes",
        "/api/v1/public/statistics",
        "/api/v1/stations",
        "/api/v1/jurisdictions/430212/summary?year=2026",
        "/api/v1/jurisdictions/430212/opinion-stats",
        "/hall/1",
        "/hall/1/state.json",
        *[f"/api/v1/public/projects/{ref}" for ref in refs],
        *[f"/api/v1/projects/{p}" for p in db.session.scalars(select(Project.id))],
    ]
    seen, queue, leaks = set(), deque(seeds), []
    while queue and len(seen) < 600:
        url = queue.popleft()
        if url in seen or url.startswith(STAFF):
            continue
        seen.add(url)
        r = client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        text = body_text(r)
        leaks += [(url, kind, s) for s, kind in forbidden.items() if s and s in text]
        if r.mimetype == "text/html":
            queue.extend(u.replace("&amp;", "&") for u in LINK.findall(text))
        elif r.mimetype == "application/json" and url != "/api/openapi.json":
            queue.extend(re.findall(r'"(/api/v1/[^"]+)"', json.dumps(r.get_json())))
    return seen, leaks


def test_nothing_personal_reaches_the_public(client, demo):
    forbidden = secrets()
    # The demo erases some citizens' contact details (one at her request, those past their
    # time by the retention rule), so fewer phones remain than opinions: still enough to check.
    assert sum(1 for kind in forbidden.values() if kind == "citizen phone") >= 8
    seen, leaks = crawl(client, forbidden)
    assert not leaks, leaks[:10]
    assert len(seen) > 60, len(seen)  # the crawl reached the projects, votes, stations, files
    assert any(u.endswith(".xlsx") or ".xlsx?" in u for u in seen)
    assert any("/projects/20" in u for u in seen)


def test_a_citizen_sees_their_own_opinion_by_code_but_not_their_name(client, demo):
    forbidden = secrets()
    for o in db.session.scalars(select(Opinion).where(Opinion.citizen_name_enc.is_not(None))):
        page = client.get(f"/track/{o.tracking_code}").get_data(as_text=True)
        api = client.get(f"/api/v1/opinions/track/{o.tracking_code}").get_data(as_text=True)
        assert o.title in page
        for secret, kind in forbidden.items():
            if kind in ("citizen name", "citizen phone", "masked phone", "PIN hash"):
                assert secret not in page and secret not in api, (kind, o.id)


def test_the_crawl_would_see_a_leak(client, demo):
    """The check itself: a citizen's name planted in a progress report is found."""
    forbidden = secrets()
    name = next(s for s, kind in forbidden.items() if kind == "citizen name")
    report = db.session.scalar(select(Report))
    report.narrative += name
    db.session.commit()
    _seen, leaks = crawl(client, forbidden)
    assert {kind for _url, kind, _s in leaks} == {"citizen name"}
    assert any(url.startswith("/projects/20") for url, _k, _s in leaks)
