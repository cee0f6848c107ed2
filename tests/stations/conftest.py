"""A county with two stations, their staff, and the JSON client."""

from __future__ import annotations

import pytest

from tests.factories import build_scenario
from votesys import scenario
from votesys.auth.services import create_user
from votesys.extensions import db

TODAY = "2026-11-20"
PHONE = "13912345678"
NAME = "李秀英"


@pytest.fixture
def app(app):
    app.config["VOTESYS_TODAY"] = TODAY
    app.config["OPINION_RATE_LIMIT"] = "1000 per minute"
    return app


@pytest.fixture
def county(app):
    data = build_scenario(deputies=6)
    data["stations"] = [
        {
            "key": "north",
            "name": "北街代表联络站",
            "kind": "station",
            "deputies": ["D0001", "D0002", "D0003"],
            "reception_days": [10, 20, 30],
            "address": "北街12号",
        },
        {"key": "south", "name": "南湖代表工作室", "kind": "room", "deputies": ["D0004"]},
    ]
    ids = scenario.load(data)
    north, south = ids["stations"]["north"], ids["stations"]["south"]
    create_user("organiser", "organiser-pass", "organiser")
    create_user("staff_n", "staff-pass-n", "station_staff", station_id=north)
    create_user("staff_s", "staff-pass-s", "station_staff", station_id=south)
    db.session.commit()
    return ids


@pytest.fixture
def logged_in(api, county):
    api.login("organiser", "organiser-pass")
    api.login("staff_n", "staff-pass-n")
    api.login("staff_s", "staff-pass-s")
    return api


def submit(api, station_id: int, **fields):
    body = {
        "station": station_id,
        "title": "北街路灯坏了",
        "content": "北街12号到20号的路灯坏了三个月，晚上老人出门不安全。",
        "category": "roads",
        "citizen_name": NAME,
        "citizen_phone": PHONE,
        **fields,
    }
    return api.post("/api/v1/opinions", body)
