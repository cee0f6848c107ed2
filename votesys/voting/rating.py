"""满意度测评 votes: which project of the register each candidate of a rating ballot stands
for (the rule itself is ``rules.rating_of``)."""

from __future__ import annotations

from sqlalchemy import select

from votesys.extensions import db
from votesys.voting.models import RatedProject


def rated_project_ids(vote) -> dict[int, int]:
    """candidate id -> project id for a rating vote's ballot."""
    ids = [e.candidate_id for e in vote.entries]
    return dict(
        db.session.execute(
            select(RatedProject.candidate_id, RatedProject.project_id).where(
                RatedProject.candidate_id.in_(ids)
            )
        ).all()
    )
