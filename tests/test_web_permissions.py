"""Every role against every endpoint: who may read, who may change, nobody without a login."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")
from fastapi.routing import APIRoute  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from test_web import PASSWORD, UKRAINE  # noqa: E402
from test_web import app as app  # noqa: E402,F401  (the module's fixture)

from tcmap import users  # noqa: E402

ROLES = ("viewer", "analyst", "admin")
PUBLIC = {"/health", "/login", "/"}
ANALYST_READS = re.compile(r"^/(api/)?import")  # uploading is an analyst's job, even to look
ADMIN_ONLY = re.compile(r"^/(api/)?users")  # managing accounts
OWN_ACCOUNT = re.compile(r"^/(api/)?account")  # everyone manages their own password and tokens
VALUES = {"identifier": UKRAINE, "code": "labour_administration_inspection",
          "section": "logic", "name": "no-such-report", "upload_id": "0" * 32,
          "upload": "0" * 32, "id": "0" * 32}


def _path(route: APIRoute) -> str:
    path = route.path
    if route.path.startswith("/countries/") or route.path.startswith("/api/countries/"):
        return path.replace("{code}", "KE")
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: VALUES.get(m.group(1), "x"), path)


def _needed(route: APIRoute, method: str) -> str | None:
    if route.path in PUBLIC:
        return None
    if ADMIN_ONLY.match(route.path):
        return "admin"
    if OWN_ACCOUNT.match(route.path):
        return "viewer"
    if method == "GET":
        return "analyst" if ANALYST_READS.match(route.path) else "viewer"
    return "viewer" if route.path == "/logout" else "analyst"


@pytest.fixture(scope="module")
def tokens(app):  # noqa: F811
    out = {}
    with app.state.store.session() as s, s.begin():
        users.add_user(s, "adam", "admin", PASSWORD)
        for name, role in (("vera", "viewer"), ("ana", "analyst"), ("adam", "admin")):
            out[role] = users.create_token(s, name, "permissions")
    return out


def _endpoints(app):  # noqa: F811
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods):
                yield route, method


def test_every_endpoint_is_closed_to_anonymous_visitors(app):  # noqa: F811
    client = TestClient(app, headers={"Accept": "application/json"}, follow_redirects=False)
    checked = 0
    for route, method in _endpoints(app):
        if _needed(route, method) is None:
            continue
        r = client.request(method, _path(route))
        assert r.status_code == 401, (method, route.path, r.status_code)
        assert r.json()["error"]["code"] == "login-required"
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_what_it_may_and_nothing_more(app, tokens, role):  # noqa: F811
    client = TestClient(app, headers={"Accept": "application/json",
                                      "Authorization": f"Bearer {tokens[role]}"},
                        follow_redirects=False)
    for route, method in _endpoints(app):
        needed = _needed(route, method)
        if needed is None or route.path == "/logout":
            continue
        r = client.request(method, _path(route))
        code = r.json().get("error", {}).get("code") if r.headers.get(
            "content-type", "").startswith("application/json") else None
        allowed = ROLES.index(role) >= ROLES.index(needed)
        assert code != "login-required", (role, method, route.path)
        if allowed:
            assert code != "forbidden", (role, method, route.path, r.text[:200])
        else:
            assert r.status_code == 403 and code == "forbidden", (role, method, route.path)
