"""Passwords, PINs, logins and API tokens."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from votesys import fields
from votesys.auth.models import ApiToken, Role, User
from votesys.auth.principals import deputy_model, is_deputy
from votesys.errors import DomainError, Forbidden, Unauthorized, invalid
from votesys.extensions import db
from votesys.integrity.services import audit
from votesys.models_base import utcnow

PIN_LOCK_AFTER = 5  # wrong PINs in a row that lock a deputy's PIN
# A user, or a deputy (the congress's model: auth.principals).
Principal = Any


class PinLocked(DomainError):
    """The deputy's PIN is locked after too many wrong tries; an organiser unlocks it."""

    status = 423

    def __init__(self) -> None:
        super().__init__("pin_locked")


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("votesys.hasher")
    if hasher is None:
        hasher = PasswordHasher(
            time_cost=current_app.config["PASSWORD_HASH_TIME_COST"],
            memory_cost=current_app.config["PASSWORD_HASH_MEMORY_KIB"],
            parallelism=1,
        )
        current_app.extensions["votesys.hasher"] = hasher
    return hasher


def hash_secret(secret: str) -> str:
    """argon2id hash of a password or PIN."""
    return _hasher().hash(secret)


def check_secret(stored: str | None, given: str) -> bool:
    """Verify a secret. An unknown login is checked against a dummy hash, so that the
    answer takes as long and timing does not tell which logins exist."""
    try:
        return _hasher().verify(stored or _dummy_hash(), given) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    dummy = current_app.extensions.get("votesys.dummy_hash")
    if dummy is None:
        dummy = current_app.extensions["votesys.dummy_hash"] = hash_secret(secrets.token_hex(8))
    return dummy


def create_user(
    login: str,
    password: str,
    role: str,
    *,
    name: str = "",
    jurisdiction_id: int | None = None,
    station_id: int | None = None,
    unit_id: int | None = None,
) -> User:
    login = login.strip()
    if not login or len(login) > 64:
        raise invalid("login", _l("1 to 64 characters"))
    if len(password) < 8:
        raise invalid("password", _l("at least 8 characters"))
    if role not in (Role.ADMIN, Role.ORGANISER, Role.STATION_STAFF, Role.UNIT):
        raise invalid("role", _l("admin, organiser, station_staff or unit"))
    if (role == Role.STATION_STAFF) != (station_id is not None):
        raise invalid("station", _l("station staff, and only they, belong to a station"))
    if (role == Role.UNIT) != (unit_id is not None):
        raise invalid("unit", _l("a unit account names its responsible unit; others none"))
    if db.session.scalar(select(User.id).where(User.login == login)):
        raise invalid("login", _l("already taken"))
    deputy = deputy_model()
    if db.session.scalar(select(deputy.id).where(deputy.code == login)):
        raise invalid("login", _l("already used as a deputy code"))
    user = User(
        login=login,
        name=name,
        password_hash=hash_secret(password),
        role=role,
        jurisdiction_id=jurisdiction_id,
        station_id=station_id,
        unit_id=unit_id,
    )
    db.session.add(user)
    db.session.flush()
    audit(
        "user_created",
        f"user:{user.login}",
        role=role,
        jurisdiction=jurisdiction_id,
        **({"station": station_id} if station_id is not None else {}),
        **({"unit": unit_id} if unit_id is not None else {}),
    )
    return user


def authenticate(
    login: str, secret: str, *, deputies_only: bool = False, address: str | None = None
) -> Principal:
    """A user by login + password, else a deputy by code + PIN. Logins and deputy codes
    never collide: each refuses the other's names when created.

    A deputy's PIN check is counted before it is made (``reserve_pin_check``): however many
    tries arrive at once, at most PIN_LOCK_AFTER are checked between unlocks. Where
    DEPUTY_NETWORKS is set, a PIN from any other ``address`` is refused unchecked."""
    login = (login or "").strip()
    user = None
    if login and not deputies_only:
        user = db.session.scalar(select(User).where(User.login == login))
    if user is not None:
        if user.active and check_secret(user.password_hash, secret or ""):
            return user
        raise Unauthorized("bad_credentials")
    deputy = _deputy_by_code(login) if login else None
    if deputy is None:
        check_secret(None, secret or "")  # the same time as a real check
        raise Unauthorized("bad_credentials")
    if not from_hall(address):
        raise Forbidden("outside_hall")
    reserve_pin_check(deputy)
    if check_secret(deputy.pin_hash, secret or ""):
        _reset_failures(deputy)
        return deputy
    raise Unauthorized("bad_credentials")


