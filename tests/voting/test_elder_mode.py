"""长辈模式 (issue 18 item 9): a deputy's tablet text size in three steps and high contrast,
kept with the deputy across sign-outs and tablets, rendered by the server on <body> of every
tablet page (no flash of the small text); the 朗读 button beside each candidate's title."""

from __future__ import annotations

import re

import pytest

from tests.factories import PIN
from tests.pages import login, open_for_all
from votesys.congress.models import Deputy
from votesys.extensions import db

JSON = {"Accept": "application/json"}


def _body(html: str) -> str:
    return re.search(r'<body class="([^"]*)"', html).group(1)


def test_the_settings_follow_the_deputy_across_sign_outs_onto_every_tablet_page(app, client, setup):
    open_for_all(client, setup)
    vid = setup["votes"]["main"]
    login(client, "D0001", PIN, tablet=True)
    assert _body(client.get("/tablet/").get_data(as_text=True)).split() == ["tablet"]
    r = client.post("/tablet/display", data={"text_size": "largest"}, headers=JSON)
    assert r.status_code == 200
    assert r.get_json() == {
        "text_size": "largest",
        "high_contrast": False,
        "classes": "text-largest",
    }
    r = client.post("/tablet/display", data={"contrast": "on", "next": "/tablet/pin"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/tablet/pin")
    client.post("/logout")
    assert "text-largest" not in client.get("/tablet/login").get_data(as_text=True)
    login(client, "D0001", PIN, tablet=True)  # signed in again, as on another tablet
    for url in ("/tablet/", f"/tablet/votes/{vid}", "/tablet/pin", "/desk/me"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert set(_body(page.get_data(as_text=True)).split()) == {
            "tablet",
            "text-largest",
            "contrast",
        }, url
    # another deputy's pages are their own
    client.post("/logout")
    login(client, "D0002", PIN, tablet=True)
    assert _body(client.get("/tablet/").get_data(as_text=True)).split() == ["tablet"]
    # back to standard, contrast off
    client.post("/logout")
    login(client, "D0001", PIN, tablet=True)
    r = client.post("/tablet/display", data={"text_size": "standard", "contrast": "off"})
    assert _body(client.get("/tablet/").get_data(as_text=True)).split() == ["tablet"]
    deputy = db.session.query(Deputy).filter_by(code="D0001").one()
    db.session.refresh(deputy)
    assert deputy.text_size == "standard" and deputy.high_contrast is False


@pytest.mark.parametrize(
    "data",
    [
        {"text_size": "huge"},
        {"text_size": "LARGE"},
        {"text_size": "large "},
        {"contrast": "yes"},
        {"contrast": "1"},
        {"text_size": "large", "contrast": "maybe"},
    ],
)
def test_a_setting_not_offered_is_refused_with_a_message_and_nothing_kept(app, client, setup, data):
    login(client, "D0001", PIN, tablet=True)
    r = client.post("/tablet/display", data=data, headers=JSON)
    assert r.status_code == 422 and r.get_json()["error"] == "invalid"
    assert r.get_json()["field"] in ("text_size", "high_contrast")
    plain = client.post("/tablet/display", data=data, follow_redirects=True)
    assert plain.status_code == 200
    text = plain.get_data(as_text=True)
    assert "字号" in text or "Text size" in text or "高对比度" in text or "High contrast" in text
    deputy = db.session.query(Deputy).filter_by(code="D0001").one()
    db.session.refresh(deputy)
    assert deputy.text_size == "standard" and deputy.high_contrast is False


def test_the_ballot_has_a_read_aloud_button_beside_each_title_hidden_until_a_voice(
    app, client, setup
):
    open_for_all(client, setup)
    vid = setup["votes"]["main"]
    login(client, "D0001", PIN, tablet=True)
    ballot = client.get(f"/tablet/votes/{vid}").get_data(as_text=True)
    buttons = re.findall(r'class="speak" hidden aria-describedby="([^"]+)"', ballot)
    assert len(buttons) == 4
    for target in buttons:
        assert f'id="{target}"' in ballot
    assert "tablet_aids.js" in ballot and "countdown.js" in ballot


def test_the_tools_are_only_for_a_signed_in_deputy(app, client, setup, organiser):
    login_page = client.get("/tablet/login").get_data(as_text=True)
    assert 'id="tablet-tools"' not in login_page
    assert client.post("/tablet/display", data={"text_size": "large"}).status_code == 302
    login(client, "organiser", "organiser-pass")
    assert client.post("/tablet/display", data={"text_size": "large"}).status_code == 403
    assert client.post("/tablet/call").status_code == 403
