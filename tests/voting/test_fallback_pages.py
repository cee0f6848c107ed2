"""The pages of paper when tablets fail and of the four eyes on paper totals: the desk's
switch, its paper ballots to issue and to whom, the tellers' form, the scrutineer's page on a
tablet, the hall, the announcement and the CSV showing both parts. Checked by element ids and
figures: the words are translated."""

from __future__ import annotations

import csv
import io

from tests.factories import PIN
from tests.pages import login
from votesys.extensions import db
from votesys.voting.models import Vote
from votesys.voting.scrutiny_models import Scrutineer, Scrutiny


def _opened(make_scenario, api, **kw):
    ids = make_scenario(deputies=6, candidates=2, seats=1, **kw)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    return ids, vid


def _form(ids, issued, returned, invalid, rows) -> dict:
    data = {"issued": issued, "returned": returned, "invalid": invalid}
    for i, (f, a, n) in enumerate(rows, start=1):
        cid = ids["candidates"][f"c{i}"]
        data |= {f"c{cid}_for": f, f"c{cid}_against": a, f"c{cid}_abstain": n}
    return data


def test_the_desk_switches_to_paper_enters_totals_and_closes(make_scenario, organiser, api, client):
    ids, vid = _opened(make_scenario, api)
    c1 = str(ids["candidates"]["c1"])
    for code in ("D0001", "D0002"):
        api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {c1: "for"}}, as_=code)
    login(client, "organiser", "organiser-pass")
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert 'id="fallback-switch"' in page and 'id="paper-part-form"' not in page
    # No reason: refused, nothing switched.
    client.post(f"/desk/votes/{vid}/fallback", data={"reason": "  "})
    assert db.session.get(Vote, vid).fallback_at is None
    r = client.post(f"/desk/votes/{vid}/fallback", data={"reason": "网络中断"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Vote, vid).fallback_reason == "网络中断"
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert 'id="fallback-switch"' not in page
    assert (
        'id="paper-to-issue"' in page
        and "<strong>4</strong>" in page.split('id="paper-to-issue"')[1][:200]
    )
    names = page.split('id="paper-names"')[1].split("</ul>")[0]
    assert all(f"代表{i}" in names for i in (3, 4, 5, 6)) and "代表1 " not in names
    assert 'id="paper-part-form"' in page
    hall = client.get(f"/hall/{ids['session']}/state.json").get_json()
    assert hall["vote"]["paper"] is True
    # The tellers' totals: 4 issued and returned, none invalid.
    r = client.post(f"/desk/votes/{vid}/paper", data=_form(ids, 4, 4, 0, [(3, 1, 0), (1, 2, 1)]))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert 'data-status="effective"' in page
    client.post(f"/desk/votes/{vid}/close")
    db.session.expire_all()
    vote = db.session.get(Vote, vid)
    assert vote.state == "closed" and vote.ballots_cast == 6
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert 'id="result-parts"' in page
    rows = page.split('class="table result-parts"')[1].split("</table>")[0]
    assert '<td class="num">2</td><td class="num">3</td><td class="num">5</td>' in rows
    # The desk says how it was voted, and the printed report gives both parts.
    assert "表决器，后改用纸质表决票" in page
    report = client.get(f"/desk/votes/{vid}/report").get_data(as_text=True)
    figures = report.split('class="table report-figures"')[1].split("</table>")[0]
    assert '表决器投票数</th><td class="num">2</td>' in figures
    assert '纸质表决票数</th><td class="num">4</td>' in figures
    api.post(f"/api/v1/votes/{vid}/publish", as_="organiser")
    announcement = client.get(f"/votes/{vid}/announcement").get_data(as_text=True)
    assert 'id="result-parts"' in announcement and "网络中断" in announcement
    body = client.get(f"/votes/{vid}/result.csv").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(body)))
    assert ["网络中断"] == table[-6][1:] or table[-6][1] == "网络中断"
    assert table[-5][1] == "2" and table[-4][1] == "4"  # tablets, paper
    assert table[-2][1:] == ["3", "1", "0"]  # c1's paper part
    hall = client.get(f"/hall/{ids['session']}/state.json").get_json()
    assert hall["result"]["electronic_ballots"] == 2 and hall["result"]["paper_ballots"] == 4


