"""Logging in and out, the health check, the API schema: the only pages open to anyone are
the login page and the health check."""

from __future__ import annotations

import secrets

from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from tcmap import __version__
from tcmap.errors import TcmapError
from tcmap.web.app import principal, render, require
from tcmap.web.security import (
    PRE_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    check_csrf,
    csrf_token,
    new_session_cookie,
    set_cookie,
)


def _safe_next(target: str | None) -> str:
    """Only paths of this site: never an absolute or protocol-relative address."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/activities"
    return target


def register(app: FastAPI) -> None:
    @app.get("/health", include_in_schema=False)
    def health(request: Request):
        try:
            with request.app.state.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            db = "ok"
        except Exception:  # the health check reports; it never raises
            db = "unreachable"
        return JSONResponse({"status": "ok" if db == "ok" else "degraded",
                             "version": __version__, "database": db},
                            status_code=200 if db == "ok" else 503)

    @app.get("/", include_in_schema=False)
    def home(request: Request):
        return RedirectResponse("/activities", status_code=303)

    def login_page(request: Request, message: str = "", status: int = 200, nxt: str = ""):
        pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(16)
        response = request.app.state.templates.TemplateResponse(
            request, "login.html",
            {"page": {"title": "Log in"}, "user": None, "message": message,
             "csrf": csrf_token(request.app.state.secret, pre), "next": nxt},
            status_code=status)
        set_cookie(response, request, PRE_COOKIE, pre, 3600)
        return response

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = ""):
        if principal(request) is not None:
            return RedirectResponse(_safe_next(next), status_code=303)
        return login_page(request, nxt=next)

    @app.post("/login", include_in_schema=False)
    def login(request: Request, username: str = Form(...), password: str = Form(...),
              csrf_token: str = Form(""), next: str = Form("")):
        from tcmap import users

        check_csrf(request.app.state.secret, request.cookies.get(PRE_COOKIE), csrf_token)
        remote = request.client.host if request.client else None
        try:
            with request.app.state.store.session() as s, s.begin():
                user = users.authenticate(s, username, password, remote=remote)
                cookie = new_session_cookie(request.app.state.secret, user.id,
                                            user.session_version)
        except TcmapError as exc:
            status = 429 if getattr(exc, "retry_after", None) else 401
            return login_page(request, exc.message, status, next)
        response = RedirectResponse(_safe_next(next), status_code=303)
        set_cookie(response, request, SESSION_COOKIE, cookie, SESSION_SECONDS)
        response.delete_cookie(PRE_COOKIE, path="/")
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf_token: str = Form("")):
        from tcmap import users

        who = require(request)
        check_csrf(request.app.state.secret, who.csrf, csrf_token)
        with request.app.state.store.session() as s, s.begin():
            users.logout(s, who.name, remote=request.client.host if request.client else None)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(request: Request):
        require(request)
        return JSONResponse(request.app.openapi())

    _ = render  # pages render through web.app.render
