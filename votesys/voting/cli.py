"""`votesys verify` (an election record, offline) and `votesys audit verify` (the audit
chain, anchored by the heads the records signed)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from votesys.integrity.services import (
    audit_head,
    key_fingerprint_of,
    verify_anchors,
    verify_audit_chain,
    verify_signature,
)
from votesys.voting import record_rules as rules
from votesys.voting import scrutiny_rules
from votesys.voting.record import database_ballots_match, signed_heads


@click.command("verify")
@click.argument("record", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signature", "sig", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--fingerprint",
    help="the signing key's fingerprint as the congress published it (anchors the key)",
)
@click.option(
    "--confirmations",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="the scrutineers' signatures (GET /api/v1/votes/{id}/record.confirmations)",
)
@click.option(
    "--against-database",
    is_flag=True,
    help="also compare the ballots stored in the database with the record",
)
def verify_command(
    record: Path,
    sig: Path | None,
    key: Path | None,
    fingerprint: str | None,
    confirmations: Path | None,
    against_database: bool,
) -> None:
    """Check an election record offline: no database, no server (unless asked)."""
    body = record.read_bytes()
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    checks = rules.verify_record(data)
    if sig or key:
        if not (sig and key):
            raise click.UsageError("--signature and --key go together")
        checks.append(_signature_check(body, sig.read_bytes(), key.read_bytes(), data, fingerprint))
    confirmed = None
    if confirmations:
        confirmed = _confirmations_check(body, confirmations)
        checks += confirmed.lines
    if against_database:
        checks.append(_database_check(data))
    for c in checks:
        click.echo(
            f"{'ok  ' if c.ok else 'FAIL'}  {c.name}" + (f": {c.detail}" if c.detail else "")
        )
    if not (sig and key):
        click.echo("skip  signature: not checked (give --signature and --key)")
    if confirmed is not None:
        click.echo(f"      confirmed by {confirmed.count} scrutineers")
    if isinstance(data, dict):
        # What to compare with what the congress published: a forger who re-signs a doctored
        # record with a key of their own changes these.
        for label, value in (
            ("signing key", data.get("signing_key")),
            ("merkle root", data.get("merkle_root")),
            ("audit head", data.get("audit_head")),
        ):
            click.echo(f"      {label}: {value}")
    failed = [c.name for c in checks if not c.ok]
    click.echo(f"FAILED: {', '.join(failed)}" if failed else "OK")
    sys.exit(1 if failed else 0)


def _signature_check(
    body: bytes, sig: bytes, pem: bytes, data: object, expected: str | None
) -> rules.Check:
    """The signature verifies with the key; the key is the one the record names; and, given
    the fingerprint the congress published, it is that key. Without that anchor a forger
    could re-sign a doctored record with a key of their own."""
    if not verify_signature(body, sig, pem):
        return rules.Check("signature", False, "does not verify with this key")
    actual = key_fingerprint_of(pem)
    named = data.get("signing_key") if isinstance(data, dict) else None
    if actual != named:
        return rules.Check("signature", False, "this key is not the one the record names")
    if expected is not None:
        if actual != expected.strip().lower():
            return rules.Check("signature", False, "the key is not the published one")
        return rules.Check("signature", True, "by the published key")
    return rules.Check(
        "signature", True, f"by key {actual}: compare it with the published fingerprint"
    )


@dataclass
class _Confirmed:
    lines: list[rules.Check]
    count: int


def _confirmations_check(body: bytes, path: Path) -> _Confirmed:
    """Each scrutineer's signature over the record's exact bytes, with the key it names.
    Which keys are the scrutineers' is for the printed report's fingerprints to tell."""
    try:
        listed = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        listed = None
    checked = scrutiny_rules.check_confirmations(body, listed)
    lines = [rules.Check(name, ok, detail) for ok, name, detail in checked.lines]
    return _Confirmed(lines, checked.confirmed)


def _database_check(data: object) -> rules.Check:
    """The stored ballots against the record: the app comes from the command line's own
    group (`votesys`, or `flask --app votesys`), as for any other command."""
    if not isinstance(data, dict) or not isinstance(data.get("vote"), dict):
        return rules.Check("database ballots", False, "not a record: nothing to compare")
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context():
        try:
            problem = database_ballots_match(data)
        except (SQLAlchemyError, KeyError, TypeError) as err:
            problem = f"the database could not be read ({type(err).__name__})"
    return rules.Check("database ballots", problem is None, problem or "")


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
@click.option("--expect-head", help="SEQ:HASH of a head published earlier, e.g. in print")
@with_appcontext
def audit_verify_command(expect_head: str | None) -> None:
    """Recompute the audit chain, name the first broken entry, and check it against the
    heads that signed election records (and a published head) hold."""
    expected = None
    if expect_head:
        seq, _, digest = expect_head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.UsageError("--expect-head takes SEQ:HASH (64 hex digits)")
        expected = (int(seq), digest.lower())
    count, broken, why = verify_audit_chain()
    if broken is not None:
        click.echo(f"entry {broken}: {why}")
        click.echo(f"FAILED: entry {broken}")
        sys.exit(1)
    click.echo(f"{count} entries chained; head {audit_head()['seq']}: {audit_head()['hash']}")
    problems, anchors = signed_heads()
    problems += verify_anchors(anchors, expected)
    for problem in problems:
        click.echo(f"FAIL  {problem}")
    click.echo("FAILED: anchors" if problems else "OK")
    sys.exit(1 if problems else 0)
