"""The web app through its JSON twins: login, permissions, the one error shape, the portfolio."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tcmap import users  # noqa: E402
from tcmap.portfolio import activity_detail  # noqa: E402
from tcmap.review import history  # noqa: E402
from tcmap.web import create_app  # noqa: E402,F401

from conftest import WEB_PASSWORD, csrf_of, login_client, make_demo_web_app  # noqa: E402

PASSWORD = WEB_PASSWORD
UKRAINE = "XM-DAC-41302-101895-378077-2010-UKR107"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_demo_web_app(tmp_path_factory.mktemp("web"))


_csrf = csrf_of
login = login_client


def test_health_is_open_to_anyone(app):
    r = TestClient(app).get("/health")
    assert r.status_code == 200 and r.json()["database"] == "ok"


def test_pages_need_a_login_and_errors_share_one_shape(app):
    client = TestClient(app, follow_redirects=False)
    r = client.get("/activities")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = client.get("/api/activities")
    assert r.status_code == 401
    assert set(r.json()["error"]) >= {"status", "code", "message", "hint"}
    assert client.get("/api/openapi.json").status_code == 401


def test_a_wrong_password_is_refused_and_a_form_without_its_token_too(app):
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    r = client.post("/login", data={"username": "vera", "password": "nope nope nope",
                                    "csrf_token": _csrf(page.text)})
    assert r.status_code == 401 and "tcmap_session" not in r.cookies
    r = client.post("/login", data={"username": "vera", "password": PASSWORD})
    assert r.status_code == 403


def test_the_portfolio_filters_by_mapping_and_text_like_the_library(app):
    client = login(app)
    r = client.get("/api/activities", params={"outcome": "O11", "q": "inspection"})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] >= 1
    assert UKRAINE in [a["identifier"] for a in page["activities"]]
    assert {f["dimension"] for f in page["facets"]} >= {"outcomes", "modalities"}
    html = client.get("/activities", params={"outcome": "O11"})
    assert html.status_code == 200 and UKRAINE in html.text


def test_an_activity_page_and_its_twin_come_from_the_same_data(app):
    client = login(app)
    r = client.get(f"/api/activities/{UKRAINE}")
    assert r.status_code == 200
    with app.state.store.session() as s:
        expected = activity_detail(s, UKRAINE)
        expected["history"] = history(s, UKRAINE)
    body = r.json()
    assert body["tags"] == expected["tags"] and body["history"] == expected["history"]
    assert "Labour administration" in client.get(f"/activities/{UKRAINE}").text or \
        "labour administration" in client.get(f"/activities/{UKRAINE}").text.lower()


def test_unknown_activity_is_a_404_in_the_one_shape(app):
    r = login(app).get("/api/activities/NO-SUCH-ID")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not-found"


def test_api_tokens_open_the_json_twins(app):
    with app.state.store.session() as s, s.begin():
        token = users.create_token(s, "ana", "script")
    client = TestClient(app)
    assert client.get("/api/activities",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/activities",
                      headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_login_never_redirects_off_site(app):
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    r = client.post("/login", data={"username": "vera", "password": PASSWORD,
                                    "csrf_token": _csrf(page.text),
                                    "next": "//evil.example/x"})
    assert r.headers["location"] == "/activities"


def test_the_schema_documents_the_twins_for_people_logged_in(app):
    schema = login(app).get("/api/openapi.json").json()
    assert "/api/activities" in schema["paths"]


def test_logout_ends_the_session(app):
    client = login(app)
    page = client.get("/activities")
    r = client.post("/logout", data={"csrf_token": _csrf(page.text)})
    assert r.status_code == 303
    client.cookies.clear()
    assert client.get("/api/activities").status_code == 401


def test_an_analyst_reviews_a_tag_and_a_stale_decision_is_a_conflict(app):
    client = login(app, "ana")
    tags = client.get(f"/api/activities/{UKRAINE}").json()["tags"]
    tag = next(t for t in tags if t["dimension"] == "modalities")
    page = client.get(f"/activities/{UKRAINE}")
    assert 'name="expected_version"' in page.text
    r = client.post(f"/activities/{UKRAINE}/review", data={
        "action": "reject", "tag": f"modalities:{tag['code']}", "note": "not in the text",
        "expected_version": str(tag["version"]), "csrf_token": _csrf(page.text)})
    assert r.status_code == 303, r.text
    after = {t["code"]: t for t in client.get(f"/api/activities/{UKRAINE}").json()["tags"]
             if t["dimension"] == "modalities"}
    assert after[tag["code"]]["review_state"] == "rejected"
    # Someone else decided in between: the stale version is refused with the current state.
    r = client.post(f"/activities/{UKRAINE}/review", data={
        "action": "accept", "tag": f"modalities:{tag['code']}",
        "expected_version": str(tag["version"]), "csrf_token": _csrf(page.text)})
    assert r.status_code == 409 and "rejected" in r.text


def test_viewers_cannot_review_and_the_api_reports_conflicts_in_the_one_shape(app):
    viewer = login(app, "vera")
    page = viewer.get(f"/activities/{UKRAINE}")
    r = viewer.post(f"/activities/{UKRAINE}/review", data={
        "action": "add", "tag": "modalities:study_visit", "csrf_token": _csrf(page.text)})
    assert r.status_code == 403
    with app.state.store.session() as s, s.begin():
        token = users.create_token(s, "ana", "reviewer-script")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    ok = api.post(f"/api/activities/{UKRAINE}/review",
                  json={"action": "add", "dimension": "modalities", "code": "study_visit"})
    assert ok.status_code == 200 and ok.json()["tag"]["review_state"] == "added"
    stale = api.post(f"/api/activities/{UKRAINE}/review",
                     json={"action": "reject", "dimension": "modalities",
                           "code": "study_visit", "expected_version": 0})
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["review_state"] == "added"


def test_intervention_models_are_edited_with_history_and_conflicts(app):
    client = login(app, "ana")
    index = client.get("/api/models").json()
    assert any(a["code"] == "labour_administration_inspection"
               for g in index["groups"] for o in g["outcomes"] for a in o["approaches"])
    page = client.get("/models/labour_administration_inspection")
    assert page.status_code == 200
    data = client.get("/api/models/labour_administration_inspection").json()
    assert data["where_used"]["activities"] > 0 and data["sections"][0]["version"] == 0
    r = client.post("/models/labour_administration_inspection/sections/logic",
                    data={"text": "Needs assessment, then training plans.",
                          "expected_version": "0", "csrf_token": _csrf(page.text)})
    assert r.status_code == 303
    stale = client.post("/models/labour_administration_inspection/sections/logic",
                        data={"text": "Another text", "expected_version": "0",
                              "csrf_token": _csrf(page.text)})
    assert stale.status_code == 409 and "Needs assessment" in stale.text
    after = client.get("/api/models/labour_administration_inspection").json()
    assert after["sections"][0]["text"] == "Needs assessment, then training plans."
    assert after["history"][0]["by"] == "ana"
    viewer = login(app, "vera")
    r = viewer.post("/models/labour_administration_inspection/sections/logic",
                    data={"text": "x", "csrf_token": _csrf(page.text)})
    assert r.status_code == 403


def test_the_current_selection_downloads_as_csv_and_xlsx(app):
    import csv
    import io

    import openpyxl

    client = login(app)
    page = client.get("/api/activities", params={"outcome": "O11"}).json()
    r = client.get("/activities.csv", params={"outcome": "O11"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == page["total"] and all("O11" in row["outcomes"] for row in rows)
    x = client.get("/activities.xlsx", params={"outcome": "O11"})
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    assert ws.max_row == page["total"] + 1
    assert page["downloads"]["csv"].startswith("/activities.csv?")


def test_search_finds_words_anywhere_in_an_activity_ignoring_accents(app):
    client = login(app)
    both = client.get("/api/activities", params={"q": "inspection ukraine"}).json()
    assert UKRAINE in [a["identifier"] for a in both["activities"]]
    french = client.get("/api/activities", params={"q": "securite"}).json()
    accented = client.get("/api/activities", params={"q": "sécurité"}).json()
    assert french["total"] == accented["total"] > 0
    prefix = client.get("/api/activities", params={"q": "inspect"}).json()
    assert prefix["total"] >= both["total"]


def test_pages_kept_in_memory_follow_every_change_even_from_another_process(app):
    client = login(app, "ana")
    params = {"outcome": "O11", "review": "reviewed"}
    before = client.get("/api/activities", params=params).json()["total"]
    assert client.get("/api/activities", params=params).json()["total"] == before  # memo hit
    # Another process (here: another engine on the same file) adds a person's tag.
    from tcmap.review import review
    from tcmap.store import open_store

    other = open_store(app.state.settings.database_url)
    with other.session() as s, s.begin():
        ident = next(a["identifier"] for a in client.get(
            "/api/activities", params={"outcome": "O2", "per_page": 500}).json()["activities"]
            if a["identifier"] != UKRAINE)
        review(s, ident, "add", "outcomes", "O11", "someone", note="seen in the text")
    other.close()
    assert client.get("/api/activities", params=params).json()["total"] == before + 1
    assert client.get(f"/api/activities/{ident}").json()["history"]
