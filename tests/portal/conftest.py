"""The demo data (a county, a township, votes, projects, stations and citizens' opinions with
names and phones) as the public sees it, and a counter of SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from votesys.extensions import db

TODAY = "2026-11-20"


@pytest.fixture
def app(app):
    app.config["VOTESYS_TODAY"] = TODAY
    return app


@pytest.fixture
def demo(app):
    from votesys.demo import load_if_empty

    assert load_if_empty()
    db.session.commit()
    return app


@pytest.fixture
def refs(demo) -> dict[str, str]:
    """The demo's 2026 projects' refs by title."""
    from votesys.projects.models import Project

    return dict(db.session.execute(select(Project.title, Project.ref)).all())


@contextmanager
def counting() -> Iterator[list[str]]:
    """Collect every SQL statement run inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
