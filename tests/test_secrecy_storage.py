"""Secrecy in what the database writes: after the close, no page of the ballots table, none
of its index, and no byte of the write-ahead log written while the vote was open pairs a
deputy's roll entry with their marks; and the key that sealed the cast-time ballots is gone.

The PostgreSQL test reads the server's own pages (pageinspect) and its raw WAL segments
(pg_read_binary_file, as the superuser the tests connect as), the way an attacker holding a
base backup, a replica or a WAL archive would.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text

from votesys.errors import Conflict
from votesys.extensions import db
from votesys.voting import ballot_box
from votesys.voting.models import Ballot, Vote

CANDIDATES = 8
DEPUTIES = 12


def _plan(ids: dict) -> dict[str, tuple[dict, str]]:
    """Each deputy a different ballot of 8 marks, so that a ballot's letters name a deputy."""
    cands = [str(ids["candidates"][f"c{n}"]) for n in range(1, CANDIDATES + 1)]
    patterns = itertools.product("FA", repeat=CANDIDATES)
    plan = {}
    for code in ids["deputies"]:
        letters = next(patterns)
        while letters.count("F") > 3:  # at most 3 "for" marks (max_for)
            letters = next(patterns)
        choices = {c: {"F": "for", "A": "against"}[m] for c, m in zip(cands, letters, strict=True)}
        plan[code] = (choices, "".join(letters))
    return plan


def _vote(make_scenario, api) -> tuple[dict, int]:
    ids = make_scenario(deputies=DEPUTIES, candidates=CANDIDATES, seats=3)
    api.login("organiser", "organiser-pass")
    api.seat_everyone(ids)
    vid = ids["votes"]["main"]
    assert api.post(f"/api/v1/votes/{vid}/open", as_="organiser").status_code == 200
    return ids, vid


def _cast_all(api, vid: int, plan: dict) -> list[str]:
    cast_ids: list[str] = []
    for code, (choices, _) in plan.items():
        r = api.post(f"/api/v1/votes/{vid}/ballots", {"choices": choices}, as_=code)
        assert r.status_code == 201, r.get_json()
        db.session.rollback()
        cast_ids += [
            b for b in db.session.scalars(text("SELECT id FROM ballots")) if b not in cast_ids
        ]
    return cast_ids


def test_the_database_holds_sealed_ballots_while_open_and_the_key_dies_at_close(
    app, make_scenario, api, organiser
):
    ids, vid = _vote(make_scenario, api)
    plan = _plan(ids)
    _cast_all(api, vid, plan)
    box_key = db.session.get(Vote, vid).box_key
    stored = list(db.session.scalars(db.select(Ballot.marks).where(Ballot.vote_id == vid)))
    # during the vote: sealed, every one the same length, no letters of any ballot
    assert len({len(m) for m in stored}) == 1
    assert all(m.startswith("x1:") for m in stored)
    assert not {pattern for _, pattern in plan.values()} & set(stored)
    path = ballot_box.key_path(box_key)
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600
    sealed_at_cast = stored
    assert sorted(ballot_box.unseal_all(db.session.get(Vote, vid), stored)) == sorted(
        p for _, p in plan.values()
    )

    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    db.session.rollback()
    vote = db.session.get(Vote, vid)
    # the close counted every ballot, then destroyed the key that could open them
    assert not path.exists()
    with pytest.raises(Conflict):
        ballot_box.unseal_all(vote, sealed_at_cast)
    clear = sorted(db.session.scalars(db.select(Ballot.marks).where(Ballot.vote_id == vid)))
    assert clear == sorted(p for _, p in plan.values())


def test_a_lost_box_key_is_a_clear_refusal_not_a_500(app, make_scenario, api, organiser):
    ids, vid = _vote(make_scenario, api)
    _cast_all(api, vid, dict(list(_plan(ids).items())[:8]))
    ballot_box.key_path(db.session.get(Vote, vid).box_key).unlink()
    r = api.post(f"/api/v1/votes/{vid}/close", as_="organiser")
    assert r.status_code == 409 and r.get_json()["error"] == "box_key_missing"
    db.session.rollback()
    assert db.session.get(Vote, vid).state == "open"  # nothing counted, nothing stored


