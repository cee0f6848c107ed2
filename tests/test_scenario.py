"""The scenario loader: format checks with the path of the first bad field, and the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import build_scenario
from votesys import scenario
from votesys.congress.models import Deputy
from votesys.extensions import db


def broken(mutate):
    data = build_scenario()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["deputies"][3].update(code="D0001"), "deputies[3].code: duplicate"),
        (lambda d: d.pop("session"), "session: required"),
        (lambda d: d["deputies"][0].pop("pin"), "deputies[0].pin: required"),
        (lambda d: d["deputies"][1].update(pin=123456), "deputies[1].pin"),
        (lambda d: d["deputies"][2].update(status="retired"), "deputies[2].status"),
        (lambda d: d["votes"][0].update(seats=0), "votes[0].seats"),
        (lambda d: d["votes"][0].update(seats=9), "votes[0].seats: more places"),
        (lambda d: d["votes"][0].update(style="ranked"), "votes[0].style"),
        (lambda d: d["votes"][0].update(base="half"), "votes[0].base"),
        (lambda d: d["votes"][0]["candidates"].append("zz"), "votes[0].candidates[5]"),
        (lambda d: d["candidates"][1].update(budget_wan="12.345"), "candidates[1].budget_wan"),
        (lambda d: d["candidates"][1].update(key="c1"), "candidates[1].key: duplicate"),
        (lambda d: d["session"].update(date="2027-13-01"), "session.date"),
        (lambda d: d["jurisdiction"].update(level="galaxy"), "jurisdiction.level"),
        (lambda d: d.update(extra=1), "extra: unknown field"),
        (lambda d: d.update(deputies={}), "deputies: must be a list"),
        (lambda d: d["congress"].update(term=True), "congress.term"),
    ],
)
def test_bad_files_are_refused_whole_with_the_path(app, mutate, path):
    with pytest.raises(scenario.ScenarioError) as err:
        scenario.load(broken(mutate))
    assert str(err.value).startswith(path)
    db.session.rollback()
    assert db.session.query(Deputy).count() == 0


def test_defaults_and_ids(app):
    data = build_scenario(deputies=4, candidates=3, seats=2)
    del data["votes"][0]["style"], data["votes"][0]["base"]
    ids = scenario.load(data)
    assert set(ids["deputies"]) == {"D0001", "D0002", "D0003", "D0004"}
    assert set(ids["candidates"]) == {"c1", "c2", "c3"}
    from votesys.voting.models import Vote

    vote = db.session.get(Vote, ids["votes"]["main"])
    assert (vote.style, vote.base, vote.state) == ("per_candidate", "all_deputies", "draft")


def test_codes_already_taken_are_refused(app):
    scenario.load(build_scenario())
    db.session.commit()
    with pytest.raises(scenario.ScenarioError) as err:
        scenario.load(build_scenario())
    assert str(err.value) == "deputies[0].code: already exists"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(max_size=12)
    | st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_any_json_is_refused_cleanly_or_loaded(app, junk):
    """A deputy's name of any JSON: refused with the field's path, by the check and by the
    load alike, writing nothing; or loaded, the deputy stored under the name the check gave."""
    data = build_scenario(deputies=2, candidates=2, seats=1)
    data = copy.deepcopy(data)
    data["deputies"][0]["name"] = junk
    try:
        spec = scenario.validate(data)
    except scenario.ScenarioError as err:
        assert err.path.startswith("deputies[0].name")
        with pytest.raises(scenario.ScenarioError) as again:
            scenario.load(data)
        assert again.value.path == err.path
        db.session.rollback()
        assert db.session.query(Deputy).count() == 0
        return
    try:
        ids = scenario.load(data)
        stored = db.session.get(Deputy, ids["deputies"]["D0001"])
        assert isinstance(junk, str) and stored.name == spec["deputies"][0]["name"]
        assert stored.name.strip() and stored.name.strip() in junk
    finally:
        db.session.rollback()


def test_cli_load_prints_ids(app, runner, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(build_scenario(deputies=3), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["load", str(path)])
    assert result.exit_code == 0, result.output
    ids = json.loads(result.output)
    assert set(ids) >= {"session", "votes", "candidates", "deputies"}
    assert list(ids["deputies"]) == ["D0001", "D0002", "D0003"]
    again = runner.invoke(args=["load", str(path)])
    assert again.exit_code != 0 and "deputies[0].code: already exists" in again.output
    path.write_text("{oops", encoding="utf-8")
    bad = runner.invoke(args=["load", str(path)])
    assert bad.exit_code != 0 and "not valid JSON" in bad.output


def test_cli_create_user(app, runner):
    ok = runner.invoke(
        args=["create-user", "--role", "organiser", "--login", "lk", "--password", "long-enough"]
    )
    assert ok.exit_code == 0 and json.loads(ok.output)["role"] == "organiser"
    short = runner.invoke(args=["create-user", "--login", "x", "--password", "short"])
    assert short.exit_code != 0
    nowhere = runner.invoke(
        args=["create-user", "--login", "y", "--password", "long-enough", "--jurisdiction", "nope"]
    )
    assert nowhere.exit_code != 0 and "nope" in nowhere.output


def test_demo_loads_once(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "loaded" in first.output
    assert db.session.query(Deputy).filter(Deputy.code.like("LK%")).count() == 179
    assert db.session.query(Deputy).filter(Deputy.code.like("LM%")).count() == 45
    assert db.session.query(Deputy).filter_by(status="terminated").count() == 3
    second = runner.invoke(args=["demo"])
    assert "left alone" in second.output


def test_logins_and_deputy_codes_never_collide(app, runner):
    scenario.load(build_scenario(deputies=2))
    db.session.commit()
    taken = runner.invoke(args=["create-user", "--login", "D0001", "--password", "long-enough"])
    assert taken.exit_code != 0
    ok = runner.invoke(args=["create-user", "--login", "X0001", "--password", "long-enough"])
    assert ok.exit_code == 0
    data = build_scenario(deputies=1, code_prefix="X", jurisdiction="430213")
    data["deputies"][0]["code"] = "X0001"
    with pytest.raises(scenario.ScenarioError) as err:
        scenario.load(data)
    assert str(err.value) == "deputies[0].code: already exists"


def test_the_demo_is_as_the_readme_and_the_banner_say(app, runner, client):
    """The README and scripts/serve name the 2027 vote's page and two deputies to try the
    refusals with: they must be what they say."""
    from votesys.congress.models import Attendance, Deputy
    from votesys.voting.models import Vote

    assert runner.invoke(args=["demo"]).exit_code == 0
    vote = db.session.get(Vote, 2)
    assert vote.state == "draft" and vote.title.startswith("2027年渌口区")
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "http://127.0.0.1:5000/desk/votes/2" in readme
    banner = (Path(__file__).parents[1] / "scripts" / "serve").read_text()
    assert "/desk/votes/2" in banner
    lk004 = db.session.scalar(db.select(Deputy).where(Deputy.code == "LK004"))
    lk047 = db.session.scalar(db.select(Deputy).where(Deputy.code == "LK047"))
    assert lk004.name == "谭立才" and lk004.mandate_current
    absent = db.session.scalar(
        db.select(Attendance.id).where(
            Attendance.deputy_id == lk004.id, Attendance.session_id == vote.session_id
        )
    )
    assert absent is None
    assert lk047.name == "肖伟" and not lk047.mandate_current
    assert (Path(__file__).parents[1] / "docs" / "domain.md").exists()
