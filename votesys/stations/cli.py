"""`votesys data-key rotate`: re-encrypt citizens' personal data under a new key."""

from __future__ import annotations

import os

import click
from cryptography.fernet import Fernet
from flask.cli import with_appcontext
from sqlalchemy import select

from votesys import personal
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.stations.models import Opinion


@click.group("data-key")
def data_key_group() -> None:
    """The key that encrypts citizens' names and phones."""


@data_key_group.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Encrypt every citizen's name and phone under a new key, then retire the old one.

    With the key file: done in full. With DATA_KEY in the environment: put the new key first
    (DATA_KEY=new,old), run this, then remove the old key from DATA_KEY."""
    from_env = bool(os.environ.get("DATA_KEY"))
    if not from_env:
        old = (
            [k.encode() for k in personal.key_file().read_text().split()]
            if personal.key_file().exists()
            else []
        )
        new = Fernet.generate_key()
        # New key first, old ones kept until every row is re-encrypted and committed.
        personal.write_key_file([new, *old])
    count = 0
    for row in db.session.scalars(
        select(Opinion).where(
            (Opinion.citizen_name_enc.is_not(None)) | (Opinion.citizen_phone_enc.is_not(None))
        )
    ).yield_per(500):
        row.citizen_name_enc = personal.rotate_token(row.citizen_name_enc)
        row.citizen_phone_enc = personal.rotate_token(row.citizen_phone_enc)
        count += 1
    audit("data_key_rotated", "data-key", rows=count)
    db.session.commit()
    if not from_env:
        personal.write_key_file([new])
    click.echo(f"re-encrypted {count} opinions")
