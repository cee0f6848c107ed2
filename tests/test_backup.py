"""`votesys backup` and `votesys restore`: a database taken mid-cycle comes back whole, on
SQLite and on PostgreSQL; restore refuses to overwrite data unless told to."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import FAST_HASH, PG_URL
from votesys import backup, create_app, demo, personal
from votesys.congress.models import Deputy
from votesys.database import throwaway_postgres_database
from votesys.extensions import db
from votesys.stations.models import Opinion
from votesys.voting import casting, counting, services
from votesys.voting.models import Ballot, PresentAtOpening, RollEntry, Vote, VoteState


def _mid_cycle() -> dict:
    """The demo (a published, sealed and recorded 2026 vote; stations and opinions with
    encrypted names and phones; the register's projects) with the 2027 vote open and 25
    deputies having voted in it."""
    assert demo.load_if_empty()
    vote = db.session.scalar(select(Vote).where(Vote.state == VoteState.DRAFT).order_by(Vote.id))
    services.open_vote(vote)
    db.session.commit()
    present = db.session.scalars(
        select(PresentAtOpening.deputy_id).where(PresentAtOpening.vote_id == vote.id).limit(25)
    ).all()
    first = str(vote.entries[0].candidate_id)
    for deputy_id in present:
        casting.cast_ballot(vote, db.session.get(Deputy, deputy_id), {first: "for"})
    db.session.commit()
    opinion = db.session.scalar(
        select(Opinion).where(Opinion.citizen_phone_enc.is_not(None)).order_by(Opinion.id)
    )
    return {
        "open_vote": vote.id,
        "voted": set(present),
        "opinion": opinion.id,
        "phone": personal.decrypt(opinion.citizen_phone_enc),
        "name": personal.decrypt(opinion.citizen_name_enc),
    }


@contextlib.contextmanager
def _other_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the test's: a throwaway one on PostgreSQL."""
    if PG_URL:
        with throwaway_postgres_database(PG_URL, prefix="votesys_faults") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'restored.db'}"


def _app_on(url: str):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, **FAST_HASH})


def test_round_trip_mid_cycle(app, runner, tmp_path):
    facts = _mid_cycle()
    before = backup.summarise()
    file = tmp_path / "votesys.backup"
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert f"{before.rows['roll_entries']:>7}  deputies recorded as having voted" in result.output
    assert f"{before.rows['opinions']:>7}  citizens' opinions" in result.output
    assert "warning: a vote is open" in result.output

    with _other_database(tmp_path) as url:
        other = _app_on(url)
        with other.app_context():  # the command runs in the app context it finds
            result = other.test_cli_runner().invoke(args=["restore", str(file)])
            assert result.exit_code == 0, result.output
            assert f"restored {file}" in result.output
            assert f"audit chain: {before.audit_entries} entries verify" in result.output
            after = backup.summarise()
            assert after.rows == before.rows
            assert after.votes_by_state == before.votes_by_state
            assert after.audit_broken is None and after.audit_entries == before.audit_entries
            assert after.records == before.records >= 1 and not after.records_failed
            _same_mid_cycle_state(facts)
            db.engine.dispose()


def _same_mid_cycle_state(facts: dict) -> None:
    """The restored vote is still open with the same voters, its ballots match its roll,
    the personal data decrypts with the same key, and the rest of the deputies can vote."""
    vote = db.session.get(Vote, facts["open_vote"])
    assert vote.state == VoteState.OPEN
    voted = set(db.session.scalars(select(RollEntry.deputy_id).where(RollEntry.vote_id == vote.id)))
    assert voted == facts["voted"]
    ballots = db.session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)
    )
    assert ballots == len(voted)
    opinion = db.session.get(Opinion, facts["opinion"])
    assert personal.decrypt(opinion.citizen_phone_enc) == facts["phone"]
    assert personal.decrypt(opinion.citizen_name_enc) == facts["name"]
    waiting = db.session.scalar(
        select(PresentAtOpening.deputy_id).where(
            PresentAtOpening.vote_id == vote.id, PresentAtOpening.deputy_id.not_in(voted)
        )
    )
    casting.cast_ballot(vote, db.session.get(Deputy, waiting), {})
    counting.close_vote(vote)
    db.session.commit()
    assert not backup.summarise().records_failed


