"""群众满意度: citizens rate a project from its poster's form or the API, once per mobile
number; the number kept only as a keyed hash; the counts public, the comments staff-only."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.pages import login
from votesys.congress.services import find_or_create_jurisdiction
from votesys.demo import ORGANISER, UNIT_USER
from votesys.extensions import db
from votesys.projects import citizen_figures, citizen_ratings, rating_key, register, reports
from votesys.projects.models import CitizenRating, Project

PHONE = "13800138000"
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def make_project(title: str, status: str | None = "in_progress", unit: str = "区水利局") -> Project:
    county = find_or_create_jurisdiction("R1", "测试县", "county", None)
    p = register.create_project(
        county, year=2026, title=title, unit_name=unit, funding={"county": "100.00"}
    )
    if status:
        reports.add_report(p, {"reported_on": "2026-06-30", "status": status, "progress": 40})
    db.session.commit()
    return p


@pytest.fixture(autouse=True)
def _room(app):
    """Many ratings from one test address: room for all (the limit has its own test)."""
    app.config["RATING_RATE_LIMIT"] = "100000 per minute"


@pytest.fixture
def project(app) -> Project:
    return make_project("农村饮水安全巩固提升工程")


def rate(client, ref: str, **body):
    return client.post(f"/api/v1/public/projects/{ref}/ratings", json=body)


def stored() -> int:
    return db.session.scalar(select(func.count(CitizenRating.id)))


# --- the phone rule ---------------------------------------------------------------------

VALID = {
    "13800138000": PHONE,
    " 138 0013 8000 ": PHONE,
    "138-0013-8000": PHONE,
    "(138)0013.8000": PHONE,
    "+86 138 0013 8000": PHONE,
    "+8613800138000": PHONE,
    "0086 13800138000": PHONE,
    "86-138-0013-8000": PHONE,
    "１３８００１３８０００": PHONE,  # full-width digits, as some phone keyboards type them
    "＋86 138 0013 8000": PHONE,
    "19912345678": "19912345678",
    "13000000000": "13000000000",
}
INVALID = [
    "",
    "   ",
    "12800138000",  # 12…: no mobile prefix
    "10800138000",
    "1380013800",  # 10 digits
    "138001380000",  # 12 digits
    "02112345678",  # a landline with its area code
    "+86 021 1234 5678",
    "8613800138000 1",
    "+1 13800138000",
    "86138001380000",
    "+86+8613800138000",
    "1380013800O",  # a letter O
    "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits: not a number anyone dials here
    "13800138000" + " " * 40,  # longer than the field
    "13800\x00138000",
]


@pytest.mark.parametrize("typed, expected", VALID.items())
def test_valid_mobile_numbers_normalise_to_eleven_digits(typed, expected):
    assert citizen_ratings.normalise_mobile(typed) == expected


@pytest.mark.parametrize("typed", INVALID)
def test_other_numbers_are_refused(typed):
    assert citizen_ratings.normalise_mobile(typed) is None


@pytest.mark.parametrize("typed", [None, 13800138000, ["13800138000"], {"n": 1}])
def test_a_phone_that_is_not_text_is_refused(typed):
    assert citizen_ratings.normalise_mobile(typed) is None


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["", "+86", "0086", "86", "+86 ", "＋86"]),
    st.lists(st.sampled_from([" ", "-", ""]), min_size=10, max_size=10),
)
def test_any_mobile_however_written_is_the_same_number(number, prefix, gaps):
    typed = prefix + "".join(d + g for d, g in zip(number, gaps + [""], strict=False))
    assert citizen_ratings.normalise_mobile(typed) == number


@given(st.text(max_size=50))
def test_any_text_is_a_mobile_or_none(text):
    found = citizen_ratings.normalise_mobile(text)
    assert found is None or re.fullmatch(r"1[3-9][0-9]{9}", found)


# --- one rating per phone and project -----------------------------------------------------


def test_a_rating_is_counted_and_the_same_phone_again_is_refused(client, project):
    r = rate(client, project.ref, choice="satisfied", phone="138 0013 8000", comment="水质好多了")
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {
        "satisfied": 1,
        "basically_satisfied": 0,
        "unsatisfied": 0,
        "total": 1,
        "satisfied_share": "100.0",
    }
    for again in (
        "13800138000",
        "+86-138-0013-8000",
        "0086 138 0013 8000",
        "１３８００１３８０００",
    ):
        r = rate(client, project.ref, choice="unsatisfied", phone=again)
        assert r.status_code == 409, again
        assert r.get_json()["error"] == "already_rated"
    assert stored() == 1
    other = make_project("城区学校扩容工程", unit="区教育局")
    assert rate(client, other.ref, choice="unsatisfied", phone=PHONE).status_code == 201
    assert rate(client, project.ref, choice="unsatisfied", phone="13900139000").status_code == 201
    counts = client.get(f"/api/v1/public/projects/{project.ref}/ratings").get_json()
    assert counts == {
        "satisfied": 1,
        "basically_satisfied": 0,
        "unsatisfied": 1,
        "total": 2,
        "satisfied_share": "50.0",
    }


def test_the_share_satisfied_counts_satisfied_and_basically_satisfied(app):
    assert citizen_ratings.figures(2, 1, 0)["satisfied_share"] == "100.0"
    assert citizen_ratings.figures(1, 1, 1)["satisfied_share"] == "66.7"
    assert citizen_ratings.figures(0, 0, 3)["satisfied_share"] == "0.0"
    assert citizen_ratings.figures(1, 0, 7)["satisfied_share"] == "12.5"
    assert citizen_ratings.figures(0, 0, 0) == {
        "satisfied": 0,
        "basically_satisfied": 0,
        "unsatisfied": 0,
        "total": 0,
        "satisfied_share": None,
    }


@pytest.mark.parametrize(
    "status, open_",
    [
        (None, False),  # not started
        ("in_progress", True),
        ("delayed", True),
        ("completed", True),
        ("suspended", False),
        ("terminated", False),
    ],
)
def test_only_a_project_under_way_or_completed_can_be_rated(client, app, status, open_):
    p = make_project("新建公办幼儿园")
    if status is None:
        p.status = "not_started"
    else:
        p.status = status  # suspended/terminated come through approved changes
    db.session.commit()
    r = rate(client, p.ref, choice="satisfied", phone=PHONE)
    assert r.status_code == (201 if open_ else 409)
    if not open_:
        assert r.get_json()["error"] == "not_ratable"
        page = client.get(f"/projects/{p.ref}/rate")
        assert page.status_code == 200 and 'id="not-ratable"' in page.get_data(as_text=True)
        form = client.post(f"/projects/{p.ref}/rate", data={"choice": "satisfied", "phone": PHONE})
        assert form.status_code == 409
        assert stored() == 0


def test_an_unknown_project_is_404(client, app):
    assert rate(client, "2026-NOPE-01", choice="satisfied", phone=PHONE).status_code == 404
    assert client.get("/api/v1/public/projects/2026-NOPE-01/ratings").status_code == 404
    assert client.get("/projects/2026-NOPE-01/rate").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"phone": PHONE}, "choice"),
        ({"choice": "very_satisfied", "phone": PHONE}, "choice"),
        ({"choice": "SATISFIED", "phone": PHONE}, "choice"),
        ({"choice": 1, "phone": PHONE}, "choice"),
        ({"choice": "satisfied"}, "phone"),
        ({"choice": "satisfied", "phone": "02112345678"}, "phone"),
        ({"choice": "satisfied", "phone": 13800138000}, "phone"),
        ({"choice": "satisfied", "phone": PHONE, "comment": "好" * 501}, "comment"),
        ({"choice": "satisfied", "phone": PHONE, "comment": "a\x07b"}, "comment"),
        ({"choice": "satisfied", "phone": PHONE, "comment": "\u202e反了"}, "comment"),
        ({"choice": "satisfied", "phone": PHONE, "comment": 5}, "comment"),
        ({"choice": "satisfied", "phone": PHONE, "name": "张三"}, "name"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_stored(client, project, body, field):
    r = rate(client, project.ref, **body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["field"] == field and r.get_json()["message"]
    assert stored() == 0


def test_a_body_that_is_not_a_json_object_is_400(client, project):
    url = f"/api/v1/public/projects/{project.ref}/ratings"
    for data in ("[]", "nonsense", '{"choice": "satisfied", "choice": "unsatisfied"}'):
        r = client.post(url, data=data, content_type="application/json")
        assert r.status_code == 400
    assert stored() == 0


@SLOW
@given(choice=st.text(max_size=30), comment=st.text(max_size=600))
def test_any_choice_and_comment_is_stored_clean_or_refused(client, project, choice, comment):
    before = stored()
    phone = f"13{len(comment) % 7 + 3}{abs(hash((choice, comment))) % 10**8:08d}"
    r = rate(client, project.ref, choice=choice, phone=phone, comment=comment)
    assert r.status_code in (201, 409, 422), r.status_code
    if r.status_code == 201:
        assert choice in citizen_ratings.CHOICES
        row = db.session.scalar(select(CitizenRating).order_by(CitizenRating.id.desc()))
        assert row.comment == comment.replace("\r\n", "\n").replace("\r", "\n").strip()
        assert len(row.comment) <= 500 and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", row.comment)
        assert stored() == before + 1
    else:
        assert stored() == before
        if r.status_code == 422:
            assert r.get_json()["field"] in ("choice", "comment")


@SLOW
@given(choice=st.sampled_from(citizen_ratings.CHOICES))
def test_every_choice_is_counted_under_its_own_name(client, project, choice):
    before = client.get(f"/api/v1/public/projects/{project.ref}/ratings").get_json()
    phone = f"1390{stored():07d}"
    assert rate(client, project.ref, choice=choice, phone=phone).status_code == 201
    after = client.get(f"/api/v1/public/projects/{project.ref}/ratings").get_json()
    assert after[choice] == before[choice] + 1 and after["total"] == before["total"] + 1
    assert sum(after[c] for c in citizen_ratings.CHOICES) == after["total"]


def test_ratings_are_rate_limited_per_address(client, app, project):
    app.config["RATING_RATE_LIMIT"] = "3 per hour"
    codes = [
        rate(client, project.ref, choice="satisfied", phone=f"1370000000{i}").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 201]
    r = client.post(f"/projects/{project.ref}/rate", data={"choice": "satisfied", "phone": PHONE})
    assert r.status_code == 429  # the form and the API share one budget
    assert rate(client, project.ref, choice="satisfied", phone=PHONE).status_code == 429
    assert stored() == 3


# --- the keyed hash -----------------------------------------------------------------------


def test_the_phone_is_kept_only_as_a_keyed_hash(client, app, project):
    rate(client, project.ref, choice="satisfied", phone="+86 138 0013 8000")
    row = db.session.scalar(select(CitizenRating))
    assert re.fullmatch(r"[0-9a-f]{64}", row.phone_hash)
    for column in (row.phone_hash, row.comment, row.choice):
        assert "13800138000" not in column and "0013" not in column
    # not an unkeyed digest of the number, nor one keyed with anything public or known
    message = f"votesys citizen rating v1\x00{project.id}\x00{PHONE}".encode()
    public = [
        b"",
        b"votesys",
        project.ref.encode(),
        str(project.id).encode(),
        b"R1",
        app.config["SECRET_KEY"].encode(),
        PHONE.encode(),
    ]
    guesses = {hashlib.sha256(PHONE.encode()).hexdigest(), hashlib.sha256(message).hexdigest()}
    guesses |= {
        hmac.new(k, m, hashlib.sha256).hexdigest()
        for k in public
        for m in (message, PHONE.encode())
    }
    assert row.phone_hash not in guesses
    # the key: 32 random bytes of this installation, in a file only its owner reads
    path = rating_key.key_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = rating_key.rating_key()
    assert len(key) >= 32
    assert row.phone_hash == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert key != app.config["SECRET_KEY"].encode()
    data_key = path.parent / "data-key"
    if data_key.exists():
        assert (
            key.hex() not in data_key.read_text()
            and rating_key.key_file().read_text().strip() not in data_key.read_text()
        )


def test_one_phone_on_two_projects_gives_two_unlinkable_hashes(client, project):
    other = make_project("城区学校扩容工程")
    rate(client, project.ref, choice="satisfied", phone=PHONE)
    rate(client, other.ref, choice="satisfied", phone=PHONE)
    hashes = set(db.session.scalars(select(CitizenRating.phone_hash)))
    assert len(hashes) == 2


def test_each_installation_has_its_own_key(app, tmp_path, monkeypatch):
    first = rating_key.rating_key()
    app.extensions.pop("votesys.rating_key")
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "other-instance"))
    second = rating_key.rating_key()
    assert first != second and len(second) == 32
    app.extensions.pop("votesys.rating_key")
    assert rating_key.rating_key() == second  # made once, then read back


def test_the_key_may_come_from_the_environment(app, monkeypatch):
    key = os.urandom(32)
    monkeypatch.setenv(rating_key.ENV, key.hex())
    app.extensions.pop("votesys.rating_key", None)
    assert rating_key.rating_key() == key
    monkeypatch.setenv(rating_key.ENV, "too-short")
    app.extensions.pop("votesys.rating_key", None)
    with pytest.raises(RuntimeError):
        rating_key.rating_key()
    app.extensions.pop("votesys.rating_key", None)


def test_two_processes_making_the_key_at_once_agree(app):
    path = rating_key.key_file()
    assert not path.exists()
    rating_key._make_file(path)
    made = path.read_text()
    rating_key._make_file(path)  # the loser of a race: its key is dropped, not written
    assert path.read_text() == made
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".rating-key")] == []


# --- pages --------------------------------------------------------------------------------


def test_the_form_records_a_rating_and_thanks(client, project):
    url = f"/projects/{project.ref}/rate"
    page = client.get(url).get_data(as_text=True)
    assert 'name="choice"' in page and 'type="tel"' in page
    r = client.post(url, data={"choice": "basically_satisfied", "phone": "138 0013 8000"})
    assert r.status_code == 302 and r.location.endswith(f"/projects/{project.ref}/rate/thanks")
    thanks = client.get(r.location).get_data(as_text=True)
    assert 'data-choice="basically_satisfied">1<' in thanks
    again = client.post(url, data={"choice": "satisfied", "phone": "+8613800138000"})
    assert again.status_code == 409
    assert "already rated" in again.get_data(as_text=True) or "已" in again.get_data(as_text=True)
    bad = client.post(url, data={"phone": "12345", "comment": "x" * 501})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert (
        'id="choice-error1"' in text
        and 'id="phone-error1"' in text
        and 'id="comment-error1"' in text
    )
    assert stored() == 1


def test_the_project_page_shows_the_counts_beside_the_deputies_rating(client, project):
    project.rating, project.rating_year = "unsatisfied", 2026  # the deputies' (a rating vote)
    db.session.commit()
    for i, choice in enumerate(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"]):
        rate(client, project.ref, choice=choice, phone=f"1500000000{i}", comment=f"评论甲{i}号内容")
    page = client.get(f"/projects/{project.ref}").get_data(as_text=True)
    section = page[page.index('id="citizens-section"') :]
    section = section[: section.index("</section>")]
    assert 'data-choice="satisfied">2<' in section
    assert 'data-choice="basically_satisfied">1<' in section
    assert 'data-choice="unsatisfied">1<' in section
    assert "75.0%" in section
    assert "评论甲" not in page  # comments are staff only
    detail = client.get(f"/api/v1/public/projects/{project.ref}").get_json()
    assert detail["citizens"]["total"] == 4 and detail["citizens_open"] is True
    assert detail["rating"] == "unsatisfied"  # the deputies' rating stays their own


def test_the_cached_counts_change_when_a_rating_arrives(client, project):
    url = f"/api/v1/public/projects/{project.ref}/ratings"
    first = client.get(url)
    assert first.get_json()["total"] == 0
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    rate(client, project.ref, choice="satisfied", phone=PHONE)
    assert client.get(url).get_json()["total"] == 1
    page = client.get(f"/projects/{project.ref}").get_data(as_text=True)
    assert 'data-choice="satisfied">1<' in page


def test_figures_per_unit_and_year_on_year(client, app):
    water = make_project("饮水工程", unit="区水利局")
    school = make_project("学校扩容", unit="区教育局")
    old = make_project("旧路改造", unit="区水利局")
    old.year = 2025
    db.session.commit()
    n = 0
    for p, choices in (
        (water, "SSBU"),
        (school, "UUB"),
        (old, "SUUU"),
    ):
        for c in choices:
            n += 1
            choice = {"S": "satisfied", "B": "basically_satisfied", "U": "unsatisfied"}[c]
            assert rate(client, p.ref, choice=choice, phone=f"1860000{n:04d}").status_code == 201
    found = citizen_figures.overview(jurisdiction_ids=[water.jurisdiction_id])
    units = {u["unit"]: u for u in found["by_unit"][2026]}
    assert units["区水利局"]["total"] == 4 and units["区水利局"]["satisfied_share"] == "75.0"
    assert units["区教育局"]["satisfied_share"] == "33.3"
    years = {y["year"]: y for y in found["by_year"]}
    assert years[2025]["satisfied_share"] == "25.0" and years[2025]["change"] is None
    assert years[2026]["satisfied_share"] == "57.1" and years[2026]["change"] == "+32.1"
    api = client.get("/api/v1/public/satisfaction?jurisdiction=R1&year=2026").get_json()
    assert {u["unit"] for u in api["by_unit"]} == {"区水利局", "区教育局"}
    page = client.get("/satisfaction?jurisdiction=R1&year=2026").get_data(as_text=True)
    assert "区水利局" in page and "75.0%" in page and "+32.1" in page
    assert client.get("/api/v1/public/satisfaction?year=").status_code == 422
    assert client.get("/api/v1/public/satisfaction?year=1800").status_code == 422
    assert client.get("/api/v1/public/satisfaction?jurisdiction=NOPE").status_code == 404


def test_change_in_points(app):
    assert citizen_figures.change("80.0", "83.2") == "+3.2"
    assert citizen_figures.change("80.0", "79.5") == "-0.5"
    assert citizen_figures.change("80.0", "80.0") == "0.0"
    assert citizen_figures.change(None, "80.0") is None


# --- the desk: comments, the poster -------------------------------------------------------


def test_staff_read_the_comments_and_print_the_poster(demo, client):
    p = db.session.scalar(select(Project).where(Project.title == "“一户一产业工人”培训项目"))
    login(client, *ORGANISER)
    page = client.get(f"/desk/projects/{p.id}/citizens").get_data(as_text=True)
    assert "报名时说包推荐就业" in page  # a demo comment
    poster = client.get(f"/desk/projects/{p.id}/poster")
    assert poster.status_code == 200
    text = poster.get_data(as_text=True)
    assert "<svg" in text and f"/projects/{p.ref}/rate" in text
    desk = client.get("/desk/projects/satisfaction").get_data(as_text=True)
    assert "区人力资源和社会保障局" in desk
    client.post("/logout")
    login(client, *UNIT_USER)
    assert client.get(f"/desk/projects/{p.id}/citizens").status_code == 200
    other = db.session.scalar(select(Project).where(Project.unit_id != p.unit_id).limit(1))
    assert client.get(f"/desk/projects/{other.id}/citizens").status_code == 403


# --- no personal data in public pages and downloads ---------------------------------------


def test_no_phone_hash_or_comment_reaches_the_public(demo, client):
    refs = list(db.session.scalars(select(Project.ref).join(CitizenRating).distinct()))
    assert len(refs) >= 3
    ref = refs[0]
    phones = ["+86 177 0731 0000", "17707310001"]
    for i, phone in enumerate(phones):
        r = rate(
            client, ref, choice="unsatisfied", phone=phone, comment=f"私人评论{i}：我家住在某某小区"
        )
        assert r.status_code == 201
    rows = list(db.session.scalars(select(CitizenRating)))
    assert {r.choice for r in rows} == set(citizen_ratings.CHOICES)  # the demo has all three
    secrets = {r.phone_hash: "hash" for r in rows}
    secrets |= {r.phone_hash[:16]: "hash" for r in rows}
    secrets |= {r.comment: "comment" for r in rows if r.comment}
    secrets |= {"17707310000": "phone", "0731 0000": "phone", "17707310001": "phone"}
    urls = [
        f"/projects/{ref}",
        f"/projects/{ref}/rate",
        f"/projects/{ref}/rate/thanks",
        f"/projects/{ref}/data.csv",
        f"/projects/{ref}/data.xlsx",
        f"/api/v1/public/projects/{ref}",
        f"/api/v1/public/projects/{ref}/ratings",
        "/satisfaction",
        "/satisfaction/data.csv",
        "/satisfaction/data.xlsx",
        "/api/v1/public/satisfaction",
        "/statistics",
        "/projects/export.csv",
        "/projects/export.xlsx",
    ]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        if r.mimetype.endswith("spreadsheetml.sheet"):
            book = load_workbook(io.BytesIO(r.data), read_only=True)
            text = "\n".join(
                " ".join(str(c) for c in row if c is not None)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
            )
        else:
            text = r.get_data(as_text=True)
            if r.is_json:
                text += json.dumps(r.get_json(), ensure_ascii=False)
        leaked = [what for secret, what in secrets.items() if secret and secret in text]
        assert not leaked, (url, leaked)
    csv = client.get("/satisfaction/data.csv").get_data(as_text=True)
    assert ref in csv and "phone" not in csv.lower() and "hash" not in csv.lower()


def test_the_demo_rates_in_all_three_choices(demo):
    for ref in db.session.scalars(select(Project.ref).join(CitizenRating).distinct()):
        p = db.session.scalar(select(Project).where(Project.ref == ref))
        counts = citizen_ratings.counts_of(p.id)
        assert all(counts[c] for c in citizen_ratings.CHOICES), (ref, counts)
    assert db.session.scalar(select(func.count()).where(CitizenRating.comment != "")) >= 5
