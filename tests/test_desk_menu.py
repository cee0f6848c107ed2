"""The desk's menu holds, for each role, only what the role may open: every link answers 200,
and the access matrix agrees. Issue: 区人社局 (a responsible unit) saw 人民代表大会, 联络站,
意见建议 and 统计, all answering 403, and no way to its own projects."""

from __future__ import annotations

import re

import pytest

from tests.access_world import build
from tests.test_access_matrix import MATRIX, ROLES, Caller

# Where each role meets the desk's menu: its start page, or (a deputy, whose start is the
# tablet) a desk page it is refused.
WHERE = {
    "deputy": "/desk/stations",
    "staff": "/start",
    "unit": "/start",
    "organiser": "/start",
    "admin": "/start",
}
# What each role's menu must lead to, at least.
MUST = {
    "deputy": {"stations.me"},
    "staff": {"stations.station", "stations.opinions", "stations.figures"},
    "unit": {"projects.unit_desk"},
    "organiser": {
        "congress.desk",
        "projects.register",
        "stations.stations",
        "stations.opinions",
        "stations.figures",
    },
}
MUST["admin"] = MUST["organiser"]


def menu(page: str) -> list[str]:
    nav = re.search(r'<nav class="desk-nav"[^>]*>(.*?)</nav>', page, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(1)) if nav else []


@pytest.mark.parametrize("role", sorted(WHERE))
def test_every_link_of_a_roles_menu_opens(app, fresh_user_per_request, role):
    world = build()
    client = Caller(app, world, role).client
    page = client.get(WHERE[role], follow_redirects=True).get_data(as_text=True)
    links = menu(page)
    assert links, f"{role} has no menu"
    urls = app.url_map.bind("localhost")
    reached = set()
    for link in links:
        answer = client.get(link)
        assert answer.status_code == 200, (role, link, answer.status_code)
        endpoint, _args = urls.match(link)
        reached.add(endpoint)
        # the access matrix says the same: the role may open it
        expected = MATRIX[endpoint][ROLES.index(role)]
        assert expected in (200, 302), (role, endpoint, expected)
    assert MUST[role] <= reached, (role, reached)
    if role == "unit":  # its own projects, by that name
        assert re.search(r'href="/desk/projects/unit"[^>]*>(我的项目|My projects)<', page)