def test_restore_refuses_a_database_in_use_unless_forced(app, runner, tmp_path, make_scenario):
    make_scenario(deputies=5)
    file = tmp_path / "one.backup"
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code == 0 and "warning" not in result.output  # no vote open
    make_scenario(deputies=3, jurisdiction="430213", code_prefix="E")
    deputies = db.session.scalar(select(func.count()).select_from(Deputy))
    assert deputies == 8

    refused = runner.invoke(args=["restore", str(file)])
    assert refused.exit_code != 0
    assert "not empty" in refused.output and "--force" in refused.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Deputy)) == 8
    db.session.remove()  # the restore replaces tables this session would hold locks on

    forced = runner.invoke(args=["restore", "--force", str(file)])
    assert forced.exit_code == 0, forced.output
    assert "5  deputies" in forced.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Deputy)) == 5


def test_restore_refuses_what_is_not_a_backup(app, runner, tmp_path):
    missing = runner.invoke(args=["restore", str(tmp_path / "nothing")])
    assert missing.exit_code != 0 and "no such file" in missing.output
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"PK\x03\x04 not a database")
    refused = runner.invoke(args=["restore", str(junk)])
    assert refused.exit_code != 0 and "not a votesys backup" in refused.output

    other_kind = tmp_path / "other.backup"
    if PG_URL:  # a SQLite file offered to PostgreSQL
        sqlite3.connect(other_kind).execute("CREATE TABLE votes (id INTEGER)").connection.close()
        expected = "is a SQLite backup but this installation's database is PostgreSQL"
    else:
        other_kind.write_bytes(backup.PGDUMP_MAGIC + b"\x01\x0e\x00")
        expected = "is a PostgreSQL backup but this installation's database is SQLite"
    refused = runner.invoke(args=["restore", str(other_kind)])
    assert refused.exit_code != 0 and expected in refused.output


def test_backup_into_a_missing_folder_is_refused(app, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no" / "such" / "file")])
    assert result.exit_code != 0 and "no such folder" in result.output
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's online backup; pg_dump is a snapshot")
def test_sqlite_backup_while_deputies_cast_is_consistent(app, runner, tmp_path, make_scenario):
    """The online backup runs while a writer casts: the copy is a committed state, whose
    roll and ballots agree."""
    ids = make_scenario(deputies=60, candidates=2, seats=1)
    from votesys.congress import services as congress
    from votesys.congress.models import CongressSession

    sess = db.session.get(CongressSession, ids["session"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    services.open_vote(db.session.get(Vote, ids["votes"]["main"]))
    db.session.commit()
    done = threading.Event()

    def cast_all() -> None:
        with app.app_context():
            for deputy_id in ids["deputies"].values():
                vote = db.session.get(Vote, ids["votes"]["main"])
                casting.cast_ballot(vote, db.session.get(Deputy, deputy_id), {})
                db.session.commit()
            db.session.remove()
        done.set()

    writer = threading.Thread(target=cast_all)
    writer.start()
    copies = []
    while not done.is_set() or not copies:
        file = tmp_path / f"copy{len(copies)}.db"
        assert runner.invoke(args=["backup", str(file)]).exit_code == 0
        copies.append(file)
    writer.join(60)
    for file in copies:
        conn = sqlite3.connect(file)
        roll = conn.execute("SELECT count(*) FROM roll_entries").fetchone()[0]
        ballots = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        conn.close()
        assert roll == ballots and mode == "delete"
        assert not os.path.exists(f"{file}-wal")
