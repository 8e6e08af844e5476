"""Who is asking: signed session cookies, CSRF tokens, API tokens, and role checks.

A session cookie holds the user's id, their session version (bumped when a password changes
or the account is disabled, which ends old sessions) and a random CSRF secret, signed with the
app's key; it is HttpOnly, SameSite=Strict and Secure over HTTPS. Every form carries the CSRF
token and every state-changing request must return it (form field `csrf_token` or header
`X-CSRF-Token`); requests with an API token (`Authorization: Bearer ...`) need none.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tcmap.errors import TcmapError

SESSION_COOKIE = "tcmap_session"
PRE_COOKIE = "tcmap_pre"  # the CSRF secret of someone not logged in yet (the login form)
SESSION_SECONDS = 12 * 3600


class HttpError(TcmapError):
    """An error with an HTTP status, for the one error handler."""

    def __init__(self, status: int, code: str, message: str, hint: str = "",
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message, hint)
        self.status, self.code, self.extra = status, code, extra or {}


@dataclass
class Principal:
    """The person behind a request."""

    id: int
    name: str
    role: str
    display_name: str | None
    csrf: str | None  # None for API-token requests (no CSRF needed)


def serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="tcmap-session")


def new_session_cookie(secret: str, user_id: int, version: int) -> str:
    return serializer(secret).dumps({"u": user_id, "v": version,
                                     "c": secrets.token_urlsafe(16)})


def read_session_cookie(secret: str, value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        return serializer(secret).loads(value, max_age=SESSION_SECONDS)
    except (BadSignature, SignatureExpired):
        return None


def csrf_token(secret: str, csrf_secret: str) -> str:
    """The token forms carry: an HMAC of the session's CSRF secret."""
    return hmac.new(secret.encode(), csrf_secret.encode(), "sha256").hexdigest()


def check_csrf(secret: str, csrf_secret: str | None, sent: str | None) -> None:
    if not csrf_secret or not sent or not hmac.compare_digest(
            csrf_token(secret, csrf_secret), sent):
        raise HttpError(403, "csrf-failed", "The form's security token is missing or stale.",
                        hint="Reload the page and submit the form again.")


def set_cookie(response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return None
