"""The stations' directory: every station when there are few; a place at a time when a
province has thousands (votesys.stations.directory)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.portal.conftest import counting
from votesys.congress.services import find_or_create_jurisdiction
from votesys.extensions import cache, db
from votesys.stations import directory
from votesys.stations.models import Station

# code: (name, level, parent code)
TREE = {
    "430000": ("湖南省", "province", None),
    "430100": ("长沙市", "city", "430000"),
    "430200": ("株洲市", "city", "430000"),
    "430102": ("芙蓉区", "county", "430100"),
    "430103": ("天心区", "county", "430100"),
    "430202": ("荷塘区", "county", "430200"),
    "430102001": ("文艺路街道", "township", "430102"),
    "430102002": ("朝阳街街道", "township", "430102"),
    "430103001": ("坡子街街道", "township", "430103"),
    "430202001": ("月塘街道", "township", "430202"),
}
# where the stations are: 长沙 5 (芙蓉区 3, 天心区 1, the city itself 1), 株洲 2
STATIONS = {
    "430102001": ["文艺路代表联络站", "识字岭代表之家"],
    "430102002": ["朝阳街代表联络站"],
    "430103001": ["坡子街代表联络站"],
    "430100": ["长沙市人大代表之家"],
    "430202001": ["月塘代表联络站", "荷塘代表工作室"],
}


@pytest.fixture
def province(app):
    ids = {}
    for code, (name, level, parent) in TREE.items():
        ids[code] = find_or_create_jurisdiction(code, name, level, parent).id
    for code, names in STATIONS.items():
        for name in names:
            db.session.add(Station(jurisdiction_id=ids[code], name=name))
    db.session.commit()
    return ids


def page(client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def every_station() -> list[str]:
    return [name for names in STATIONS.values() for name in names]


def test_with_few_stations_every_one_is_listed(client, province):
    text = page(client, "/stations")
    assert all(name in text for name in every_station())
    assert 'id="places"' not in text and 'id="place-path"' not in text


def test_with_many_the_directory_starts_with_the_places_and_their_counts(
    client, province, monkeypatch
):
    monkeypatch.setattr(directory, "MANY_STATIONS", 4)
    text = page(client, "/stations")
    assert 'id="places"' in text and not any(name in text for name in every_station())
    assert "长沙市" in text and "5个联络站" in text and "株洲市" in text and "2个联络站" in text
    assert "这里共有7个联络站" in text
    assert 'href="/stations?jurisdiction=430100"' in text


def test_a_place_with_few_enough_lists_its_stations_under_the_path(client, province, monkeypatch):
    monkeypatch.setattr(directory, "MANY_STATIONS", 4)
    text = page(client, "/stations?jurisdiction=430200")
    assert "月塘代表联络站" in text and "荷塘代表工作室" in text
    assert "文艺路代表联络站" not in text and 'id="places"' not in text
    assert 'id="place-path"' in text and 'href="/stations?jurisdiction=430000"' in text
    text = page(client, "/stations?jurisdiction=430102")  # a county: its townships' stations
    assert all(n in text for n in ("文艺路代表联络站", "识字岭代表之家", "朝阳街代表联络站"))
    assert "坡子街代表联络站" not in text


def test_a_place_with_too_many_offers_its_places_and_lists_its_own(client, province, monkeypatch):
    monkeypatch.setattr(directory, "MANY_STATIONS", 3)
    text = page(client, "/stations?jurisdiction=430100")  # 长沙: 5 under it
    assert 'id="places"' in text and "芙蓉区" in text and "天心区" in text
    assert "长沙市人大代表之家" in text  # the city's own station
    assert "文艺路代表联络站" not in text


def test_a_place_without_stations_says_so(client, province, monkeypatch):
    find_or_create_jurisdiction("430300", "湘潭市", "city", "430000")
    db.session.commit()
    monkeypatch.setattr(directory, "MANY_STATIONS", 4)
    assert "湘潭市" not in page(client, "/stations")  # no station under it: not offered
    assert "这里还没有设立联络站" in page(client, "/stations?jurisdiction=430300")


@pytest.mark.parametrize("code", ["999999", "4" * 80, "<script>", "'; DROP TABLE stations"])
def test_an_unknown_place_is_a_404_page(client, province, code):
    answer = client.get("/stations", query_string={"jurisdiction": code})
    assert answer.status_code == 404
    assert "Traceback" not in answer.get_data(as_text=True)


def test_english(client, province, monkeypatch):
    monkeypatch.setattr(directory, "MANY_STATIONS", 4)
    client.set_cookie("lang", "en")
    text = page(client, "/stations?lang=en")
    assert "Choose your area" in text and "5 stations" in text


def test_the_statements_do_not_grow_with_the_stations(client, province, monkeypatch):
    """Each way of showing a place (every station listed; places offered, with the place's
    own stations) takes as many statements with 7 stations as with 47."""

    def statements(many: int, url: str) -> int:
        monkeypatch.setattr(directory, "MANY_STATIONS", many)
        cache.clear()
        with counting() as seen:
            page(client, url)
        return len(seen)

    shown = [
        (1000, "/stations"),
        (1000, "/stations?jurisdiction=430102"),
        (4, "/stations"),
        (4, "/stations?jurisdiction=430100"),
    ]
    before = [statements(many, url) for many, url in shown]
    for code in ("430102001", "430202001"):
        town = province[code]
        db.session.add_all(Station(jurisdiction_id=town, name=f"新联络站{i}") for i in range(20))
    db.session.commit()
    assert [statements(many, url) for many, url in shown] == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(placed=st.lists(st.sampled_from(sorted(TREE)), max_size=30), seed=st.integers(0, 99))
def test_each_place_counts_the_stations_under_it(app, placed, seed):
    """Against a recount: a station counts for its place and every place above it."""
    ids = {code: find_or_create_jurisdiction(code, *TREE[code]).id for code in TREE}
    db.session.execute(db.delete(Station))
    for i, code in enumerate(placed):
        db.session.add(Station(jurisdiction_id=ids[code], name=f"站{i}"))
    db.session.commit()
    places = directory._places()

    def above(code: str | None):
        while code is not None:
            yield code
            code = TREE[code][2]

    for code in TREE:
        expected = sum(1 for at in placed if code in above(at))
        assert places[ids[code]].stations == expected, code
    limit = random.Random(seed).randint(0, 12)
    directory.MANY_STATIONS, kept = limit, directory.MANY_STATIONS
    try:
        shown = directory.directory("430000")
    finally:
        directory.MANY_STATIONS = kept
    listed = sum(len(items) for _, items in shown.groups)
    offered = sum(p.stations for p in shown.places)
    assert listed + offered == len(placed)  # nothing left out, nothing twice
    if len(placed) <= limit:  # few enough: listed, nothing to choose
        assert shown.places == [] and listed == len(placed)
    else:  # too many: the province's own listed, every city with stations offered
        assert listed == placed.count("430000")
