"""The FastAPI application: one error handler, sessions, pages registered from web.pages."""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from tcmap import __version__
from tcmap.config import Settings
from tcmap.errors import AuthError, ConflictError, NotFoundError, TcmapError
from tcmap.store import Store, open_store
from tcmap.web.memo import PageMemo
from tcmap.web.security import (
    SESSION_COOKIE,
    HttpError,
    Principal,
    bearer,
    csrf_token,
    read_session_cookie,
)

ROLES = ("viewer", "analyst", "admin")
_HERE = Path(str(resources.files("tcmap.web")))


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The app for these settings (or the environment's) and store (or the settings' URL)."""
    settings = settings or Settings.load()
    app = FastAPI(title="tcmap", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.settings = settings
    app.state.store = store or open_store(settings.database_url)
    # Without a configured key, sessions last until the server restarts.
    app.state.secret = settings.secret_key or secrets.token_urlsafe(32)
    # Pages kept until the data change (see web/memo.py).
    app.state.memo = PageMemo(settings.page_memo)
    app.state.templates = Jinja2Templates(directory=str(_HERE / "templates"))
    app.state.templates.env.filters["highlight"] = highlight
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    _errors(app)
    _login_gate(app)
    from tcmap.web.pages import register_all

    register_all(app)
    return app


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", "")


def error_body(status: int, code: str, message: str, hint: str = "",
               **extra: Any) -> dict[str, Any]:
    """The one JSON error shape."""
    return {"error": {"status": status, "code": code, "message": message, "hint": hint,
                      **extra}}


def _errors(app: FastAPI) -> None:
    def respond(request: Request, status: int, code: str, message: str, hint: str = "",
                extra: dict | None = None):
        if status == 401 and not wants_json(request):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        if wants_json(request):
            return JSONResponse(error_body(status, code, message, hint, **(extra or {})),
                                status_code=status)
        return request.app.state.templates.TemplateResponse(
            request, "error.html", {"status": status, "code": code, "message": message,
                                    "hint": hint, "page": {"title": "Error"},
                                    "user": getattr(request.state, "user", None)},
            status_code=status)

    @app.exception_handler(HttpError)
    async def http_error(request: Request, exc: HttpError):
        return respond(request, exc.status, exc.code, exc.message, exc.hint, exc.extra)

    @app.exception_handler(TcmapError)
    async def tcmap_error(request: Request, exc: TcmapError):
        status, code = 400, "bad-request"
        extra = {}
        if isinstance(exc, AuthError):
            status, code = (429, "too-many-attempts") if getattr(
                exc, "retry_after", None) else (401, "login-failed")
        elif isinstance(exc, NotFoundError):
            status, code = 404, "not-found"
        elif isinstance(exc, ConflictError):
            status, code = 409, "conflict"
            extra = {"current": getattr(exc, "current", None)}
        return respond(request, status, code, exc.message, exc.hint, extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return respond(request, 422, "invalid-request", f"{where}: {first.get('msg', '')}",
                       "Check the parameter named.")

    @app.exception_handler(StarletteHTTPException)
    async def starlette_error(request: Request, exc: StarletteHTTPException):
        code = "not-found" if exc.status_code == 404 else "http-error"
        return respond(request, exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        return respond(request, 500, "internal-error", "Something went wrong on the server.",
                       "Try again; if it persists, tell the administrator (the server log "
                       "has the details).")


PUBLIC_PATHS = ("/health", "/login")


def _login_gate(app: FastAPI) -> None:
    """Nothing but the login page, the health check and static files without a login."""

    @app.middleware("http")
    async def gate(request: Request, call_next):
        path = request.url.path
        if path in PUBLIC_PATHS or path.startswith("/static/"):
            return await call_next(request)
        try:
            # The lookup touches the database: off the event loop, so nothing else waits.
            who = await run_in_threadpool(principal, request)
        except TcmapError as exc:  # a bad API token
            who, message = None, exc.message
        else:
            message = "Log in to see this page."
        if who is None:
            if not wants_json(request) and not bearer(request):
                return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
            return JSONResponse(error_body(
                401, "login-required", message,
                "POST /login with username and password, or send an API token as "
                "'Authorization: Bearer ...'."), status_code=401)
        request.state.user = who
        return await call_next(request)


def needs(role: str):
    """A route dependency: the role is checked before the request body is read."""
    from fastapi import Depends

    def check(request: Request) -> Principal:
        return require(request, role)

    return Depends(check)


def principal(request: Request) -> Principal | None:
    """The logged-in person (session cookie) or the token's owner, or None."""
    from tcmap import users

    secret = request.app.state.secret
    with request.app.state.store.session() as s, s.begin():
        token = bearer(request)
        if token:
            user = users.verify_token(s, token)
            return Principal(user.id, user.name, user.role, user.display_name, None)
        data = read_session_cookie(secret, request.cookies.get(SESSION_COOKIE))
        if not data:
            return None
        from tcmap.store.user import User

        user = s.get(User, data["u"])
        if user is None or not user.active or user.session_version != data["v"]:
            return None
        return Principal(user.id, user.name, user.role, user.display_name, data["c"])


def require(request: Request, role: str = "viewer") -> Principal:
    """The person, who must be logged in with at least this role (else 401 or 403)."""
    who = getattr(request.state, "user", None) or principal(request)
    if who is None:
        raise HttpError(401, "login-required", "Log in to see this page.",
                        hint="POST /login with username and password, or send an API token "
                        "as 'Authorization: Bearer ...'.")
    if ROLES.index(who.role) < ROLES.index(role):
        raise HttpError(403, "forbidden", f"This needs the {role} role; you are a {who.role}.",
                        hint="Ask an administrator to change your role.")
    request.state.user = who
    return who


def render(request: Request, template: str, page: dict[str, Any], status: int = 200):
    """A page's dict through its template, with the user and a CSRF token for forms."""
    who = getattr(request.state, "user", None)
    token = csrf_token(request.app.state.secret, who.csrf) if who and who.csrf else ""
    return request.app.state.templates.TemplateResponse(
        request, template, {"page": page, "user": who, "csrf": token}, status_code=status)


def highlight(context: str | None, match: str | None):
    """The context with the matched words marked, everything escaped."""
    from markupsafe import Markup, escape

    context = context or match or ""
    if not match or match not in context:
        return escape(context)
    before, _, after = context.partition(match)
    return Markup(f"{escape(before)}<mark>{escape(match)}</mark>{escape(after)}")


def html_response(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status)
