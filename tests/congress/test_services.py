"""签到 and the figures the quorum is taken from: who counts as current, who as present."""

from __future__ import annotations

import pytest

from tests import oracle
from tests.factories import build_scenario
from votesys import scenario
from votesys.congress import services
from votesys.congress.models import Attendance, CongressSession, Deputy
from votesys.errors import Conflict, InvalidInput, NotFound
from votesys.extensions import db
from votesys.integrity.models import AuditEntry


@pytest.fixture
def sess(app):
    """9 deputies on the roll, the last 2 of them with their seats terminated."""
    ids = scenario.load(build_scenario(deputies=9, terminated=2))
    db.session.commit()
    return db.session.get(CongressSession, ids["session"])


def check_ins() -> list[str]:
    return [e.object for e in db.session.scalars(db.select(AuditEntry)) if e.action == "checked_in"]


def test_current_deputies_leave_out_terminated_seats(sess):
    assert services.current_deputies_count(sess.congress_id) == 7
    assert services.quorum(sess).as_dict() == {
        "total": 7,
        "present": 0,
        "required": oracle.quorum_required(7),
        "met": False,
    }


def test_check_in_counts_once_and_is_audited_once(sess):
    deputy = services.check_in(sess, "D0001")
    assert deputy.code == "D0001" and services.is_checked_in(sess.id, deputy.id)
    services.check_in(sess, " D0001 ")  # scanned twice, with spaces: harmless
    assert db.session.query(Attendance).count() == 1
    assert services.present_count(sess) == 1
    assert check_ins() == [f"session:{sess.id}"]


def test_the_quorum_is_met_at_two_thirds_of_the_current_deputies(sess):
    needed = oracle.quorum_required(7)  # 5 of 7
    for i in range(1, needed):
        services.check_in(sess, f"D{i:04d}")
    assert services.quorum(sess).present == needed - 1 and not services.quorum(sess).met
    services.check_in(sess, f"D{needed:04d}")
    assert services.quorum(sess).met
    services.undo_check_in(sess, "D0001")
    assert not services.quorum(sess).met
    assert services.present_deputy_ids(sess) == [
        db.session.scalar(db.select(Deputy.id).where(Deputy.code == f"D{i:04d}"))
        for i in range(2, needed + 1)
    ]


def test_a_terminated_seat_cannot_check_in(sess):
    with pytest.raises(Conflict) as err:
        services.check_in(sess, "D0009")
    assert err.value.code == "mandate_not_current"
    assert db.session.query(Attendance).count() == 0 and check_ins() == []


def test_a_seat_terminated_after_checking_in_is_no_longer_present(sess):
    services.check_in(sess, "D0001")
    services.check_in(sess, "D0002")
    db.session.scalar(db.select(Deputy).where(Deputy.code == "D0002")).status = "terminated"
    db.session.flush()
    assert services.present_count(sess) == 1
    assert len(services.present_deputy_ids(sess)) == 1
    assert services.quorum(sess).as_dict()["total"] == 6
    assert len(services.checked_in_ids(sess)) == 2  # the desk still shows who came


def test_unknown_codes_and_other_congresses_are_refused(sess, app):
    other = scenario.load(build_scenario(deputies=3, code_prefix="X", jurisdiction="430211"))
    db.session.flush()
    with pytest.raises(NotFound):
        services.check_in(sess, "NOPE")
    with pytest.raises(NotFound):
        services.check_in(sess, "   ")
    with pytest.raises(InvalidInput) as err:
        services.check_in(sess, "X0001")
    assert err.value.code == "deputy_not_in_congress"
    assert db.session.query(Attendance).count() == 0
    # the other congress's own session counts its own deputies only
    theirs = db.session.get(CongressSession, other["session"])
    services.check_in(theirs, "X0001")
    assert (services.present_count(theirs), services.present_count(sess)) == (1, 0)


def test_undo_of_a_deputy_not_checked_in_changes_nothing(sess):
    services.undo_check_in(sess, "D0003")
    assert db.session.query(Attendance).count() == 0
    assert not [
        e for e in db.session.scalars(db.select(AuditEntry)) if e.action == "check_in_undone"
    ]
