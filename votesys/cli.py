"""The `votesys` command: the app's commands (votesys.commands) on a Flask command group, and
`votesys verify`, which works with no database and no app: it sits on the group itself."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from votesys import create_app
from votesys.voting.cli import verify_command


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
@click.version_option(package_name="votesys", message="%(prog)s %(version)s")
def main() -> None:
    """votesys — 民生实事项目人大代表票决制."""


main.add_command(verify_command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
