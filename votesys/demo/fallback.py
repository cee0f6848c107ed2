"""The demo's vote that fell back to paper (issue 18): at 龙门镇's third session, called to
add two projects to the year's list, the hall's wireless network failed twenty minutes into
the electronic vote. The organiser switched the vote to paper; the deputies who had not
voted on their tablets voted on paper ballots; a teller entered the paper part's totals and
a scrutineer (a different person) confirmed them; the vote was closed with both parts
counted, and two of the session's three scrutineers (the number required) signed the record;
the third, 王斌, has yet to. It awaits publication, which is the organiser's act."""

from __future__ import annotations

import base64
import random
from datetime import date, timedelta
from decimal import Decimal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app, g
from sqlalchemy import select

from votesys.auth.services import create_user
from votesys.congress import services as congress
from votesys.congress.models import Congress, Deputy
from votesys.extensions import db
from votesys.voting import casting, confirming, counting, fallback, record, scrutiny
from votesys.voting import services as voting
from votesys.voting.models import Vote
from votesys.voting.scrutiny_models import Confirmation, Scrutineer

SESSION = ("龙门镇第十八届人民代表大会第三次会议", date(2027, 6, 18))
TITLE = "2027年龙门镇民生实事增补项目票决"
CANDIDATES = [
    (
        "龙门中学学生宿舍热水改造",
        "为两栋学生宿舍安装空气能热水系统，解决冬季洗浴难。",
        "镇教育办",
        "68",
    ),
    ("太长村山塘清淤加固", "清淤加固山塘3口，保障灌溉和防汛安全。", "镇农业综合服务中心", "45"),
    ("集镇路灯更换", "更换集镇主街老旧路灯120盏，改为节能路灯。", "镇城管办", "36"),
]
SEATS = 2
TELLER = ("longmen-jipiao", "陈丽")  # 计票人: staff of the township's presidium
TELLER_PASSWORD = "votesys-demo"
SCRUTINEERS = ["LM003", "LM010", "LM024"]  # 张长青, 谭红梅 and 王斌, elected by the session
REQUIRED = 2
ABSENT = 2  # of the township's 45 deputies, 43 checked in
ELECTRONIC = 29  # ballots cast on the tablets before the network failed
REASON = "会场无线网络中断，表决器无法连接，经主持人宣布改用纸质选票"
# The paper part: every one of the 14 uncast deputies was given a ballot and returned it;
# one was invalid. Per candidate: for, against, abstain.
PAPER = {"issued": 14, "returned": 14, "invalid": 1, "counts": [(11, 1, 1), (9, 2, 2), (4, 6, 3)]}
ELECTRONIC_FOR = [24, 20, 10]  # the tablets' "for" per candidate, of 29 (at most 2 each)


def seed(congress_id: int) -> Vote:
    body = db.session.get(Congress, congress_id)
    sess = congress.create_session(body, *SESSION)
    candidates = [
        voting.add_candidate(sess, title, summary, unit, Decimal(budget))
        for title, summary, unit, budget in CANDIDATES
    ]
    db.session.flush()
    vote = voting.create_vote(
        sess, title=TITLE, candidate_ids=[c.id for c in candidates], seats=SEATS, max_for=SEATS
    )
    codes = db.session.scalars(
        select(Deputy.code)
        .where(Deputy.congress_id == body.id, Deputy.status == "active")
        .order_by(Deputy.code)
    ).all()
    for code in codes[ABSENT:]:
        congress.check_in(sess, code)
    scrutiny.appoint(sess, SCRUTINEERS, REQUIRED)
    login, name = TELLER
    teller = create_user(
        login, TELLER_PASSWORD, "organiser", name=name, jurisdiction_id=body.jurisdiction_id
    )
    scrutiny.appoint_tellers(sess, [login])
    voting.open_vote(vote)
    ids = voting.candidate_ids(vote)
    rng = random.Random(2027618)
    present = casting.not_voted(vote)
    for deputy, marks in zip(present[:ELECTRONIC], _electronic(rng), strict=False):
        casting.cast_ballot(vote, deputy, dict(zip(map(str, ids), marks, strict=True)))
    fallback.switch_to_paper(vote, REASON)
    counts = {
        cid: dict(zip(("for", "against", "abstain"), row, strict=True))
        for cid, row in zip(ids, PAPER["counts"], strict=True)
    }
    # entered by the session's teller, as the desk's form would (its actor is the request's)
    with current_app.test_request_context():
        g.principal = teller
        fallback.enter_paper(
            vote,
            issued=PAPER["issued"],
            returned=PAPER["returned"],
            invalid_ballots=PAPER["invalid"],
            counts=counts,
        )
    # Two of them made their tablets' keys before the vote; 王斌 (LM024) has not yet: the
    # demo's tablet shows him making his and confirming (README: log in as LM024).
    keys = {code: Ed25519PrivateKey.generate() for code in SCRUTINEERS[:REQUIRED]}
    deputies = {code: _deputy(code) for code in SCRUTINEERS}
    for code, key in keys.items():
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        scrutiny.register_key(deputies[code], base64.b64encode(raw).decode())
    entry_revision = 1
    fallback.confirm_paper(vote, deputies[SCRUTINEERS[0]], entry_revision)
    counting.close_vote(vote)
    _date_as_session(vote)
    body_bytes = record.record_of(vote.id).body
    for minutes, code in enumerate(SCRUTINEERS[:REQUIRED], start=1):
        confirming.confirm(
            vote, deputies[code], base64.b64encode(keys[code].sign(body_bytes)).decode()
        )
        row = db.session.get(Confirmation, (vote.id, deputies[code].id))
        row.confirmed_at = vote.closed_at + timedelta(minutes=5 + minutes)
    for code in keys:
        post = db.session.get(Scrutineer, (sess.id, deputies[code].id))
        post.key_registered_at = vote.opened_at - timedelta(minutes=30)
    db.session.flush()
    return vote


def _electronic(rng: random.Random) -> list[list[str]]:
    """ELECTRONIC ballots whose "for" per candidate are ELECTRONIC_FOR, at most SEATS each."""
    ballots = [[""] * len(ELECTRONIC_FOR) for _ in range(ELECTRONIC)]
    used = [0] * ELECTRONIC
    for i, wanted in enumerate(ELECTRONIC_FOR):
        order = sorted(range(ELECTRONIC), key=lambda b: (used[b], rng.random()))
        for b in order[:wanted]:
            ballots[b][i] = "for"
            used[b] += 1
        for b in order[wanted:]:
            ballots[b][i] = rng.choice(["against", "abstain"])
    assert max(used) <= SEATS
    return ballots


def _deputy(code: str) -> Deputy:
    return db.session.scalar(select(Deputy).where(Deputy.code == code))


def _date_as_session(vote: Vote) -> None:
    day = vote.session.date
    vote.opened_at = vote.opened_at.replace(year=day.year, month=day.month, day=day.day)
    vote.closed_at = vote.closed_at.replace(year=day.year, month=day.month, day=day.day)
    if vote.fallback_at is not None:
        vote.fallback_at = vote.fallback_at.replace(year=day.year, month=day.month, day=day.day)
    db.session.delete(record.record_of(vote.id))
    db.session.flush()
    record.write_record(vote)
