"""`votesys worker` (messages to citizens from the outbox) and `votesys erase-expired`
(citizens' contact details past their retention), each run by a service or a timer."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from votesys import clock
from votesys.extensions import db
from votesys.stations import gateways, lifetime, worker


@click.command("worker")
@click.option("--once", is_flag=True, help="send what is due now and stop (for a timer)")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="seconds to wait when nothing is due",
)
@with_appcontext
def worker_command(once: bool, batch: int, interval: float) -> None:
    """Send the messages of the outbox through the configured gateway (VOTESYS_SMS_GATEWAY:
    log or webhook), retrying failures with exponential backoff."""
    try:
        gateway = gateways.from_config(current_app.config)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    try:
        worker.run(gateway, batch=batch, interval=interval, once=once, echo=click.echo)
    except KeyboardInterrupt:  # Ctrl-C or the service's stop: what is claimed is retried
        click.echo("stopped")


@click.command("erase-expired")
@with_appcontext
def erase_expired_command() -> None:
    """Erase the names and phones of opinions archived at least VOTESYS_PERSONAL_DATA_DAYS
    days ago (365 by default); each erasure an entry of the audit chain."""
    erased = lifetime.erase_expired()
    db.session.commit()
    click.echo(
        f"{clock.today().isoformat()}: contact details erased of {len(erased)} opinions "
        f"archived at least {lifetime.retention_days()} days ago"
    )
