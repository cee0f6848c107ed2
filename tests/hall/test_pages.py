"""The hall's big screen: counts, never contents."""

from __future__ import annotations

from tests.factories import PIN
from tests.pages import login, open_for_all


def test_hall_state_shows_counts_never_contents(client, setup):
    sid = setup["session"]
    state = client.get(f"/hall/{sid}/state.json").get_json()
    assert state["quorum"] == {"total": 6, "present": 0, "required": 4, "met": False}
    assert state["vote"] is None and state["result"] is None
    open_for_all(client, setup)
    login(client, "D0002", PIN, tablet=True)
    c1 = setup["candidates"]["c1"]
    client.post(f"/tablet/votes/{setup['votes']['main']}/cast", data={f"c{c1}": "for"})
    state = client.get(f"/hall/{sid}/state.json").get_json()
    assert state["vote"]["ballots_cast"] == 1 and state["result"] is None
    assert "for" not in str(state["vote"])
    assert client.get(f"/hall/{sid}").status_code == 200
