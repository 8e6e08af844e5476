"""People in the web app: admins manage accounts, everyone their own password and tokens."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tcmap import users  # noqa: E402

from conftest import WEB_PASSWORD, csrf_of, login_client, make_demo_web_app  # noqa: E402


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_demo_web_app(tmp_path_factory.mktemp("users"))
    with app.state.store.session() as s, s.begin():
        users.add_user(s, "adam", "admin", WEB_PASSWORD)
    return app


def bearer(app, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}",
                                    "Accept": "application/json"}, follow_redirects=False)


def test_an_admin_adds_an_account_changes_its_role_and_disables_it(app):
    admin = login_client(app, "adam")
    page = admin.get("/users")
    assert page.status_code == 200 and "Add an account" in page.text
    r = admin.post("/users", data={"name": "Otto", "role": "viewer",
                                   "password": "a long enough password",
                                   "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    listed = {u["name"]: u for u in admin.get("/api/users").json()["users"]}
    assert listed["otto"]["role"] == "viewer" and listed["otto"]["active"]

    page = admin.get("/users")
    r = admin.post("/users/otto", data={"action": "role", "role": "analyst",
                                        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    with app.state.store.session() as s, s.begin():
        token = users.create_token(s, "otto", "script")
    assert bearer(app, token).get("/api/activities").status_code == 200
    r = admin.post("/users/otto", data={"action": "disable", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert bearer(app, token).get("/api/activities").status_code == 401
    events = [e["kind"] for e in admin.get("/api/users").json()["events"]]
    assert {"user-added", "role-changed", "user-disabled"} <= set(events)


def test_bad_account_changes_are_shown_on_the_page_and_change_nothing(app):
    admin = login_client(app, "adam")
    page = admin.get("/users")
    r = admin.post("/users", data={"name": "shorty", "role": "viewer", "password": "short",
                                   "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and "12" in r.text
    r = admin.post("/users/adam", data={"action": "disable", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and "only active admin" in r.text
    names = {u["name"]: u for u in admin.get("/api/users").json()["users"]}
    assert "shorty" not in names and names["adam"]["active"]


def test_only_admins_see_the_users_page_and_its_link(app):
    viewer = login_client(app, "vera")
    assert viewer.get("/api/users").status_code == 403
    assert 'href="/users"' not in viewer.get("/activities").text
    assert 'href="/users"' in login_client(app, "adam").get("/activities").text


def test_everyone_makes_and_revokes_their_own_tokens(app):
    viewer = login_client(app, "vera")
    page = viewer.get("/account")
    r = viewer.post("/account", data={"action": "token", "name": "laptop",
                                      "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "not shown again" in r.text
    token = r.text.split('id="token" class="id" value="', 1)[1].split('"', 1)[0]
    assert bearer(app, token).get("/api/account").json()["user"]["name"] == "vera"
    assert [t["name"] for t in viewer.get("/api/account").json()["tokens"]] == ["laptop"]
    r = viewer.post("/account", data={"action": "revoke", "name": "laptop",
                                      "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200
    assert bearer(app, token).get("/api/account").status_code == 401


def test_a_new_password_needs_the_current_one_and_ends_the_sessions(app):
    with app.state.store.session() as s, s.begin():
        users.add_user(s, "paula", "viewer", WEB_PASSWORD)
    me = login_client(app, "paula")
    page = me.get("/account")
    r = me.post("/account", data={"action": "password", "current_password": "wrong wrong wrong",
                                  "password": "a brand new password",
                                  "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400
    assert me.get("/api/account").status_code == 200  # still logged in, nothing changed
    r = me.post("/account", data={"action": "password", "current_password": WEB_PASSWORD,
                                  "password": "a brand new password",
                                  "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert me.get("/api/account").status_code == 401  # the session ended
    assert login_client(app, "paula", "a brand new password").get(
        "/api/account").status_code == 200
