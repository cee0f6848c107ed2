"""Published opinions, their support (附议) and photos, and an opinion sent from a deputy's QR
poster (代表码), in the demo: through the same services as the form and the API. The photo
is drawn here (a street lamp out at night), then re-encoded as a citizen's would be."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw
from sqlalchemy import select

from votesys.congress.models import Deputy
from votesys.extensions import db
from votesys.stations import intake, publicity
from votesys.stations.models import Source, Station

STATION = "渌口镇人大代表联络站"
# (title, content, category, place, received on, supports, with the photo)
PUBLISHED = (
    (
        "渌江路北段路灯坏了一个多月",
        "渌江路北段从农贸市场到渡口约三百米，六盏路灯有四盏不亮，已经一个多月。晚上接送孩子、"
        "老人去市场都要摸黑，雨天路滑更危险。希望尽快修好，并定期巡查。",
        "roads",
        "渌江路北段（农贸市场至渡口）",
        date(2026, 11, 12),
        37,
        True,
    ),
    (
        "建议在镇卫生院增设夜间儿科门诊",
        "孩子晚上发烧只能去县城医院，路上要一个小时。建议镇卫生院每周安排几个晚上的儿科门诊。",
        "health",
        "渌口镇卫生院",
        date(2026, 11, 16),
        12,
        False,
    ),
)
ADDRESSED = (
    "LK002",
    "南洲村渡口候船亭漏雨",
    "南洲村渡口的候船亭顶棚破了，下雨天候船的老人只能站在雨里，请帮忙反映。",
)


def streetlight_jpeg() -> bytes:
    """A plain drawing of a street lamp that is out, at night, as a citizen's photo."""
    img = Image.new("RGB", (640, 480), (24, 30, 52))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 380, 640, 480), fill=(58, 58, 62))  # the road
    draw.line((0, 430, 640, 430), fill=(200, 190, 120), width=4)
    for x in (120, 480):  # two lamps: the left one lit, the right one dark
        draw.rectangle((x - 6, 140, x + 6, 380), fill=(110, 112, 118))
        draw.rectangle((x - 6, 140, x + 70, 150), fill=(110, 112, 118))
        lit = x == 120
        head = (255, 236, 150) if lit else (70, 72, 78)
        draw.polygon([(x + 40, 150), (x + 90, 150), (x + 80, 172), (x + 50, 172)], fill=head)
        if lit:
            draw.polygon(
                [(x + 50, 172), (x + 80, 172), (x + 150, 380), (x - 20, 380)], fill=(90, 84, 60)
            )
    draw.line((535, 150, 560, 185), fill=(20, 20, 20), width=3)  # the broken cover
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def seed() -> None:
    station = db.session.scalar(select(Station).where(Station.name == STATION))
    for title, content, category, place, day, supports, photo in PUBLISHED:
        fields = intake.NewOpinion(
            title=title,
            content=content,
            category=category,
            place=place,
            citizen_name="周桂兰",
            citizen_phone="13807330000",
            public=True,
        )
        opinion = intake.create_opinion(
            fields,
            source=Source.ONLINE,
            jurisdiction=station.jurisdiction,
            station=station,
            received_on=day,
            actor="citizen",
        )
        if photo:
            publicity.keep_photos(
                opinion, publicity.check_photos([("streetlight.jpg", streetlight_jpeg())])
            )
        for i in range(supports):
            publicity.support(opinion.id, f"demo-browser-{opinion.id}-{i:04d}")
    code, title, content = ADDRESSED
    deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
    opinion = intake.create_opinion(
        intake.NewOpinion(title=title, content=content, category="roads", place="南洲村渡口"),
        source=Source.ONLINE,
        jurisdiction=station.jurisdiction,
        station=station,
        received_on=date(2026, 11, 18),
        actor="citizen",
    )
    publicity.address_to(opinion, deputy)
    db.session.flush()