def test_a_scrutineer_confirms_on_a_tablet_page(make_scenario, organiser, api, client):
    ids, vid = _opened(make_scenario, api)
    db.session.add(Scrutiny(session_id=ids["session"], required=1))
    db.session.add(Scrutineer(session_id=ids["session"], deputy_id=ids["deputies"]["D0006"]))
    db.session.commit()
    api.post(f"/api/v1/votes/{vid}/fallback", {"reason": "断电"}, as_="organiser")
    body = {
        "issued": 6,
        "returned": 6,
        "invalid": 0,
        "candidates": {
            str(ids["candidates"]["c1"]): {"for": 4, "against": 2, "abstain": 0},
            str(ids["candidates"]["c2"]): {"for": 1, "against": 5, "abstain": 0},
        },
    }
    assert api.post(f"/api/v1/votes/{vid}/paper", body, as_="organiser").status_code == 202
    login(client, "organiser", "organiser-pass")
    desk = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert 'data-status="pending"' in desk
    client.post(f"/desk/votes/{vid}/close")
    assert db.session.get(Vote, vid).state == "open"  # refused until confirmed
    client.post("/logout")
    # Another deputy: not a scrutineer of the session.
    login(client, "D0005", PIN, tablet=True)
    assert client.get(f"/tablet/votes/{vid}/paper").status_code == 403
    assert client.post(f"/tablet/votes/{vid}/paper", data={"entry": "1"}).status_code == 403
    client.post("/logout")
    login(client, "D0006", PIN, tablet=True)
    page = client.get(f"/tablet/votes/{vid}/paper").get_data(as_text=True)
    assert 'data-status="pending"' in page and 'id="paper-confirm-button"' in page
    r = client.post(f"/tablet/votes/{vid}/paper", data={"entry": "1"}, follow_redirects=True)
    assert 'class="flash error"' not in r.get_data(as_text=True), r.get_data(as_text=True)
    page = client.get(f"/tablet/votes/{vid}/paper").get_data(as_text=True)
    assert 'data-status="effective"' in page and 'id="paper-confirm-button"' not in page
    client.post("/logout")
    api.login("organiser", "organiser-pass")  # the desk's logout ended the earlier token
    closed = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert closed.status_code == 200 and closed.get_json()["paper_ballots"] == 6


def test_the_tablet_page_asks_an_anonymous_visitor_to_sign_in_on_the_tablet(
    make_scenario, organiser, api, client
):
    _ids, vid = _opened(make_scenario, api)
    r = client.get(f"/tablet/votes/{vid}/paper")
    assert r.status_code == 302 and "/tablet/login" in r.headers["Location"]


def test_a_paper_vote_with_scrutineers_waits_at_the_desk(make_scenario, organiser, api, client):
    ids, vid = _opened(make_scenario, api, mode="paper")
    db.session.add(Scrutiny(session_id=ids["session"], required=1))
    db.session.add(Scrutineer(session_id=ids["session"], deputy_id=ids["deputies"]["D0001"]))
    db.session.commit()
    login(client, "organiser", "organiser-pass")
    client.post(f"/desk/votes/{vid}/paper", data=_form(ids, 6, 6, 0, [(4, 2, 0), (1, 5, 0)]))
    db.session.expire_all()
    assert db.session.get(Vote, vid).state == "open"
    page = client.get(f"/desk/votes/{vid}").get_data(as_text=True)
    assert 'data-status="pending"' in page
    assert 'id="fallback-switch"' not in page and 'id="paper-part-form"' not in page