def from_hall(address: str | None) -> bool:
    """Whether a deputy may type a PIN from this address: anywhere unless DEPUTY_NETWORKS
    names the hall's networks (CIDR ranges)."""
    networks = hall_networks(current_app.config.get("DEPUTY_NETWORKS"))
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in net for net in networks)


def hall_networks(setting: object) -> tuple:
    """DEPUTY_NETWORKS as networks: "10.8.0.0/16, 192.168.10.0/24" (or a list of them).
    A malformed range is an error at start-up, not a hall that lets everyone in."""
    if not setting:
        return ()
    items = setting.split(",") if isinstance(setting, str) else list(setting)
    return tuple(
        ipaddress.ip_network(str(i).strip(), strict=False) for i in items if str(i).strip()
    )


def reserve_pin_check(deputy: Principal) -> None:
    """Count one PIN check against the deputy before it is made, and commit that at once,
    so that simultaneous tries see each other: when PIN_LOCK_AFTER checks are counted (or
    the PIN is locked) the try is refused unchecked. A right PIN clears the count."""
    model = deputy_model()
    db.session.commit()  # a login starts with nothing to keep; the count must stand alone
    counted = db.session.execute(
        update(model)
        .where(
            model.id == deputy.id,
            model.locked_at.is_(None),
            model.failed_pins < PIN_LOCK_AFTER,
        )
        .values(failed_pins=model.failed_pins + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if counted != 1:
        raise PinLocked()


def _reset_failures(deputy: Principal) -> None:
    """A right PIN: the count starts again, unless the PIN was locked meanwhile (by wrong
    tries checked at the same time), in which case the right PIN is refused too."""
    model = deputy_model()
    cleared = db.session.execute(
        update(model)
        .where(model.id == deputy.id, model.locked_at.is_(None))
        .values(failed_pins=0)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()  # the right PIN stands, whatever the request does next
    db.session.refresh(deputy)
    if cleared != 1:
        raise PinLocked()


def pin_tries_left(login: str) -> int | None:
    """How many wrong PINs the deputy named ``login`` may still type before the PIN locks;
    None when no deputy has that code."""
    deputy = _deputy_by_code((login or "").strip()) if login and login.strip() else None
    if deputy is None:
        return None
    db.session.refresh(deputy)
    return max(0, PIN_LOCK_AFTER - (deputy.failed_pins or 0))


def count_wrong_pin(login: str) -> bool:
    """A wrong PIN of the deputy named ``login`` (if one is), already counted when it was
    reserved: the try that finds PIN_LOCK_AFTER counted locks the PIN, in one atomic UPDATE
    (one lock, one ``pin_locked`` entry however many fail at once), and ends every token
    and session of the deputy. True when the PIN is locked now. The caller commits."""
    deputy = _deputy_by_code((login or "").strip()) if login and login.strip() else None
    if deputy is None:
        return False
    model = deputy_model()
    locked_now = db.session.execute(
        update(model)
        .where(
            model.id == deputy.id,
            model.locked_at.is_(None),
            model.failed_pins >= PIN_LOCK_AFTER,
        )
        .values(locked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(deputy)
    if locked_now:
        # A right PIN that slipped in among the wrong ones must not outlive the lock.
        revoke_tokens(deputy)
        end_sessions(deputy)
        audit("pin_locked", f"deputy:{deputy.code}", actor="system", tries=deputy.failed_pins)
    return deputy.pin_locked


def change_pin(deputy: Principal, current: str, new: str, confirm: str | None = None) -> None:
    """A deputy changes their own PIN: the current one first (a wrong one counts towards
    the lock), then 4 to 12 digits. Every API token of the deputy is revoked and every
    other session ends."""
    reserve_pin_check(deputy)
    if not check_secret(deputy.pin_hash, current or ""):
        raise Unauthorized("bad_pin")
    _reset_failures(deputy)
    new = fields.pin(new or "", "new_pin")
    if confirm is not None and confirm != new:
        raise invalid("confirm", _l("the two new PINs differ"))
    if check_secret(deputy.pin_hash, new):
        raise invalid("new_pin", _l("the new PIN must differ from the current one"))
    deputy.pin_hash = hash_secret(new)
    deputy.failed_pins = 0
    revoke_tokens(deputy)
    deputy.auth_epoch = (deputy.auth_epoch or 0) + 1
    db.session.flush()
    audit("pin_changed", f"deputy:{deputy.code}", actor=f"deputy:{deputy.code}")


def record_login(principal: Principal, how: str) -> None:
    """Audit a successful login."""
    who = f"deputy:{principal.code}" if is_deputy(principal) else f"user:{principal.login}"
    audit("login", who, actor=who, via=how)


def record_failed_login(login: str, how: str, *, deputies_only: bool = False) -> bool:
    """Audit a refused login, count a deputy's wrong PIN, and commit both at once: the
    refused request itself rolls back, and the trace of the attempt must survive it.
    True when the deputy's PIN is (now) locked."""
    db.session.rollback()
    # Only a name that exists is kept: what was typed may be a password in the wrong field.
    name = (login or "").strip()
    user = None if deputies_only else db.session.scalar(select(User.id).where(User.login == name))
    deputy = None if user else _deputy_by_code(name) if name else None
    audit(
        "login_failed",
        f"login:{name if user or deputy else '(unknown)'}",
        actor="anonymous",
        via=how,
    )
    locked = count_wrong_pin(name) if deputy is not None else False
    db.session.commit()
    return locked


def _deputy_by_code(code: str) -> Principal | None:
    """Exact code first; else the same letters in upper case (a tablet keyboard may type
    ``lk001`` for ``LK001``)."""
    model = deputy_model()
    deputy = db.session.scalar(select(model).where(model.code == code))
    if deputy is None and code.upper() != code:
        deputy = db.session.scalar(select(model).where(model.code == code.upper()))
    return deputy


def token_lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["API_TOKEN_MINUTES"])


def issue_token(principal: Principal) -> str:
    """A new bearer token, valid for API_TOKEN_MINUTES."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(token_hash=_digest(token), expires_at=utcnow() + token_lifetime())
    if is_deputy(principal):
        row.deputy_id = principal.id
    else:
        row.user_id = principal.id
    db.session.add(row)
    db.session.flush()
    return token


_TOKEN_OWNER: dict[str, Any] = {}


def _token_owner():
    """The token's owner in one statement, built once: every API request, each cast among
    them, runs it first. Built on first use, when the deputies' model is registered."""
    if "query" not in _TOKEN_OWNER:
        deputy = deputy_model()
        _TOKEN_OWNER["query"] = (
            select(User, deputy)
            .select_from(ApiToken)
            .outerjoin(User, User.id == ApiToken.user_id)
            .outerjoin(deputy, deputy.id == ApiToken.deputy_id)
            .where(
                ApiToken.token_hash == bindparam("digest"),
                ApiToken.revoked.is_(False),
                ApiToken.expires_at > bindparam("now"),
            )
        )
    return _TOKEN_OWNER["query"]


def principal_for_token(token: str) -> Principal | None:
    """The owner of a live token: not revoked, not expired, owner active (one statement)."""
    row = db.session.execute(_token_owner(), {"digest": _digest(token), "now": utcnow()}).first()
    if row is None:
        return None
    user, deputy = row
    if user is not None:
        return user if user.active else None
    return deputy


def revoke_token(token: str) -> None:
    db.session.execute(
        update(ApiToken).where(ApiToken.token_hash == _digest(token)).values(revoked=True)
    )


def revoke_tokens(principal: Principal) -> int:
    """Revoke every live API token of a user or deputy; returns how many."""
    owner = (
        ApiToken.deputy_id == principal.id
        if is_deputy(principal)
        else ApiToken.user_id == principal.id
    )
    result = db.session.execute(
        update(ApiToken).where(owner, ApiToken.revoked.is_(False)).values(revoked=True)
    )
    return result.rowcount or 0


def end_sessions(principal: Principal) -> None:
    """Every session cookie signed before now stops working (logout everywhere)."""
    principal.auth_epoch = (principal.auth_epoch or 0) + 1
    db.session.flush()


def load_principal(ident: str) -> Principal | None:
    """Flask-Login's loader: ids are 'u:<id>' for users and 'd:<id>' for deputies. A session
    from before the principal's last logout or PIN change (auth_epoch) is not accepted."""
    kind, _, raw = (ident or "").partition(":")
    if not raw.isdigit():
        return None
    principal: Principal | None = None
    if kind == "u":
        principal = db.session.get(User, int(raw))
        if principal is not None and not principal.active:
            principal = None
    elif kind == "d":
        principal = db.session.get(deputy_model(), int(raw))
    if principal is None or session.get("epoch", 0) != (principal.auth_epoch or 0):
        return None
    return principal


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
