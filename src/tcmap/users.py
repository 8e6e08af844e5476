"""People and access: accounts with roles, Argon2 passwords, API tokens, sign-in throttling.

Roles nest: an admin may do all an analyst may, an analyst all a viewer may. Passwords are
kept as Argon2 hashes (argon2-cffi), API tokens as SHA-256 digests; neither is ever returned.
Every sign-in, refusal and change to an account writes an AuthEvent, and throttling is
computed from those rows, so it holds across processes and servers: after 5 failures for a
name (or 20 from one remote address) within 15 minutes, sign-in is refused for 15 minutes,
even with the right password. The functions take an SQLAlchemy Session and leave the commit
to the caller, except that a refused sign-in is recorded in a transaction of its own (see
`authenticate`). The clock is injectable (`now=`).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcmap.errors import AuthError, ConfigError, NotFoundError, UserError
from tcmap.store import ApiToken, AuthEvent, User
from tcmap.store import base as _base

ROLES = ("viewer", "analyst", "admin")
KINDS = ("login-ok", "login-failed", "locked", "logout", "token-used", "token-created",
         "token-revoked", "user-added", "user-disabled", "user-enabled", "role-changed",
         "password-changed")
MIN_PASSWORD = 10
# Argon2 reads the whole password; a megabyte of it is a cheap way to waste a server's time.
MAX_PASSWORD = 1024
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_REMOTE = 20
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
# A script may call the API every second; one token-used event an hour keeps the trail readable.
TOKEN_EVENT_EVERY = timedelta(hours=1)

_NAME = re.compile(r"[A-Za-z0-9._@-]{1,60}")
_NAME_HINT = "Use 1 to 60 letters (a-z), digits and . _ - @, e.g. ana.silva or ana@ilo.org."
_WRONG = "Wrong name or password."
_WRONG_HINT = ("Check both and try again; after 5 failures in 15 minutes sign-in pauses for "
               "15 minutes.")
_BAD_TOKEN = "The API token is not valid."
_BAD_TOKEN_HINT = ("It may be mistyped or revoked, or its user disabled; ask an administrator "
                   "for a new one (tcmap user token NAME TOKEN_NAME).")


def can(role: str, needed: str) -> bool:
    """True when `role` may do what `needed` may (admin ⊇ analyst ⊇ viewer)."""
    if needed not in ROLES:
        raise ValueError(f"unknown role {needed!r}; roles are {', '.join(ROLES)}")
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


@cache
def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise ConfigError("Passwords need argon2-cffi, which is not installed.",
                          hint="Install the web extra: pip install 'tcmap[web]'.") from None
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _key(name: str | None) -> str:
    """A name as stored and matched: trimmed and lower-cased."""
    return (name or "").strip().lower()


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.fullmatch(name):
        raise UserError(f"{name[:60]!r} cannot name a user.", hint=_NAME_HINT)
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}.", hint=f"Use one of {', '.join(ROLES)}.")
    return role


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"The password is too short: at least {MIN_PASSWORD} characters.",
                        hint="A few unrelated words make a long password easy to remember.")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"The password is too long: at most {MAX_PASSWORD} characters.",
                        hint="Choose a shorter one.")
    return password


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event(kind: str, name: str, at: datetime, remote: str | None = None,
           detail: str | None = None) -> AuthEvent:
    return AuthEvent(kind=kind, user_name=_key(name)[:100], at=at,
                     remote=remote[:100] if remote else None, detail=detail)


def _by(by: str | None) -> str:
    return f" by {by}" if by else ""


def user_dict(user: User) -> dict[str, Any]:
    """An account as JSON-ready data: never its password hash."""
    return {
        "id": user.id, "name": user.name, "display_name": user.display_name,
        "role": user.role, "active": user.active, "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
    }


def get_user(session: Session, name: str) -> User:
    """The user of that name (any case), or NotFoundError."""
    user = session.scalar(select(User).where(User.name == _key(name)))
    if user is None:
        raise NotFoundError(f"No user {(name or '')[:60]!r}.",
                            hint="List the users with `tcmap user list`.")
    return user


def add_user(session: Session, name: str, role: str, password: str,
             display_name: str | None = None, *, by: str | None = None,
             now: datetime | None = None) -> User:
    """Add an account; the name is kept lower-cased, the display name as given (or typed)."""
    typed = _check_name(name)
    role = _check_role(role)
    _check_password(password)
    display_name = (display_name or "").strip() or typed
    if len(display_name) > 200:
        raise UserError("The display name is longer than 200 characters.",
                        hint="Shorten it.")
    if session.scalar(select(User.id).where(User.name == _key(typed))) is not None:
        raise UserError(f"There is already a user {_key(typed)!r}.",
                        hint="Names ignore case; choose another, or change that user with "
                        "`tcmap user role` or `tcmap user password`.")
    now = now or _base.utcnow()
    user = User(name=_key(typed), display_name=display_name, role=role,
                password_hash=_hasher().hash(password), active=True, created_at=now,
                session_version=1)
    session.add(user)
    session.add(_event("user-added", user.name, now, detail=f"role {role}{_by(by)}"))
    session.flush()
    return user


def list_users(session: Session) -> list[dict[str, Any]]:
    """Every account by name, with its number of usable API tokens; no hashes."""
    counts = {user_id: n for user_id, n in session.execute(
        select(ApiToken.user_id, func.count()).where(ApiToken.revoked.is_(False))
        .group_by(ApiToken.user_id))}
    return [{**user_dict(u), "tokens": counts.get(u.id, 0)}
            for u in session.scalars(select(User).order_by(User.name))]


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to leave the database without an active admin."""
    if user.role != "admin" or not user.active:
        return
    admins = session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True)))
    if admins <= 1:
        raise UserError(f"{user.name} is the only active admin.",
                        hint="Make another user admin first: tcmap user role NAME admin.")


