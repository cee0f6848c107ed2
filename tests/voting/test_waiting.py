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


# -- the push (PostgreSQL's LISTEN/NOTIFY) and the poll behind it ---------------------------


def two_halls(app, make_scenario):
    """Two congresses on one installation (a county's and a township's), everyone present."""
    app.config.update(TABLET_KEEPALIVE_SECONDS=0.5, TABLET_STREAM_SECONDS=20.0)
    county = make_scenario(deputies=3, candidates=3, seats=1)
    township = make_scenario(
        deputies=3,
        candidates=3,
        seats=1,
        code_prefix="T",
        jurisdiction="430212101",
        parent="430212",
    )
    for ids, codes in ((county, ["D0001", "D0002", "D0003"]), (township, ["T0001", "T0002"])):
        sess = db.session.get(CongressSession, ids["session"])
        for code in codes:
            congress.check_in(sess, code)
    db.session.commit()
    return county, township


def events_until(stream, seconds: float) -> list[dict]:
    """The events (not comments) a stream receives in the next ``seconds``."""
    seen, end = [], time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            _, item, _ = stream.next(timeout=left)
        except queue.Empty:
            break
        if isinstance(item, dict):
            seen.append(item)
    return seen


def next_event(stream, timeout: float = 5.0) -> dict:
    """The next event (comments skipped)."""
    end = time.monotonic() + timeout
    while True:
        _, item, _ = stream.next(timeout=max(0.0, end - time.monotonic()))
        if isinstance(item, dict):
            return item


def test_a_vote_of_another_congress_wakes_no_stream_of_this_one(app, make_scenario):
    app.config.update(TABLET_WATCH_INTERVAL=0.05)
    county, township = two_halls(app, make_scenario)
    ours, theirs = Stream(tablet(app, "D0001")), Stream(tablet(app, "T0001"))
    assert ours.next()[1]["vote"] is None and theirs.next()[1]["vote"] is None
    open_vote(township["votes"]["main"])
    assert next_event(theirs)["vote"] == township["votes"]["main"]
    close_vote(township["votes"]["main"])
    assert next_event(theirs)["vote"] is None
    assert events_until(ours, 1.0) == []  # comments only: nothing of the township's vote
    open_vote(county["votes"]["main"])
    assert [e["vote"] for e in events_until(ours, 1.0)] == [county["votes"]["main"]]
    assert events_until(theirs, 0.5) == []


@pytest.mark.pg_only
def test_an_opening_in_another_process_wakes_the_watcher_at_once(app, make_scenario, tmp_path):
    """The interval is 30 s: only the notification can bring the opening within a second."""
    import subprocess
    import sys

    from votesys.voting import waiting

    app.config.update(TABLET_WATCH_INTERVAL=30.0)
    county, township = two_halls(app, make_scenario)
    ours, theirs = Stream(tablet(app, "D0001")), Stream(tablet(app, "T0001"))
    assert ours.next()[1]["vote"] is None and theirs.next()[1]["vote"] is None
    code = (
        "import sys, time\n"
        "from votesys import create_app\n"
        "from votesys.extensions import db\n"
        "from votesys.voting import services\n"
        "from votesys.voting.models import Vote\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1], 'TESTING': True})\n"
        "with app.app_context():\n"
        "    services.open_vote(db.session.get(Vote, int(sys.argv[2])))\n"
        "    db.session.commit()\n"
        "    print(time.time())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, app.config["SQLALCHEMY_DATABASE_URI"]]
        + [str(county["votes"]["main"])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    committed = float(done.stdout.strip().splitlines()[-1])
    assert next_event(ours, 10)["vote"] == county["votes"]["main"]
    assert time.time() - committed < 1.0  # not the 30 s poll
    assert waiting.watch(app).notified >= 1
    assert events_until(theirs, 0.5) == []  # the township's tablets: nothing


def test_a_change_nobody_announced_still_arrives_by_the_poll(app, hall):
    """SQLite has no notifications; on PostgreSQL a notification may be lost (a change made
    by hand, a connection broken): the interval's reading finds the change all the same."""
    from votesys.voting import waiting

    app.config.update(TABLET_WATCH_INTERVAL=0.2)
    vid = hall["votes"]["main"]
    stream = Stream(tablet(app))
    assert stream.next()[1]["vote"] is None
    watch = waiting.watch(app)
    notified = watch.notified
    db.session.info[waiting._ANNOUNCED] = True  # as if announced: no NOTIFY is sent
    opened = time.monotonic()
    open_vote(vid)
    _, state, _ = stream.next()
    assert state["vote"] == vid
    assert time.monotonic() - opened < 2
    assert watch.notified == notified  # the poll found it


@pytest.mark.pg_only
def test_a_change_of_a_vote_notifies_at_its_commit_and_never_on_rollback(app, hall, api):
    import psycopg

    from votesys.voting import waiting

    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {waiting.CHANNEL}")

        def received(timeout: float = 1.0) -> int:
            return len(list(listener.notifies(timeout=timeout)))

        vid = hall["votes"]["main"]
        services.open_vote(db.session.get(Vote, vid))
        db.session.flush()
        assert received(0.3) == 0  # not before the commit
        db.session.rollback()
        assert received(0.3) == 0  # nor after a rollback
        open_vote(vid)
        assert received() == 1  # once, however many flushes
        api.login("D0001", PIN)
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": {}}, as_="D0001")
        assert r.status_code == 201
        assert received(0.3) == 0  # a cast changes no vote
        close_vote(vid)  # the close takes the row with an UPDATE statement
        assert received() == 1


@pytest.mark.pg_only
def test_a_broken_listening_connection_is_made_again_at_once(app, hall):
    """The watcher's connection dies (a restart, a proxy): it reconnects and LISTENs again
    at once, not after the interval (30 s here), and misses nothing meanwhile."""
    from sqlalchemy import text

    from votesys.voting import waiting

    app.config.update(TABLET_WATCH_INTERVAL=30.0, TABLET_STREAM_SECONDS=20.0)
    vid = hall["votes"]["main"]
    stream = Stream(tablet(app))
    assert stream.next()[1]["vote"] is None
    watch = waiting.watch(app)
    pid = watch._listening.connection.driver_connection.info.backend_pid
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    db.session.commit()
    time.sleep(0.5)
    opened = time.monotonic()
    open_vote(vid)
    assert next_event(stream, 10)["vote"] == vid
    assert time.monotonic() - opened < 2
    assert watch._listening.connection.driver_connection.info.backend_pid != pid
