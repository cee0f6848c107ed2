"""The app's commands, on `votesys` and on `flask --app votesys`: users, scenarios, demo
data, backups, keys, the audit chain and the production server (the group itself, with
`votesys verify`, is votesys.cli)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from votesys import backup, demo, scenario
from votesys.auth.services import create_user
from votesys.congress.models import Jurisdiction
from votesys.congress.rollup_cli import rollups_group
from votesys.errors import DomainError
from votesys.extensions import db
from votesys.integrity.cli import keys_group
from votesys.projects.register import find_or_create_unit
from votesys.stations.cli import data_key_group
from votesys.stations.message_cli import erase_expired_command, worker_command
from votesys.stations.permissions import get_station
from votesys.voting.cli import audit_group, verify_command


def register(app) -> None:
    """Put the commands on the app, so `votesys X` and `flask --app votesys X` both work."""
    for command in (
        create_user_command,
        backup_command,
        restore_command,
        load_command,
        demo_command,
        serve_command,
        audit_group,
        keys_group,
        verify_command,
        data_key_group,
        worker_command,
        erase_expired_command,
        rollups_group,
    ):
        app.cli.add_command(command)


@click.command("create-user")
@click.option("--login", required=True)
@click.option("--password", required=True)
@click.option(
    "--role",
    type=click.Choice(["organiser", "admin", "unit", "station_staff"]),
    default="organiser",
)
@click.option("--name", default="")
@click.option("--jurisdiction", "jurisdiction_code", default=None, help="code; none = all")
@click.option("--unit", "unit_name", default=None, help="role unit: the responsible unit's name")
@click.option("--station", "station_id", default=None, type=int, help="role station_staff: id")
@with_appcontext
def create_user_command(
    login, password, role, name, jurisdiction_code, unit_name, station_id
) -> None:
    """Create an organiser, administrator, responsible-unit or station staff account.

    A unit account (--role unit) needs --unit and --jurisdiction: the unit is found by its
    name in that jurisdiction, or created."""
    jurisdiction_id = None
    if jurisdiction_code:
        node = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
        if node is None:
            raise click.ClickException(f"no jurisdiction with code {jurisdiction_code}")
        jurisdiction_id = node.id
    unit_id = None
    if role == "unit":
        if not (unit_name and jurisdiction_id):
            raise click.ClickException("a unit account needs --unit and --jurisdiction")
        unit_id = find_or_create_unit(node, unit_name).id
    try:
        if station_id is not None:
            jurisdiction_id = get_station(station_id).jurisdiction_id
        user = create_user(
            login,
            password,
            role,
            name=name,
            jurisdiction_id=jurisdiction_id,
            unit_id=unit_id,
            station_id=station_id,
        )
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    click.echo(json.dumps({"user": user.id, "login": user.login, "role": user.role}))


@click.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load_command(file: Path) -> None:
    """Load a scenario file; print the ids it created as JSON."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise click.ClickException(f"{file}: not valid JSON ({err})") from None
    try:
        ids = scenario.load(data)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(
            str(err) if isinstance(err, scenario.ScenarioError) else err.message
        ) from None
    db.session.commit()
    click.echo(json.dumps(ids, ensure_ascii=False))


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data (渌口区) when the database holds no congress yet."""
    if demo.load_if_empty():
        click.echo("demo data loaded")
    else:
        click.echo("database not empty: demo data left alone")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent copy of the whole database to FILE (safe while serving).

    SQLite: a database file (online backup API). PostgreSQL: a pg_dump custom-format file.
    The file holds ballots and citizens' encrypted personal data: keep it like the database."""
    try:
        kind = backup.backup(db.engine, file)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    summary = backup.summarise()
    click.echo(f"backed up {backup.url_for_display(db.engine.url)} to {file} ({kind}):")
    click.echo("\n".join(summary.lines()))
    if summary.votes_by_state.get("open"):
        click.echo(
            "warning: a vote is open. Until it closes, the order of its rows can pair who "
            "voted with the ballots: keep this file like the ballot box, and destroy it once "
            "the vote is closed and backed up again (docs/operations.md).",
            err=True,
        )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace a database that is not empty")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Replace the database's content with a backup written by `votesys backup`.

    Refuses a database that holds data unless --force. Stop the servers first: they would
    otherwise keep serving from what they had read."""
    try:
        kind = backup.restore(db.engine, file, force=force)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    summary = backup.summarise()
    click.echo(f"restored {file} ({kind}) into {backup.url_for_display(db.engine.url)}:")
    click.echo("\n".join(summary.lines()))
    if summary.audit_broken or summary.records_failed:
        raise click.ClickException("the restored data does not verify (see above)")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--workers", default=None, type=int, help="processes (default: 2 × cores + 1)")
@click.option(
    "--threads",
    default=1000,
    type=int,
    help="threads and connections per process: one per waiting tablet (default: 1000)",
)
def serve_command(host: str, port: int, workers: int | None, threads: int) -> None:
    """Run the production server (gunicorn, threaded workers).

    In a fresh interpreter (same process id, same environment): this command's process has
    loaded an app and the command line's modules, and gunicorn's workers are forked from it,
    so each would carry them besides its own app."""
    argv = [sys.executable, "-m", "votesys.server", "--host", host, "--port", str(port)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    argv += ["--threads", str(threads)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)
