"""The demo's vote switched to paper (votesys/demo/fallback.py) is as the README says: vote 6
of 龙门镇's third session, 29 ballots on tablets and 14 on paper, the paper part confirmed by
a scrutineer, two of three scrutineers' signatures, awaiting publication; 王斌 (LM024) has
no key yet and his tablet's home leads him to confirm."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.pages import login
from votesys.extensions import db
from votesys.integrity.models import AuditEntry
from votesys.voting import confirming, present
from votesys.voting.models import Vote
from votesys.voting.paper_models import PaperEntry


def test_the_demos_fallback_vote_is_as_the_readme_says(app, runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    vote = db.session.get(Vote, 6)
    assert vote.title == "2027年龙门镇民生实事增补项目票决" and vote.state == "closed"
    assert vote.fallback_at is not None and "网络" in vote.fallback_reason
    result = present.result_dict(vote)
    assert (result["electronic_ballots"], result["paper_ballots"]) == (29, 14)
    assert [c["for"] for c in result["candidates"]] == [35, 29, 14]
    entry = db.session.get(PaperEntry, vote.id)
    assert entry.effective and entry.entered_by == "user:longmen-jipiao"
    assert entry.confirmed_by is not None
    status = confirming.status(vote)
    assert (status["confirmed"], status["appointed"], status["required"]) == (2, 3, 2)
    assert [s["code"] for s in status["scrutineers"] if not s["has_key"]] == ["LM024"]
    confirmed = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object == f"vote:{vote.id}")
    ).all()
    assert "vote_fallback" in confirmed and "paper_totals_confirmed" in confirmed

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for said in ("/desk/votes/6", "`LM024`", "jipiao-zhou", "longmen-jipiao", "/verify"):
        assert said in readme, said

    login(client, "LM024", "123456", tablet=True)
    home = client.get("/tablet/").get_data(as_text=True)
    assert 'id="scrutiny-link"' in home and 'id="to-confirm"' in home
    assert "2027年龙门镇民生实事增补项目票决" in client.get("/tablet/scrutiny").get_data(
        as_text=True
    )
    client.post("/logout")
    login(client, "longmen-jipiao", "votesys-demo")
    assert client.get(f"/desk/votes/{vote.id}/report").status_code == 200