def test_a_sweep_removes_keys_of_closed_votes_only(app, make_scenario, api, organiser):
    ids, vid = _vote(make_scenario, api)
    vote = db.session.get(Vote, vid)
    assert ballot_box.sweep() == 0 and ballot_box.key_path(vote.box_key).exists()
    db.session.execute(text("UPDATE votes SET state = 'closed' WHERE id = :v"), {"v": vid})
    assert ballot_box.sweep() == 1
    assert not ballot_box.key_path(vote.box_key).exists()
    # a key this database does not know (a shared volume) is left alone, and the next
    # opening sweeps the keys of closed votes by itself
    stranger = ballot_box.folder() / ("ab" * 32 + ".key")
    stranger.write_bytes(bytes(32))
    db.session.execute(text("UPDATE votes SET state = 'open' WHERE id = :v"), {"v": vid})
    assert ballot_box.sweep() == 0
    db.session.execute(text("UPDATE votes SET state = 'closed' WHERE id = :v"), {"v": vid})
    left_behind = vote.box_key
    ballot_box.key_path(left_behind).write_bytes(bytes(32))  # as an interrupted close leaves it
    ballot_box.open_box(vote)  # a new box (for the test, on the same vote row)
    assert not ballot_box.key_path(left_behind).exists() and stranger.exists()
    assert ballot_box.key_path(vote.box_key).exists()


@pytest.mark.pg_only
def test_no_page_index_or_wal_written_during_the_vote_links_a_deputy_to_marks(
    app, make_scenario, api, organiser
):
    db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    db.session.commit()
    ids, vid = _vote(make_scenario, api)
    plan = _plan(ids)
    patterns = [p.encode() for _, p in plan.values()]
    start = db.session.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))
    db.session.rollback()
    cast_ids = _cast_all(api, vid, plan)
    before_close = db.session.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))
    roll_xmins = set(
        db.session.scalars(
            text("SELECT xmin::text FROM roll_entries WHERE vote_id = :v"), {"v": vid}
        )
    )
    db.session.rollback()
    assert api.post(f"/api/v1/votes/{vid}/close", as_="organiser").status_code == 200
    db.session.rollback()
    db.session.execute(text("CHECKPOINT"))
    after_close = db.session.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))
    db.session.commit()

    # 1. The heap: no tuple (live or dead) from a casting transaction holds any marks.
    pages = db.session.scalar(text("SELECT pg_relation_size('ballots') / 8192"))
    linked = 0
    for page in range(pages):
        for xmin, data in db.session.execute(
            text("SELECT t_xmin::text, t_data FROM heap_page_items(get_raw_page('ballots', :p))"),
            {"p": page},
        ):
            if data is not None and xmin in roll_xmins:
                linked += any(p in bytes(data) for p in patterns)
    assert linked == 0
    assert (
        db.session.scalar(
            text("SELECT count(*) FROM ballots b JOIN roll_entries r ON b.xmin = r.xmin")
        )
        == 0
    )

    # 2. The primary key index: no entry, live or dead, names an id a cast wrote.
    pkey = db.session.scalar(
        text(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid = 'ballots'::regclass AND indisprimary"
        )
    )
    index_pages = db.session.scalar(text("SELECT pg_relation_size(:i) / 8192"), {"i": pkey})
    entries = b""
    for page in range(1, index_pages):  # page 0 is the metapage
        entries += bytes(
            db.session.scalar(text("SELECT get_raw_page(:i, :p)"), {"i": pkey, "p": page})
        )
    assert not [b for b in cast_ids if b.encode() in entries]
    live = set(db.session.scalars(text("SELECT id FROM ballots WHERE vote_id = :v"), {"v": vid}))
    assert not live & set(cast_ids)

    # 3. The WAL written while the vote was open holds no ballot's letters; the close's
    #    does (that is where the clear marks were written, with no roll entry beside them).
    cast_wal = _wal_bytes(start, before_close)
    close_wal = _wal_bytes(before_close, after_close)
    assert cast_wal and not [p for p in patterns if p in cast_wal]
    assert all(p in close_wal for p in patterns)
    assert entries  # the index was read


def _wal_bytes(start: str, end: str) -> bytes:
    """The raw WAL between two positions, read from the server's segment files."""
    first, first_offset = db.session.execute(
        text("SELECT file_name, file_offset FROM pg_walfile_name_offset(CAST(:l AS pg_lsn))"),
        {"l": start},
    ).one()
    last, last_offset = db.session.execute(
        text("SELECT file_name, file_offset FROM pg_walfile_name_offset(CAST(:l AS pg_lsn))"),
        {"l": end},
    ).one()
    segments = sorted(
        name
        for name in db.session.scalars(text("SELECT name FROM pg_ls_waldir()"))
        if len(name) == 24 and first <= name <= last
    )
    out = b""
    for name in segments:
        lo = first_offset if name == first else 0
        hi = last_offset if name == last else None
        length = "" if hi is None else f", {hi - lo}"
        out += bytes(
            db.session.scalar(text(f"SELECT pg_read_binary_file('pg_wal/{name}', {lo}{length})"))
        )
    return out
