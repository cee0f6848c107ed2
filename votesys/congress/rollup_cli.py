"""`votesys rollups rebuild` and `votesys rollups check`: the roll-ups' cells counted again
from the rows, or compared with such a count."""

from __future__ import annotations

import json
import time

import click
from flask.cli import with_appcontext

from votesys.congress import rollups
from votesys.congress.rollup_models import RollupCell
from votesys.extensions import db


@click.group("rollups")
def rollups_group() -> None:
    """The roll-ups: precomputed figures of each jurisdiction (kept on every write)."""


@rollups_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Count every cell again from the rows (after restoring rows by hand, say)."""
    began = time.perf_counter()
    rollups.rebuild()
    db.session.commit()
    cells = db.session.scalar(db.select(db.func.count()).select_from(RollupCell))
    click.echo(json.dumps({"cells": cells, "seconds": round(time.perf_counter() - began, 2)}))


@rollups_group.command("check")
@with_appcontext
def check_command() -> None:
    """Compare the cells with a count from the rows; exit 1 naming those that differ."""
    if not rollups.built(fresh=True):
        raise click.ClickException("the roll-ups are not built: run `votesys rollups rebuild`")
    differing = rollups.differences()
    for j, period, name, stored, counted in differing[:50]:
        click.echo(f"jurisdiction {j} period {period} {name}: stored {stored}, counted {counted}")
    if differing:
        raise click.ClickException(f"{len(differing)} cells differ from the rows")
    click.echo("the roll-ups equal a count from the rows")
