"""The deputy's tablet: the ballot, the review, casting, and the refusals it explains."""

from __future__ import annotations

import re

from tests.factories import PIN, unsealed_marks
from tests.pages import login, open_for_all, shown
from votesys.extensions import db
from votesys.voting.models import RollEntry


def test_tablet_ballot_review_cast(app, client, setup):
    open_for_all(client, setup)
    vid = setup["votes"]["main"]
    c = [setup["candidates"][f"c{n}"] for n in range(1, 5)]
    assert login(client, "D0001", PIN, tablet=True).headers["Location"].endswith("/tablet/")
    home = client.get("/tablet/").get_data(as_text=True)
    assert f"/tablet/votes/{vid}" in home
    ballot = client.get(f"/tablet/votes/{vid}").get_data(as_text=True)
    assert ballot.count('value="for"') == 4
    over = client.post(
        f"/tablet/votes/{vid}/review",
        data={f"c{c[0]}": "for", f"c{c[1]}": "for", f"c{c[2]}": "for"},
    )
    assert over.status_code == 422 and "最多" in over.get_data(as_text=True)
    review = client.post(
        f"/tablet/votes/{vid}/review", data={f"c{c[0]}": "for", f"c{c[1]}": "against"}
    )
    text = review.get_data(as_text=True)
    assert review.status_code == 200 and "2 项未标记" in text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', text).group(1)
    data = {f"c{c[0]}": "for", f"c{c[1]}": "against", "idempotency_key": key}
    # Post/redirect/get: the cast answers with a redirect to the page of its receipt
    cast = client.post(f"/tablet/votes/{vid}/cast", data=data)
    assert cast.status_code == 303
    assert cast.headers["Location"].endswith(f"/tablet/votes/{vid}/done")
    done = client.get(cast.headers["Location"]).get_data(as_text=True)
    receipt = re.search(r'id="receipt">([^<]+)<', done).group(1)
    assert "投票成功" in done
    # shown once: Back or a reload shows the vote recorded, without the receipt
    later = client.get(cast.headers["Location"]).get_data(as_text=True)
    assert "您的投票已记录" in later and receipt not in later and 'id="receipt"' not in later
    # a retry with the same Idempotency-Key gets the same receipt, once more
    again = client.post(f"/tablet/votes/{vid}/cast", data=data)
    assert again.status_code == 303
    assert receipt in client.get(again.headers["Location"]).get_data(as_text=True)
    data["idempotency_key"] = "other"
    twice = client.post(f"/tablet/votes/{vid}/cast", data=data)
    assert twice.status_code == 409 and "只能投票一次" in twice.get_data(as_text=True)
    assert unsealed_marks(vid) == ["FANN"]
    assert "您已在" in client.get("/tablet/").get_data(as_text=True)


def test_tablet_not_checked_in(client, setup):
    login(client, "organiser", "organiser-pass")
    for code in list(setup["deputies"])[1:]:
        client.post(f"/desk/sessions/{setup['session']}/checkin", data={"code": code})
    client.post(f"/desk/votes/{setup['votes']['main']}/open")
    client.post("/logout")
    login(client, "D0001", PIN, tablet=True)
    assert "尚未签到" in client.get("/tablet/").get_data(as_text=True)
    c1 = setup["candidates"]["c1"]
    r = client.post(f"/tablet/votes/{setup['votes']['main']}/cast", data={f"c{c1}": "for"})
    assert r.status_code == 403 and "尚未签到" in r.get_data(as_text=True)
    assert db.session.query(RollEntry).count() == 0


def test_tablet_tells_a_terminated_deputy_why(client, make_scenario, organiser):
    ids = make_scenario(deputies=4, candidates=2, seats=1, terminated=1)
    login(client, "organiser", "organiser-pass")
    for code in list(ids["deputies"])[:3]:
        client.post(f"/desk/sessions/{ids['session']}/checkin", data={"code": code})
    client.post(f"/desk/votes/{ids['votes']['main']}/open")
    client.post("/logout")
    login(client, "D0004", PIN, tablet=True)
    page = client.get("/tablet/").get_data(as_text=True)
    assert "代表资格" in page and "开始投票" not in page  # no template either: no stream
    assert client.get("/tablet/").headers["Cache-Control"] == "no-store"


