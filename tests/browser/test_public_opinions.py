"""Items 19.2, 19.3 and 19.5 in a browser. On a phone (390×844): a citizen scans a deputy's
poster (the address its code carries), sends an opinion with a photo and publishes it, then
supports a published opinion once. On the desk (1366×768): the posters, the list sorted by
support (an indication, not a vote), the opinion's photos, hiding and showing it again."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.checks import layout_problems
from tests.browser.conftest import sign_in
from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.stations.models import Opinion, OpinionDeputy, Station
from votesys.stations.publicity_models import OpinionPhoto

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = Path("/tmp/shots/P")
STATION = "渌口镇人大代表联络站"
LAMP = "渌江路北段路灯坏了一个多月"


def _shot(page, name: str, tmp_path) -> None:
    folder = SHOTS if SHOTS.parent.exists() else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def _ids(app) -> tuple[int, int]:
    with app.app_context():
        station = db.session.scalar(select(Station.id).where(Station.name == STATION))
        deputy = db.session.scalar(select(Deputy.id).where(Deputy.code == "LK003"))
        return station, deputy


def _photo(tmp_path) -> Path:
    path = tmp_path / "drain.jpg"
    img = Image.new("RGB", (800, 600), (90, 96, 104))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def test_scan_send_with_a_photo_publish_and_support_on_a_phone(browser, demo_app, tmp_path):
    base = demo_app.config["LIVE_URL"]
    station, deputy = _ids(demo_app)
    desk = sign_in(browser, base, "organiser")
    desk.goto(f"{base}/desk/stations/{station}/deputies/{deputy}/poster")
    scanned = desk.locator("#poster-url").inner_text()  # what the poster's code carries
    assert scanned == f"{base}/opinions/new?station={station}&deputy={deputy}"

    page = browser.new_context(**PHONE).new_page()
    page.goto(scanned)
    assert page.locator("#addressed").count() == 1
    assert page.locator("#station").count() == 0  # locked to the deputy's station
    assert not layout_problems(page)
    _shot(page, "phone-form-addressed.png", tmp_path)

    page.select_option("#category", "roads")
    page.fill("#title", "学堂路下水道井盖缺失")
    page.fill("#content", "学堂路小学门口的下水道井盖丢了，已用树枝围着，孩子放学很危险。")
    page.set_input_files("#photos", str(_photo(tmp_path)))
    page.check("#public")
    _shot(page, "phone-form-filled.png", tmp_path)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/track/"))
    _shot(page, "phone-tracking.png", tmp_path)

    with demo_app.app_context():
        sent = db.session.scalar(select(Opinion).where(Opinion.title == "学堂路下水道井盖缺失"))
        assert sent.public and sent.station_id == station
        link = db.session.scalar(select(OpinionDeputy).where(OpinionDeputy.opinion_id == sent.id))
        assert (link.deputy_id, link.role) == (deputy, "addressed")
        stored = db.session.scalar(
            select(OpinionPhoto.data).where(OpinionPhoto.opinion_id == sent.id)
        )
        assert b"PhoneMaker" not in stored
        lamp = db.session.scalar(select(Opinion.id).where(Opinion.title == LAMP))
        mine = sent.id

    page.goto(f"{base}/opinions/public/{mine}")
    assert page.locator(".photo-row img").count() == 1
    page.goto(f"{base}/opinions/public?sort=support")
    titles = page.locator(".opinion-card-title").all_inner_texts()
    assert titles[0] == LAMP and "学堂路下水道井盖缺失" in titles
    assert not layout_problems(page)
    _shot(page, "phone-public-list.png", tmp_path)

    page.goto(f"{base}/opinions/public/{lamp}")
    assert page.locator("#support-count").inner_text() == "37"
    assert page.locator(".photo-row img").evaluate("img => img.naturalWidth") > 0
    assert not layout_problems(page)
    _shot(page, "phone-public-opinion.png", tmp_path)
    page.click("#support-button")
    expect(page.locator("#support-count")).to_have_text("38")
    assert page.locator("#support-button").is_disabled()
    _shot(page, "phone-supported.png", tmp_path)
    # the same browser again (its cookie): refused, the count unchanged
    answer = page.evaluate(
        f"fetch('/api/v1/opinions/{lamp}/support', {{method: 'POST'}}).then(r => r.status)"
    )
    assert answer == 409
    page.reload()
    assert page.locator("#support-count").inner_text() == "38"
    assert page.locator("#support-button").is_disabled()
    # another phone: counts
    other = browser.new_context(**PHONE).new_page()
    other.goto(f"{base}/opinions/public/{lamp}")
    other.click("#support-button")
    expect(other.locator("#support-count")).to_have_text("39")

    # the deputy sees it on their desk and in their record
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    tablet.goto(f"{base}/tablet/login")
    tablet.fill("#code", "LK003")
    tablet.fill("#pin", "123456")
    tablet.click("button.primary")
    tablet.wait_for_load_state()
    tablet.goto(f"{base}/desk/me")
    assert tablet.locator("h1").inner_text().startswith(("My record", "我的履职档案"))
    assert "学堂路下水道井盖缺失" in tablet.content()
    assert tablet.locator("#my-posters a").count() == 1
    _shot(tablet, "tablet-deputy-record.png", tmp_path)


def test_posters_support_order_photos_and_hiding_on_the_desk(browser, demo_app, tmp_path):
    base = demo_app.config["LIVE_URL"]
    station, deputy = _ids(demo_app)
    page = sign_in(browser, base, "organiser")
    page.goto(f"{base}/desk/posters")
    assert page.locator(f"#posters-{station} a").count() >= 2
    _shot(page, "desk-posters.png", tmp_path)
    page.goto(f"{base}/desk/stations/{station}/poster")
    assert page.locator("svg.poster-qr").count() == 1
    _shot(page, "desk-station-poster.png", tmp_path)
    page.emulate_media(media="print")
    _shot(page, "desk-station-poster-print.png", tmp_path)
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one A4 page
    page.emulate_media(media="screen")
    page.goto(f"{base}/desk/stations/{station}/deputies/{deputy}/poster")
    _shot(page, "desk-deputy-poster.png", tmp_path)

    page.goto(f"{base}/desk/opinions?sort=support")
    assert page.locator("#support-note").count() == 1
    first = page.locator("table.table tbody tr").first.inner_text()
    assert LAMP in first
    _shot(page, "desk-opinions-by-support.png", tmp_path)

    page.locator(f"a:text('{LAMP}')").first.click()
    page.wait_for_load_state()
    assert page.locator("#opinion-photos img").count() == 1
    assert page.locator("#desk-supports").inner_text() == "37"
    _shot(page, "desk-opinion-published.png", tmp_path)
    page.fill("#hide-reason", "含有不实内容，待核实")
    page.click("button[value=hide]")
    page.wait_for_load_state()
    assert "含有不实内容" in page.locator("#publication").inner_text()
    _shot(page, "desk-opinion-hidden.png", tmp_path)
    with demo_app.app_context():
        lamp = db.session.scalar(select(Opinion.id).where(Opinion.title == LAMP))
    visitor = browser.new_context(**PHONE).new_page()
    assert visitor.goto(f"{base}/opinions/public/{lamp}").status == 404
    page.click("button[value=show]")
    page.wait_for_load_state()
    assert visitor.goto(f"{base}/opinions/public/{lamp}").status == 200
