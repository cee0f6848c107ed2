"""`votesys keys rotate|list`: the installation's signing keys."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from votesys.extensions import db
from votesys.integrity.services import published_keys, rotate_key, signing_key


@click.group("keys")
def keys_group() -> None:
    """The signing keys of election records."""


@keys_group.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Start signing with a new key; the old public key stays published."""
    signing_key()  # make sure the current key is published before it is retired
    row = rotate_key()
    db.session.commit()
    click.echo(json.dumps({"fingerprint": row.fingerprint}))


@keys_group.command("list")
@with_appcontext
def list_command() -> None:
    """Every public key ever used, with fingerprint and validity."""
    click.echo(json.dumps(published_keys(), indent=1))