def test_tablet_never_shows_a_ballot_that_cannot_be_cast(client, setup):
    login(client, "organiser", "organiser-pass")
    for code in list(setup["deputies"])[1:]:
        client.post(f"/desk/sessions/{setup['session']}/checkin", data={"code": code})
    client.post(f"/desk/votes/{setup['votes']['main']}/open")
    client.post(f"/desk/sessions/{setup['session']}/checkin", data={"code": "D0001"})  # late
    client.post("/logout")
    login(client, "D0001", PIN, tablet=True)
    home = shown(client.get("/tablet/").get_data(as_text=True))
    assert "开始后才签到" in home and "开始投票" not in home
    page = client.get(f"/tablet/votes/{setup['votes']['main']}")
    assert page.status_code == 403 and 'value="for"' not in page.get_data(as_text=True)


def test_tablet_pages_send_a_logged_out_deputy_to_the_tablet_login(client, setup):
    r = client.get("/tablet/")
    assert r.status_code == 302 and "/tablet/login" in r.headers["Location"]


def test_the_receipt_waits_only_in_the_session_of_the_deputy_who_cast(client, setup):
    """The next deputy on the same tablet (a new session) never sees it, even if the one who
    cast left before the receipt page was shown."""
    open_for_all(client, setup)
    vid = setup["votes"]["main"]
    login(client, "D0001", PIN, tablet=True)
    cast = client.post(f"/tablet/votes/{vid}/cast", data={"idempotency_key": "k"})
    assert cast.status_code == 303
    client.post("/logout")
    login(client, "D0002", PIN, tablet=True)
    page = client.get(f"/tablet/votes/{vid}/done")
    assert page.status_code == 303 and page.headers["Location"].endswith(f"/tablet/votes/{vid}")
    receipt = db.session.query(RollEntry).one().receipt
    assert receipt not in page.get_data(as_text=True)
    assert client.get(f"/tablet/votes/{vid}/done").status_code == 303  # still not voted
    assert page.headers["Cache-Control"] == "no-store"


def test_the_marks_kept_on_a_tablet_are_keyed_by_the_session_not_the_deputy(client, setup):
    """tablet.js keeps the marks in sessionStorage under a random key of the session: one
    length (the pages' sizes), never the deputy's code, and new at every login."""
    open_for_all(client, setup)
    vid = setup["votes"]["main"]

    def key() -> str:
        page = client.get(f"/tablet/votes/{vid}").get_data(as_text=True)
        return re.search(r'id="ballot"[^>]* data-store-key="([^"]+)"', page).group(1)

    login(client, "D0001", PIN, tablet=True)
    first = key()
    assert first == key() and "D0001" not in first and len(first) == 22
    home = client.get("/tablet/").get_data(as_text=True)
    assert f'data-store-key="{first}"' in home  # the waiting page drops other keys' marks
    client.post("/logout")
    login(client, "D0001", PIN, tablet=True)
    second = key()
    client.post("/logout")
    login(client, "D0002", PIN, tablet=True)
    assert len({first, second, key()}) == 3


def test_a_mark_can_be_cleared_without_a_script(client, setup):
    """A "Clear mark" choice of its own, with an empty value: sent, it is no mark."""
    open_for_all(client, setup)
    vid = setup["votes"]["main"]
    c1, c2 = setup["candidates"]["c1"], setup["candidates"]["c2"]
    login(client, "D0001", PIN, tablet=True)
    ballot = client.get(f"/tablet/votes/{vid}").get_data(as_text=True)
    assert ballot.count('value=""') == 4 and ballot.count('class="choice choice-clear"') == 4
    review = client.post(f"/tablet/votes/{vid}/review", data={f"c{c1}": "", f"c{c2}": "for"})
    assert review.status_code == 200 and "3 项未标记" in review.get_data(as_text=True)