def disable_user(session: Session, name: str, *, by: str | None = None,
                 now: datetime | None = None) -> User:
    """Disable an account: no sign-in, no API token, and its web sessions end."""
    user = get_user(session, name)
    if user.active:
        _keep_an_admin(session, user)
        user.active = False
        user.session_version += 1
        session.add(_event("user-disabled", user.name, now or _base.utcnow(),
                           detail=_by(by).strip() or None))
        session.flush()
    return user


def enable_user(session: Session, name: str, *, by: str | None = None,
                now: datetime | None = None) -> User:
    """Enable a disabled account again (its unrevoked API tokens work again too)."""
    user = get_user(session, name)
    if not user.active:
        user.active = True
        session.add(_event("user-enabled", user.name, now or _base.utcnow(),
                           detail=_by(by).strip() or None))
        session.flush()
    return user


def set_role(session: Session, name: str, role: str, *, by: str | None = None,
             now: datetime | None = None) -> User:
    """Give an account another role."""
    role = _check_role(role)
    user = get_user(session, name)
    if user.role != role:
        _keep_an_admin(session, user)
        session.add(_event("role-changed", user.name, now or _base.utcnow(),
                           detail=f"{user.role} -> {role}{_by(by)}"))
        user.role = role
        session.flush()
    return user


def set_password(session: Session, name: str, password: str, *, by: str | None = None,
                 now: datetime | None = None) -> User:
    """Set a new password; the account's web sessions end (API tokens stay valid)."""
    _check_password(password)
    user = get_user(session, name)
    user.password_hash = _hasher().hash(password)
    user.session_version += 1
    session.add(_event("password-changed", user.name, now or _base.utcnow(),
                       detail=_by(by).strip() or None))
    session.flush()
    return user


def _locked_until(session: Session, where, limit: int, now: datetime,
                  since: datetime | None = None) -> datetime | None:
    """When the lockout that `limit` failures within WINDOW started ends, if it has not yet.

    Refused attempts during a lockout are `locked` events, not failures, so hammering at a
    locked name does not extend its lockout.
    """
    horizon = now - WINDOW - LOCKOUT
    if since is not None and since > horizon:
        horizon = since
    times = session.scalars(select(AuthEvent.at).where(
        where, AuthEvent.kind == "login-failed", AuthEvent.at > horizon, AuthEvent.at <= now)
        .order_by(AuthEvent.at)).all()
    ends = [last + LOCKOUT for first, last in zip(times, times[limit - 1:], strict=False)
            if last - first <= WINDOW and last + LOCKOUT > now]
    return max(ends, default=None)


def _record_apart(session: Session, event: AuthEvent) -> None:
    """Commit a refusal in a transaction of its own.

    Callers roll back when AuthError escapes their `with session.begin()`; the refusal must
    stay, or throttling would never see it.
    """
    with Session(session.get_bind(AuthEvent).engine) as own, own.begin():
        own.add(event)


def authenticate(session: Session, name: str, password: str, remote: str | None = None,
                 now: datetime | None = None) -> User:
    """The user whose name (any case) and password these are, or AuthError.

    A wrong name and a wrong password get the same message (and take the same time). While
    the name or the remote address is throttled, every attempt is refused with `retry_after`
    set. A success records the time and rehashes the password when the Argon2 parameters
    have changed, in the caller's session; a refusal is committed at once in a transaction
    of its own, so on SQLite call this before writing anything else in the session.
    """
    now = now or _base.utcnow()
    key = _key(name)[:100]
    last_ok = session.scalar(select(func.max(AuthEvent.at)).where(
        AuthEvent.user_name == key, AuthEvent.kind == "login-ok", AuthEvent.at <= now))
    until = [_locked_until(session, AuthEvent.user_name == key, MAX_FAILURES_PER_NAME, now,
                           since=last_ok)]
    if remote:
        # A success does not reset an address: one valid account would reset it at will.
        until.append(_locked_until(session, AuthEvent.remote == remote[:100],
                                   MAX_FAILURES_PER_REMOTE, now))
    until = max((u for u in until if u is not None), default=None)
    if until is not None:
        _record_apart(session, _event("locked", key, now, remote))
        wait = math.ceil((until - now).total_seconds())
        minutes = math.ceil(wait / 60)
        raise AuthError(
            f"Too many failed sign-ins: try again in {minutes} minute"
            f"{'' if minutes == 1 else 's'}.",
            hint=f"Sign-in pauses for {LOCKOUT.seconds // 60} minutes after "
            f"{MAX_FAILURES_PER_NAME} failures.", retry_after=wait)

    user = session.scalar(select(User).where(User.name == key))
    if user is None:
        _verify(_dummy_hash(), password or "")  # the same time as a wrong password
        ok = False
    else:
        ok = _verify(user.password_hash, password or "")
    if not ok:
        _record_apart(session, _event("login-failed", key, now, remote))
        raise AuthError(_WRONG, hint=_WRONG_HINT)
    if not user.active:
        _record_apart(session, _event("login-failed", key, now, remote, "disabled"))
        raise AuthError("This account is disabled.",
                        hint="Ask an administrator to enable it (tcmap user enable NAME).")
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.last_login_at = now
    session.add(_event("login-ok", key, now, remote))
    session.flush()
    return user


