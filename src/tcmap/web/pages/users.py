"""People: admins manage accounts (/users); everyone manages their own password and API tokens
(/account). Every change goes through tcmap.users, which records it in the access trail."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from tcmap import users
from tcmap.errors import TcmapError, UserError
from tcmap.users import ROLES
from tcmap.web.app import needs, render, require
from tcmap.web.security import Principal, check_csrf


class NewUser(BaseModel):
    """An account to add, as scripts send it."""

    name: str
    role: str
    password: str
    display_name: str | None = None


class RoleChange(BaseModel):
    role: str


class PasswordChange(BaseModel):
    """A new password; for one's own account, with the current one."""

    password: str
    current_password: str | None = None


class TokenRequest(BaseModel):
    name: str


def users_page(session, message: str = "", error: str = "") -> dict[str, Any]:
    """Every account with its role, state and tokens, and the latest access events."""
    return {"title": "Users", "users": users.list_users(session), "roles": list(ROLES),
            "events": users.auth_events(session, limit=30), "message": message,
            "alert": error}


def account_page(session, name: str, token: str = "", message: str = "",
                 error: str = "") -> dict[str, Any]:
    """One's own account: who, role, API tokens (a new token shown once)."""
    return {"title": "Your account", "user": users.user_dict(users.get_user(session, name)),
            "tokens": users.list_tokens(session, name), "new_token": token,
            "message": message, "alert": error}


def _unknown(action: str):
    raise UserError(f"Unknown action {action[:40]!r}.", hint="Use the buttons of the page.")


def _form_check(request: Request, role: str, csrf_token: str) -> Principal:
    who = require(request, role)
    check_csrf(request.app.state.secret, who.csrf, csrf_token)
    return who


def _api_check(request: Request, role: str) -> Principal:
    who = require(request, role)
    if who.csrf is not None:  # a browser session: the header must carry the token
        check_csrf(request.app.state.secret, who.csrf, request.headers.get("x-csrf-token"))
    return who


