"""A jurisdiction's rules of the vote (its 票决办法), and what creating a vote must respect.

A jurisdiction fixes the least number of candidates beyond the places (差额: a vote choosing
N projects needs at least N + k candidates; k defaults to 1), the base a vote takes when none
is given, and whether it holds a rating vote (满意度测评). A vote that breaks them is refused
with the rule quoted, unless the organiser records an exception with a reason: it is kept
with the vote (``vote.rule_exception``), audited, and printed on the announcement.

Exempt: a runoff (再次投票) is among the tied candidates for the places left, a choice the
first vote made, not a new list the government proposed (DOMAIN.md: "those tied go to a
runoff ballot for the places left"); a practice vote (试投票) decides nothing; a rating vote
rates every project, so 差额 has no meaning for it (only whether ratings are held).

A jurisdiction with no settings follows ``DEFAULTS``; settings are its own, not inherited
from the jurisdiction above (each pilot unit has its own 票决办法)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from votesys import fields, scenario_fields
from votesys.congress.models import CongressSession, Jurisdiction
from votesys.errors import InvalidInput, invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.scenario_fields import ScenarioError
from votesys.voting.jurisdiction_rules_models import JurisdictionRules, VoteException
from votesys.voting.labels import BASE_LABELS
from votesys.voting.rules import BASES, BallotStyle, PassageBase

MIN_EXTRA = "min_extra_candidates"
RATING = "rating_vote"
# 差额 beyond this is no jurisdiction's law (a ballot holds at most 500 candidates).
MAX_EXTRA = 99
MAX_REASON = 1000
KEYS = ("min_extra_candidates", "default_base", "rating_vote")


@dataclass(frozen=True)
class Settings:
    min_extra_candidates: int = 1
    default_base: str = PassageBase.ALL_DEPUTIES.value
    rating_vote: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULTS = Settings()


@dataclass(frozen=True)
class Breach:
    """The rule a vote would break, with its figures."""

    rule: str
    minimum: int | None = None
    candidates: int = 0
    seats: int = 0


@dataclass(frozen=True)
class Waiver:
    breach: Breach
    reason: str


# -- the rule (pure) ---------------------------------------------------------------------


def breach_of(settings: Settings, *, seats: int, candidates: int, style: str) -> Breach | None:
    """The rule of ``settings`` a new vote of ``candidates`` for ``seats`` places breaks,
    if any: a rating where none is held; else fewer than seats + min_extra candidates."""
    if style == BallotStyle.RATING:
        return None if settings.rating_vote else Breach(RATING)
    if candidates < seats + settings.min_extra_candidates:
        return Breach(MIN_EXTRA, settings.min_extra_candidates, candidates, seats)
    return None


def refusal(breach: Breach) -> InvalidInput:
    """The 422 refusal quoting the rule; beside the field a form shows it by."""
    if breach.rule == MIN_EXTRA:
        err = InvalidInput(
            "too_few_candidates",
            field="candidates",
            extra=breach.minimum,
            candidates=breach.candidates,
            seats=breach.seats,
        )
    else:
        err = InvalidInput("rating_vote_not_held", field="style")
    err.params["reason"] = err.message  # a form puts the whole rule beside its field
    return err


# -- in words ----------------------------------------------------------------------------


def settings_words(settings: Settings) -> list[str]:
    """The settings as the desk's pages state them, one line each."""
    if settings.min_extra_candidates:
        extra = _(
            "差额: at least %(n)s more candidates than places", n=settings.min_extra_candidates
        )
    else:
        extra = _("差额: not required")
    return [
        extra,
        _("Default passage base: %(label)s", label=BASE_LABELS[settings.default_base]),
        _("Rating vote (满意度测评): held")
        if settings.rating_vote
        else _("Rating vote (满意度测评): not held"),
    ]


def exception_words(vote: Any) -> str | None:
    """The exception a vote was created under, as the announcement prints it; else None."""
    exc = vote.rule_exception
    if exc is None:
        return None
    if exc.rule == MIN_EXTRA:
        rule = _(
            "This vote does not follow the jurisdiction's rule of at least %(extra)s more "
            "candidates than places (差额): it has %(candidates)s candidates for %(seats)s "
            "places.",
            extra=exc.minimum,
            candidates=len(vote.entries),
            seats=vote.seats,
        )
    else:
        rule = _("The jurisdiction holds no rating vote (满意度测评); this one is an exception.")
    return _(
        "%(rule)s The organiser recorded an exception; reason: %(reason)s",
        rule=rule,
        reason=exc.reason,
    )


# -- reading and setting -----------------------------------------------------------------


