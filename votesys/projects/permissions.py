"""Who may do what with a project: organisers, responsible units, deputies of its congress."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from votesys.auth.models import Role, User
from votesys.congress import services as congress
from votesys.congress.models import Deputy
from votesys.errors import Forbidden
from votesys.extensions import db
from votesys.projects.models import Project
from votesys.projects.queries import list_projects, overdue


def is_organiser_of(user: object, project: Project) -> bool:
    return congress.manages(user, project.jurisdiction)


def ensure_organiser_of(user: object, project: Project) -> None:
    congress.ensure_manages(user, project.jurisdiction)


def ensure_may_report(user: object, project: Project) -> None:
    """A responsible unit reports on its own projects only; organisers on those they manage."""
    if isinstance(user, User) and user.role == Role.UNIT:
        if user.unit_id is None or user.unit_id != project.unit_id:
            raise Forbidden("not_your_unit")
        return
    ensure_organiser_of(user, project)


def unit_projects(user: User) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.unit_id == user.unit_id)
            .order_by(Project.year.desc(), Project.id)
        )
    )


def managed_projects(user: User, year: int | None = None) -> list[Project]:
    return [p for p in list_projects(year=year) if congress.manages(user, p.jurisdiction)]


def dashboard(user: User, today: date | None = None) -> list[tuple[Project, bool]]:
    """Projects needing attention: overdue or reported delayed, among those the user manages."""
    out = []
    for p in managed_projects(user):
        late = overdue(p, today)
        if late or p.status == "delayed":
            out.append((p, late))
    return out


def deputy_of(deputy: Deputy, project: Project) -> bool:
    """A deputy of the project's jurisdiction's congress, or of one above it."""
    return deputy.congress.jurisdiction_id in {
        j.id for j in project.jurisdiction.ancestors_and_self()
    }
