"""The demo's scrutiny of the 2026 vote: three deputies appointed scrutineers (监票人, two of
them required), two members of the standing committee's office its tellers (计票人); each
scrutineer's Ed25519 key made here as it would be on their own tablet, and the published
record signed with it, so that the confirmations shown verify like real ones."""

from __future__ import annotations

import base64
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from votesys.auth.services import create_user
from votesys.congress.models import CongressSession, Deputy
from votesys.extensions import db
from votesys.voting import confirming, record, scrutiny
from votesys.voting.scrutiny_models import Confirmation, Scrutineer

# 杨湘斌 (渌口镇), 唐秀芬 (南洲镇) and 肖振飞 (朱亭镇), elected scrutineers by the session.
SCRUTINEERS_2026 = ["LK012", "LK036", "LK088"]
REQUIRED_2026 = 2
TELLERS_2026 = [("jipiao-zhou", "周晓琳"), ("jipiao-liu", "刘建华")]
TELLER_PASSWORD = "votesys-demo"


def appoint(sess: CongressSession) -> None:
    """Before the vote opens: the scrutineers and tellers the session elected."""
    scrutiny.appoint(sess, SCRUTINEERS_2026, REQUIRED_2026)
    for login, name in TELLERS_2026:
        create_user(
            login,
            TELLER_PASSWORD,
            "organiser",
            name=name,
            jurisdiction_id=sess.congress.jurisdiction_id,
        )
    scrutiny.appoint_tellers(sess, [login for login, _ in TELLERS_2026])


def confirm(vote) -> None:
    """After the count: each scrutineer registers the key of their tablet and signs the
    record's exact bytes with it, minutes after the close."""
    body = record.record_of(vote.id).body
    for minutes, code in enumerate(SCRUTINEERS_2026, start=1):
        deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
        key = Ed25519PrivateKey.generate()
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        scrutiny.register_key(deputy, base64.b64encode(raw).decode())
        confirming.confirm(vote, deputy, base64.b64encode(key.sign(body)).decode())
        post = db.session.get(Scrutineer, (vote.session_id, deputy.id))
        post.key_registered_at = vote.opened_at - timedelta(minutes=30)
        row = db.session.get(Confirmation, (vote.id, deputy.id))
        row.confirmed_at = vote.closed_at + timedelta(minutes=5 + minutes)
    db.session.flush()