def settings_of(jurisdiction: Jurisdiction) -> Settings:
    row = db.session.get(JurisdictionRules, jurisdiction.id)
    if row is None:
        return DEFAULTS
    return Settings(row.min_extra_candidates, row.default_base, row.rating_vote)


def settings_for(sess: CongressSession) -> Settings:
    return settings_of(sess.congress.jurisdiction)


def read(raw: Mapping[str, Any], prefix: str = "") -> Settings:
    """Settings from the API or a scenario file, every key required and typed as JSON types
    it: a whole number 0–99, a base of ``rules.BASES``, true or false."""
    extra = raw.get("min_extra_candidates")
    if isinstance(extra, float) and extra.is_integer():  # JSON's 2.0 is the whole number 2
        extra = int(extra)
    if isinstance(extra, bool) or not isinstance(extra, int):
        raise invalid(prefix + "min_extra_candidates", _l("a whole number"))
    if not 0 <= extra <= MAX_EXTRA:
        raise invalid(
            prefix + "min_extra_candidates",
            _l("between %(low)s and %(high)s", low=0, high=MAX_EXTRA),
        )
    base = fields.choice(raw.get("default_base"), prefix + "default_base", BASES)
    held = raw.get("rating_vote")
    if not isinstance(held, bool):
        raise invalid(prefix + "rating_vote", _l("true or false"))
    return Settings(extra, base, held)


def from_scenario(value: Any, path: str) -> Settings:
    """The rules of a scenario file's jurisdiction (``path``: where they are in the file); a
    key left out takes its default; a bad one is refused naming its path."""
    given = scenario_fields.object_of(value, path, (set(), set(KEYS)))
    try:
        return read({**DEFAULTS.as_dict(), **given})
    except InvalidInput as err:
        raise ScenarioError(f"{path}.{err.params['field']}", str(err.params["reason"])) from None


def set_rules(jurisdiction: Jurisdiction, settings: Settings) -> Settings:
    """Store the jurisdiction's settings (checked by ``read`` or the desk's form); audited."""
    row = db.session.get(JurisdictionRules, jurisdiction.id)
    if row is None:
        row = JurisdictionRules(jurisdiction_id=jurisdiction.id)
        db.session.add(row)
    row.min_extra_candidates = settings.min_extra_candidates
    row.default_base = settings.default_base
    row.rating_vote = settings.rating_vote
    db.session.flush()
    audit("jurisdiction_rules_set", f"jurisdiction:{jurisdiction.code}", **settings.as_dict())
    return settings


# -- creating a vote ---------------------------------------------------------------------


def check_new_vote(
    sess: CongressSession,
    *,
    seats: int,
    candidates: int,
    style: str,
    exempt: bool,
    exception_reason: Any = None,
) -> Waiver | None:
    """Refuse a vote that breaks the jurisdiction's rules (422, the rule quoted), unless an
    exception is given with a reason that is not blank; ``exempt``: a runoff or a practice.
    An exception to a vote that breaks nothing is refused too: it would print a falsehood."""
    reason = None
    if exception_reason is not None:
        reason = fields.text(exception_reason, "exception_reason", MAX_REASON)
    breach = (
        None
        if exempt
        else breach_of(settings_for(sess), seats=seats, candidates=candidates, style=style)
    )
    if breach is None:
        if reason is not None:
            raise invalid(
                "exception_reason",
                _l("this vote follows the jurisdiction's rules: no exception is needed"),
            )
        return None
    if reason is None:
        raise refusal(breach)
    return Waiver(breach, reason)


def keep_exception(vote: Any, waiver: Waiver | None) -> None:
    """Store the exception a vote was created under with it, and audit it."""
    if waiver is None:
        return
    db.session.add(
        VoteException(
            vote=vote,
            rule=waiver.breach.rule,
            minimum=waiver.breach.minimum,
            reason=waiver.reason,
        )
    )
    db.session.flush()
    audit(
        "vote_rule_exception",
        f"vote:{vote.id}",
        rule=waiver.breach.rule,
        minimum=waiver.breach.minimum,
        candidates=waiver.breach.candidates,
        seats=waiver.breach.seats,
        reason=waiver.reason,
    )


def exception_dict(vote: Any) -> dict[str, Any] | None:
    """The exception in the API's vote shape, or None."""
    exc = vote.rule_exception
    if exc is None:
        return None
    return {"rule": exc.rule, "minimum": exc.minimum, "reason": exc.reason}


def record_fields(vote: Any) -> dict[str, Any]:
    """What the signed election record states of the exception: ``rule_exception`` where the
    vote was created under one, nothing otherwise (so older records read as before)."""
    found = exception_dict(vote)
    return {} if found is None else {"rule_exception": found}