def register(app: FastAPI) -> None:  # noqa: C901  (one small closure per route)
    store = app.state.store

    def change(fn, *args, **kwargs) -> dict[str, Any]:
        with store.session() as s, s.begin():
            return users.user_dict(fn(s, *args, **kwargs))

    # -- admins: every account ------------------------------------------------------------
    @app.get("/api/users", summary="Every account (admins)", dependencies=[needs("admin")])
    def api_users(request: Request) -> dict[str, Any]:
        require(request, "admin")
        with store.session() as s:
            return users_page(s)

    @app.get("/users", include_in_schema=False, dependencies=[needs("admin")])
    def users_html(request: Request):
        require(request, "admin")
        with store.session() as s:
            return render(request, "users.html", users_page(s))

    @app.post("/api/users", summary="Add an account (admins)", dependencies=[needs("admin")])
    def api_add(request: Request, new: NewUser) -> dict[str, Any]:
        who = _api_check(request, "admin")
        return change(users.add_user, new.name, new.role, new.password, new.display_name,
                      by=who.name)

    @app.post("/api/users/{name}/role", summary="Change an account's role (admins)",
              dependencies=[needs("admin")])
    def api_role(request: Request, name: str, body: RoleChange) -> dict[str, Any]:
        who = _api_check(request, "admin")
        return change(users.set_role, name, body.role, by=who.name)

    @app.post("/api/users/{name}/disable", summary="Disable an account (admins)",
              dependencies=[needs("admin")])
    def api_disable(request: Request, name: str) -> dict[str, Any]:
        who = _api_check(request, "admin")
        return change(users.disable_user, name, by=who.name)

    @app.post("/api/users/{name}/enable", summary="Enable an account again (admins)",
              dependencies=[needs("admin")])
    def api_enable(request: Request, name: str) -> dict[str, Any]:
        who = _api_check(request, "admin")
        return change(users.enable_user, name, by=who.name)

    @app.post("/api/users/{name}/password", summary="Set an account's password (admins)",
              dependencies=[needs("admin")])
    def api_password(request: Request, name: str, body: PasswordChange) -> dict[str, Any]:
        who = _api_check(request, "admin")
        return change(users.set_password, name, body.password, by=who.name)

    def after_form(request: Request, action, done: str):
        """Run an admin's form action; the page again with what happened, or what went wrong."""
        try:
            action()
        except TcmapError as exc:
            with store.session() as s:
                return render(request, "users.html", users_page(
                    s, error=f"{exc.message} {exc.hint}".strip()), status=400)
        return RedirectResponse(f"/users?done={done}", status_code=303)

    @app.post("/users", include_in_schema=False, dependencies=[needs("admin")])
    def form_add(request: Request, name: str = Form(""), role: str = Form("viewer"),
                 password: str = Form(""), display_name: str = Form(""),
                 csrf_token: str = Form("")):
        who = _form_check(request, "admin", csrf_token)
        return after_form(request, lambda: change(
            users.add_user, name, role, password, display_name or None, by=who.name), "added")

    @app.post("/users/{name}", include_in_schema=False, dependencies=[needs("admin")])
    def form_change(request: Request, name: str, action: str = Form(""),
                    role: str = Form(""), password: str = Form(""),
                    csrf_token: str = Form("")):
        who = _form_check(request, "admin", csrf_token)
        actions = {
            "role": lambda: change(users.set_role, name, role, by=who.name),
            "disable": lambda: change(users.disable_user, name, by=who.name),
            "enable": lambda: change(users.enable_user, name, by=who.name),
            "password": lambda: change(users.set_password, name, password, by=who.name),
        }
        return after_form(request, actions.get(action, lambda: _unknown(action)), action)

    # -- everyone: one's own account ------------------------------------------------------
    @app.get("/api/account", summary="Your account and API tokens")
    def api_account(request: Request) -> dict[str, Any]:
        who = require(request)
        with store.session() as s:
            return account_page(s, who.name)

    @app.get("/account", include_in_schema=False)
    def account_html(request: Request):
        who = require(request)
        with store.session() as s:
            return render(request, "account.html", account_page(s, who.name))

    def own_password(who: Principal, body: PasswordChange) -> dict[str, Any]:
        with store.session() as s, s.begin():
            # The current password proves it is the account's owner at the keyboard.
            users.authenticate(s, who.name, body.current_password or "")
            return users.user_dict(users.set_password(s, who.name, body.password,
                                                      by=who.name))

    @app.post("/api/account/password", summary="Change your password (needs the current one)")
    def api_own_password(request: Request, body: PasswordChange) -> dict[str, Any]:
        return own_password(_api_check(request, "viewer"), body)

    @app.post("/api/account/tokens", summary="Make an API token (shown once)")
    def api_token(request: Request, body: TokenRequest) -> dict[str, Any]:
        who = _api_check(request, "viewer")
        with store.session() as s, s.begin():
            return {"name": body.name.strip(),
                    "token": users.create_token(s, who.name, body.name, by=who.name)}

    @app.post("/api/account/tokens/{token_name}/revoke", summary="Revoke one of your tokens")
    def api_revoke(request: Request, token_name: str) -> dict[str, Any]:
        who = _api_check(request, "viewer")
        with store.session() as s, s.begin():
            return {"name": token_name,
                    "revoked": users.revoke_token(s, who.name, token_name, by=who.name)}

    @app.post("/account", include_in_schema=False)
    def form_account(request: Request, action: str = Form(""), name: str = Form(""),
                     password: str = Form(""), current_password: str = Form(""),
                     csrf_token: str = Form("")):
        who = _form_check(request, "viewer", csrf_token)
        token, message, error = "", "", ""
        try:
            if action == "token":
                with store.session() as s, s.begin():
                    token = users.create_token(s, who.name, name, by=who.name)
                message = "Copy the token now: it is not shown again."
            elif action == "revoke":
                with store.session() as s, s.begin():
                    users.revoke_token(s, who.name, name, by=who.name)
                message = f"Token {name!r} revoked."
            elif action == "password":
                own_password(who, PasswordChange(password=password,
                                                 current_password=current_password))
                return RedirectResponse("/login?next=/account", status_code=303)
            else:
                error = "Unknown action; use the buttons of this page."
        except TcmapError as exc:
            error = f"{exc.message} {exc.hint}".strip()
        with store.session() as s:
            return render(request, "account.html", account_page(
                s, who.name, token, message, error), status=400 if error else 200)
