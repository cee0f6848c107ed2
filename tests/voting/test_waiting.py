"""The waiting tablet's event stream: the state at once, then one event each time the open
vote changes, whether the deputy may cast in it, comments to keep it alive, and an end
after TABLET_STREAM_SECONDS."""

from __future__ import annotations

import json
import queue
import threading
import time

import pytest

from tests.factories import PIN
from votesys.congress import services as congress
from votesys.congress.models import CongressSession
from votesys.extensions import db
from votesys.voting import counting, services
from votesys.voting.models import Vote


@pytest.fixture
def hall(app, make_scenario):
    # streams a test leaves unread end soon after it (and the watcher 5 s later)
    app.config.update(
        TABLET_KEEPALIVE_SECONDS=4.0, TABLET_STREAM_SECONDS=4.0, TABLET_WATCH_INTERVAL=0.05
    )
    ids = make_scenario(deputies=3, candidates=3, seats=1)
    sess = db.session.get(CongressSession, ids["session"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    db.session.commit()
    return ids


def tablet(app, code="D0001"):
    client = app.test_client()
    r = client.post("/tablet/login", data={"code": code, "pin": PIN})
    assert r.status_code == 302
    return client


def open_vote(vid):
    services.open_vote(db.session.get(Vote, vid))
    db.session.commit()


def close_vote(vid):
    counting.close_vote(db.session.get(Vote, vid))
    db.session.commit()


class Stream:
    """A tablet's stream read on a thread of its own, as the browser reads it: each item of
    ``items`` is (seconds since the stream began, an event's data, or ":" for a comment)."""

    def __init__(self, client) -> None:
        self.items: queue.Queue = queue.Queue()
        self.response = None
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._read, args=(client,), daemon=True)
        self.thread.start()

    def _read(self, client) -> None:
        self.response = client.get("/tablet/events", buffered=False)
        buffer = ""
        for chunk in self.response.response:
            buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                at = time.monotonic() - self.started
                data = [ln[5:].strip() for ln in block.split("\n") if ln.startswith("data:")]
                if data:
                    assert "event: state" in block.split("\n")
                    self.items.put((at, json.loads(data[0]), block))
                elif block.startswith(":"):
                    self.items.put((at, ":", block))
        self.items.put((time.monotonic() - self.started, None, ""))  # the end

    def next(self, timeout: float = 5.0):
        return self.items.get(timeout=timeout)


def test_the_first_event_is_the_state_now(app, hall):
    vid = hall["votes"]["main"]
    open_vote(vid)
    stream = Stream(tablet(app))
    at, state, block = stream.next()
    assert at < 2 and block.startswith("retry: ")
    assert 1000 <= int(block.split("\n")[0][7:]) <= 4000
    title = db.session.get(Vote, vid).title
    assert state == {
        "mandate_current": True,
        "vote": vid,
        "title": title,
        "practice": False,
        "seconds_left": None,  # no time limit
        "voted": False,
        "can_cast": True,
    }
    assert stream.response.mimetype == "text/event-stream"
    assert stream.response.headers["Cache-Control"] == "no-store"
    assert stream.response.headers["X-Accel-Buffering"] == "no"


def test_the_vote_opening_and_closing_reach_the_waiting_tablet(app, hall):
    vid = hall["votes"]["main"]
    stream = Stream(tablet(app))
    _, state, _ = stream.next()
    assert state["vote"] is None and state["voted"] is False
    time.sleep(0.3)
    opened = time.monotonic()
    open_vote(vid)
    _, state, _ = stream.next()
    assert time.monotonic() - opened < 2
    assert state["vote"] == vid and state["voted"] is None  # the ballot page says the rest
    assert state["can_cast"] is True
    assert state["title"] == db.session.get(Vote, vid).title
    closed = time.monotonic()
    close_vote(vid)
    _, state, _ = stream.next()
    assert time.monotonic() - closed < 2
    assert state == {
        "mandate_current": True,
        "vote": None,
        "title": None,
        "practice": False,
        "seconds_left": None,
        "voted": False,
        "can_cast": False,
    }


def test_a_ballot_cast_elsewhere_is_in_the_first_event(app, hall, api):
    vid = hall["votes"]["main"]
    open_vote(vid)
    api.login("D0001", PIN)
    r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {}}, as_="D0001")
    assert r.status_code == 201
    _, state, _ = Stream(tablet(app)).next()
    assert state["vote"] == vid and state["voted"] is True and state["can_cast"] is False
    _, other, _ = Stream(tablet(app, "D0002")).next()
    assert other["vote"] == vid and other["voted"] is False and other["can_cast"] is True


def test_a_deputy_who_may_not_cast_is_told_so_by_the_event(app, make_scenario):
    """The same rule as casting: counted present at the opening, mandate current. The page
    reloads on can_cast false and shows why, instead of a button that leads to a refusal."""
    app.config.update(TABLET_STREAM_SECONDS=10.0, TABLET_WATCH_INTERVAL=0.05)
    ids = make_scenario(deputies=7, candidates=2, seats=1, terminated=1)  # D0007's ended
    sess = db.session.get(CongressSession, ids["session"])
    for code in ["D0001", "D0002", "D0005", "D0006"]:
        congress.check_in(sess, code)
    db.session.commit()
    vid = ids["votes"]["main"]
    streams = {code: Stream(tablet(app, code)) for code in ["D0001", "D0003", "D0004", "D0007"]}
    for s in streams.values():
        assert s.next()[1]["vote"] is None
    open_vote(vid)
    congress.check_in(sess, "D0003")  # after the opening: votes in the next vote
    db.session.commit()
    seen = {code: s.next()[1] for code, s in streams.items()}
    assert {code: (e["vote"], e["can_cast"]) for code, e in seen.items()} == {
        "D0001": (vid, True),
        "D0003": (vid, False),  # checked in after the opening
        "D0004": (vid, False),  # not checked in
        "D0007": (vid, False),  # mandate ended
    }
    # and a stream that begins now says the same
    assert Stream(tablet(app, "D0003")).next()[1]["can_cast"] is False
    assert Stream(tablet(app, "D0001")).next()[1]["can_cast"] is True


def test_an_idle_stream_has_comments_and_ends(app, hall):
    app.config.update(TABLET_KEEPALIVE_SECONDS=0.3, TABLET_STREAM_SECONDS=1.5)
    stream = Stream(tablet(app))
    stream.next()
    comments, end = 0, None
    while end is None:
        at, item, _ = stream.next()
        if item == ":":
            comments += 1
            assert at < 1.5 * 1.2 + 0.5
        else:
            assert item is None, item  # nothing changed: no other event
            end = at
    assert 1.5 * 0.8 - 0.1 <= end < 1.5 * 1.2 + 1.0
    assert comments >= 2


def test_only_a_deputy_may_wait(app, hall, client):
    assert client.get("/tablet/events").status_code == 302