def logout(session: Session, name: str, remote: str | None = None,
           now: datetime | None = None) -> None:
    """Record that a person signed out."""
    session.add(_event("logout", name, now or _base.utcnow(), remote))
    session.flush()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, token_name: str, *, by: str | None = None,
                 now: datetime | None = None) -> str:
    """A new API token for the user; returned once, only its SHA-256 is stored."""
    user = get_user(session, name)
    if not user.active:
        raise UserError(f"{user.name} is disabled.",
                        hint=f"Enable the account first: tcmap user enable {user.name}.")
    token_name = (token_name or "").strip()
    if not 1 <= len(token_name) <= 100:
        raise UserError("A token needs a name of 1 to 100 characters.",
                        hint="Name it for what uses it, e.g. nightly-import.")
    if any(t.name == token_name and not t.revoked for t in user.tokens):
        raise UserError(f"{user.name} already has a token named {token_name!r}.",
                        hint="Choose another name, or revoke that token first.")
    now = now or _base.utcnow()
    token = secrets.token_urlsafe(32)
    user.tokens.append(ApiToken(name=token_name, token_hash=_digest(token), prefix=token[:8],
                                created_at=now, revoked=False))
    session.add(_event("token-created", user.name, now,
                       detail=f"{token_name} ({token[:8]}){_by(by)}"))
    session.flush()
    return token


def list_tokens(session: Session, name: str) -> list[dict[str, Any]]:
    """The user's API tokens, newest first: name, prefix, dates, revoked; never the token."""
    user = get_user(session, name)
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [{"name": t.name, "prefix": t.prefix, "created_at": _iso(t.created_at),
             "last_used_at": _iso(t.last_used_at), "revoked": t.revoked} for t in rows]


def verify_token(session: Session, token: str, remote: str | None = None,
                 now: datetime | None = None) -> User:
    """The user an API token belongs to, or AuthError when it is unknown, revoked or disabled."""
    # Looking the token up by its SHA-256 is the constant-time comparison: timing can only
    # leak the digest, and the digest tells nothing of the token.
    row = None
    if token and len(token) <= 200:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked or not row.user.active:
        raise AuthError(_BAD_TOKEN, hint=_BAD_TOKEN_HINT)
    now = now or _base.utcnow()
    detail = f"{row.name} ({row.prefix})"
    last = session.scalar(select(func.max(AuthEvent.at)).where(
        AuthEvent.user_name == row.user.name, AuthEvent.kind == "token-used",
        AuthEvent.detail == detail))
    if last is None or now - last >= TOKEN_EVENT_EVERY:
        session.add(_event("token-used", row.user.name, now, remote, detail))
    row.last_used_at = now
    session.flush()
    return row.user


def revoke_token(session: Session, name: str, token_name: str, *, by: str | None = None,
                 now: datetime | None = None) -> int:
    """Revoke the user's usable tokens of that name; returns how many (NotFoundError if none)."""
    user = get_user(session, name)
    tokens = [t for t in user.tokens if t.name == (token_name or "").strip() and not t.revoked]
    if not tokens:
        usable = sorted({t.name for t in user.tokens if not t.revoked})
        raise NotFoundError(f"{user.name} has no usable token named {token_name!r}.",
                            hint=f"Its tokens: {', '.join(usable)}." if usable
                            else f"{user.name} has no usable tokens.")
    now = now or _base.utcnow()
    for t in tokens:
        t.revoked = True
        session.add(_event("token-revoked", user.name, now,
                           detail=f"{t.name} ({t.prefix}){_by(by)}"))
    session.flush()
    return len(tokens)


def auth_events(session: Session, name: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
    """The audit trail of access, newest first, for one name or everyone."""
    query = select(AuthEvent).order_by(AuthEvent.at.desc(), AuthEvent.id.desc()).limit(limit)
    if name is not None:
        query = query.where(AuthEvent.user_name == _key(name))
    return [{"user_name": e.user_name, "kind": e.kind, "at": _iso(e.at), "remote": e.remote,
             "detail": e.detail} for e in session.scalars(query)]
