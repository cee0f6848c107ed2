"""Tables of a jurisdiction's rules of the vote (its 票决办法) and of the exceptions an
organiser recorded to them (votesys.voting.jurisdiction_rules).

The settings sit on the voting floor, keyed by the jurisdiction, rather than on the
congress's ``jurisdictions`` table: what they name (a passage base, a ballot style) is the
vote's vocabulary (``voting.rules``), which the congress floor must not import; here the base
is checked against ``rules.BASES`` where it is stored. A jurisdiction without a row follows
the defaults (差额 1, more than half of all deputies, a rating vote held)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from votesys.extensions import db
from votesys.models_base import utcnow


class JurisdictionRules(db.Model):
    """What a jurisdiction's law requires of every vote it holds."""

    __tablename__ = "jurisdiction_rules"

    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)
    # 差额: a vote choosing N projects needs at least N + min_extra_candidates candidates.
    min_extra_candidates: Mapped[int]
    # The passage base a new vote takes when none is given (a value of voting.rules.BASES).
    default_base: Mapped[str] = mapped_column(String(20))
    # Whether the jurisdiction holds a rating vote (满意度测评) of its projects.
    rating_vote: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VoteException(db.Model):
    """An exception to the jurisdiction's rules recorded when the vote was created: which
    rule the vote does not follow (with the figure the rule required then) and the
    organiser's reason, printed on the announcement and the desk's vote page."""

    __tablename__ = "vote_exceptions"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))  # jurisdiction_rules.MIN_EXTRA | RATING
    minimum: Mapped[int | None]  # the 差额 required when the exception was recorded
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # vote.rule_exception: the vote's exception or None (the vote's table stays unchanged).
    vote = relationship("Vote", backref=backref("rule_exception", uselist=False, lazy="select"))
