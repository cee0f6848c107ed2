"""Passwords, PINs, logins and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from votesys.auth.models import ApiToken, Role, User
from votesys.congress.models import Deputy
from votesys.errors import Unauthorized, invalid
from votesys.extensions import db
from votesys.integrity.services import audit


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
    if db.session.scalar(select(Deputy.id).where(Deputy.code == login)):
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


def authenticate(login: str, secret: str, *, deputies_only: bool = False) -> User | Deputy:
    """A user by login + password, else a deputy by code + PIN. Logins and deputy codes
    never collide: each refuses the other's names when created."""
    login = (login or "").strip()
    user = None
    if login and not deputies_only:
        user = db.session.scalar(select(User).where(User.login == login))
    if user is not None:
        if user.active and check_secret(user.password_hash, secret or ""):
            return user
        raise Unauthorized("bad_credentials")
    deputy = _deputy_by_code(login) if login else None
    if check_secret(deputy.pin_hash if deputy else None, secret or "") and deputy is not None:
        return deputy
    raise Unauthorized("bad_credentials")


def record_login(principal: User | Deputy, how: str) -> None:
    """Audit a successful login."""
    who = f"deputy:{principal.code}" if isinstance(principal, Deputy) else f"user:{principal.login}"
    audit("login", who, actor=who, via=how)


def record_failed_login(login: str, how: str) -> None:
    """Audit a refused login and commit it at once: the refused request itself rolls back,
    and the trace of the attempt must survive it."""
    db.session.rollback()
    # Only a name that exists is kept: what was typed may be a password in the wrong field.
    name = (login or "").strip()
    known = db.session.scalar(select(User.id).where(User.login == name)) or _deputy_by_code(name)
    audit("login_failed", f"login:{name if known else '(unknown)'}", actor="anonymous", via=how)
    db.session.commit()


def _deputy_by_code(code: str) -> Deputy | None:
    """Exact code first; else the same letters in upper case (a tablet keyboard may type
    ``lk001`` for ``LK001``)."""
    deputy = db.session.scalar(select(Deputy).where(Deputy.code == code))
    if deputy is None and code.upper() != code:
        deputy = db.session.scalar(select(Deputy).where(Deputy.code == code.upper()))
    return deputy


def issue_token(principal: User | Deputy) -> str:
    token = secrets.token_urlsafe(32)
    row = ApiToken(token_hash=_digest(token))
    if isinstance(principal, Deputy):
        row.deputy_id = principal.id
    else:
        row.user_id = principal.id
    db.session.add(row)
    db.session.flush()
    return token


def principal_for_token(token: str) -> User | Deputy | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False))
    )
    if row is None:
        return None
    if row.user_id is not None:
        user = db.session.get(User, row.user_id)
        return user if user is not None and user.active else None
    return db.session.get(Deputy, row.deputy_id)


def load_principal(ident: str) -> User | Deputy | None:
    """Flask-Login's loader: ids are 'u:<id>' for users and 'd:<id>' for deputies."""
    kind, _, raw = (ident or "").partition(":")
    if not raw.isdigit():
        return None
    if kind == "u":
        user = db.session.get(User, int(raw))
        return user if user is not None and user.active else None
    if kind == "d":
        return db.session.get(Deputy, int(raw))
    return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
