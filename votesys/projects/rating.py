"""The register's side of the satisfaction rating: a rating vote of projects, its result."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from votesys.errors import invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.models_base import MAX_ID
from votesys.projects.models import Project
from votesys.voting import services as voting
from votesys.voting.models import RatedProject
from votesys.voting.rating import rated_project_ids
from votesys.voting.rules import UNSATISFIED


def create_rating_vote(
    sess,
    *,
    title: str,
    project_ids: list[int],
    base: str | None = None,
    exception_reason: str | None = None,
):
    """满意度测评: a rating vote in a session of the projects' congress, through the same
    engine as every vote. Each project is put on the ballot as a candidate linked to it."""

    if not project_ids:
        raise invalid("projects", _l("at least one project"))
    for i, pid in enumerate(project_ids):  # ids before anything compares them (a list is no id)
        if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid <= MAX_ID:
            raise invalid(f"projects[{i}]", _l("no such project"))
    if len(set(project_ids)) != len(project_ids):
        raise invalid("projects", _l("a project appears twice"))
    jurisdiction = sess.congress.jurisdiction
    candidate_ids = []
    for i, pid in enumerate(project_ids):
        project = db.session.get(Project, pid)
        if project is None:
            raise invalid(f"projects[{i}]", _l("no such project"))
        if project.jurisdiction_id != jurisdiction.id:
            raise invalid(f"projects[{i}]", _l("not a project of this congress's jurisdiction"))
        candidate = voting.add_candidate(
            sess, project.title, project.summary, project.unit.name if project.unit else ""
        )
        db.session.add(RatedProject(candidate_id=candidate.id, project_id=project.id))
        candidate_ids.append(candidate.id)
    n = len(candidate_ids)
    return voting.create_vote(
        sess,
        title=title,
        candidate_ids=candidate_ids,
        seats=n,
        max_for=n,
        style="rating",
        base=base,
        exception_reason=exception_reason,
    )


def apply_rating(vote) -> None:
    """A published rating sets each project's rating; 不满意 flags it for rectification
    (整改), carried into later registers until a later rating clears it."""
    links = rated_project_ids(vote)
    year = vote.session.date.year
    for entry in vote.entries:
        project = db.session.get(Project, links[entry.candidate_id])
        project.rating = entry.rating
        project.rating_year = year
        project.rectification = entry.rating == UNSATISFIED
        audit(
            "project_rated",
            f"project:{project.id}",
            vote=vote.id,
            rating=entry.rating,
            rectification=project.rectification,
        )
    db.session.flush()
