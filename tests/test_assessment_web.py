"""The assessment pages through their JSON twins and their forms: viewers read, analysts
write, refused input shows why and stores nothing."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tcmap import assessment as A  # noqa: E402
from tcmap import users  # noqa: E402
from tcmap.config import Settings  # noqa: E402
from tcmap.store import open_store  # noqa: E402
from tcmap.taxonomy import load_framework  # noqa: E402
from tcmap.web import create_app  # noqa: E402

from conftest import WEB_PASSWORD, csrf_of, login_client  # noqa: E402

NEW = {"constituent": "Federation of Employers", "constituent_type": "employers_org",
       "country": "KE", "why": "Plan support", "scope": ["organizational/leadership"],
       "assessed_on": "2012-04-01"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("assessment-web")
    url = f"sqlite:///{folder / 'web.db'}"
    store = open_store(url)
    with store.session() as s, s.begin():
        users.add_user(s, "vera", "viewer", WEB_PASSWORD)
        users.add_user(s, "ana", "analyst", WEB_PASSWORD)
    return create_app(Settings.load(database_url=url, secret_key="test-key"), store)


@pytest.fixture(scope="module")
def analyst(app):
    client = login_client(app, "ana")
    client.headers["X-CSRF-Token"] = csrf_of(client.get("/assessments").text)
    return client


@pytest.fixture(scope="module")
def viewer(app):
    return login_client(app, "vera")


@pytest.fixture(scope="module")
def started(analyst) -> int:
    r = analyst.post("/api/assessments", json=NEW)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_an_analyst_starts_rates_and_sees_the_same_dict_as_the_library(app, analyst, started):
    r = analyst.post(f"/api/assessments/{started}/ratings", json={"ratings": [
        {"question": "ORG-LD-F1-1", "score": 2, "evidence": "Minutes"},
        {"question": "ORG-LD-F1-1", "score": 4, "source": "interview"},
        {"question": "ORG-LD-F5-1", "score": "N/A"}]})
    assert r.status_code == 200 and r.json()["written"] == 3, r.text
    r = analyst.post(f"/api/assessments/{started}/desired",
                     json={"cell": "organizational/leadership", "score": 5, "set_by": "self"})
    assert r.status_code == 200 and len(r.json()) == 5
    page = analyst.get(f"/api/assessments/{started}").json()
    with app.state.store.session() as s:
        expected = A.show_assessment(s, started, load_framework())
    assert {k: v for k, v in page.items() if k != "charts"} == expected
    assert set(page["charts"]) == {"organizational"}
    cell = next(c for c in page["cells"]
                if c["cell"] == "organizational/leadership/engage_stakeholders")
    assert (cell["score"], cell["gap"], cell["band"]) == (3.0, 2.0, "high")


def test_refused_ratings_are_a_400_with_every_problem_and_nothing_is_stored(analyst, started):
    before = analyst.get(f"/api/assessments/{started}").json()["ratings"]
    r = analyst.post(f"/api/assessments/{started}/ratings", json={"ratings": [
        {"question": "ORG-LD-F2-1", "score": 3}, {"question": "ORG-LD-F2-2", "score": 8},
        {"question": "ORG-KN-F1-1", "score": 3}]})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "ratings-refused" and "nothing saved" in err["message"]
    assert [p["code"] for p in err["report"]["problems"]] == [
        "rating-score-out-of-range", "rating-out-of-scope"]
    assert analyst.get(f"/api/assessments/{started}").json()["ratings"] == before


def test_viewers_read_but_do_not_write(viewer, started):
    assert viewer.get("/api/assessments").status_code == 200
    assert viewer.get(f"/assessments/{started}").status_code == 200
    r = viewer.post(f"/api/assessments/{started}/ratings",
                    json={"ratings": [{"question": "ORG-LD-F1-1", "score": 3}]})
    assert r.status_code == 403
    page = viewer.get(f"/assessments/{started}").text
    assert "Save ratings" not in page and "Add an action" not in page


def test_anonymous_visitors_and_unknown_ids(app, analyst):
    anon = TestClient(app, follow_redirects=False)
    assert anon.get("/api/assessments").status_code == 401
    assert anon.post("/api/assessments", json=NEW).status_code == 401
    r = analyst.get("/api/assessments/9999")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not-found"


def test_the_forms_rate_set_desired_levels_add_actions_and_start_a_round(analyst):
    token = analyst.headers["X-CSRF-Token"]
    r = analyst.post("/assessments", data={
        "csrf_token": token, "constituent": "Trade Union Congress", "type": "workers_org",
        "country": "KE", "instrument": "oca", "date": "2012-05-01"})
    assert r.status_code == 303
    aid = int(r.headers["location"].rsplit("/", 1)[1])
    r = analyst.post(f"/assessments/{aid}/ratings", data={
        "csrf_token": token, "source": "self", "score-ORG-GOV-1": "3",
        "evidence-ORG-GOV-1": "Statutes of 2009", "score-ORG-GOV-2": ""})
    assert r.status_code == 303, r.text
    r = analyst.post(f"/assessments/{aid}/verify", data={
        "csrf_token": token, "question": "ORG-GOV-1", "score": "2", "note": "No congress"})
    assert r.status_code == 303
    r = analyst.post(f"/assessments/{aid}/desired", data={
        "csrf_token": token, "cell": "organizational", "score": "4", "set_by": "self"})
    assert r.status_code == 303
    r = analyst.post(f"/assessments/{aid}/actions", data={
        "csrf_token": token, "cell": "organizational/governance", "horizon": "short",
        "lever": "institutional_arrangements", "description": "Hold the statutory congress",
        "cost": "8,000", "currency": "usd", "linked_output": "Output 2.1"})
    assert r.status_code == 303
    page = analyst.get(f"/api/assessments/{aid}").json()
    gov = next(c for c in page["cells"] if c["cell"] == "organizational/governance")
    assert (gov["score"], gov["gap"], gov["band"]) == (2.0, 2.0, "high")
    assert page["actions"][0]["cost"] == 8000.0 and page["status"] == "response_defined"
    html = analyst.get(f"/assessments/{aid}").text
    assert "Statutes of 2009" in html and "Hold the statutory congress" in html
    r = analyst.post(f"/assessments/{aid}/rounds", data={"csrf_token": token,
                                                         "date": "2013-05-01"})
    assert r.status_code == 303
    follow = int(r.headers["location"].rsplit("/", 1)[1])
    assert analyst.get(f"/api/assessments/{follow}").json()["baseline"] == aid
    closed = analyst.get(f"/assessments/{aid}").text
    assert "This round is closed" in closed and "Save ratings" not in closed


def test_a_refused_form_shows_why_and_a_form_without_its_token_is_refused(analyst, started):
    token = analyst.headers["X-CSRF-Token"]
    r = analyst.post(f"/assessments/{started}/desired", data={
        "csrf_token": token, "cell": "individual", "score": "4", "set_by": "self"})
    assert r.status_code == 400 and 'role="alert"' in r.text and "No cell in scope" in r.text
    r = analyst.post(f"/assessments/{started}/ratings", data={
        "csrf_token": token, "score-ORG-LD-F2-1": "9"})
    assert r.status_code == 400 and "nothing saved" in r.text
    bare = TestClient(analyst.app, cookies=analyst.cookies, follow_redirects=False)
    r = bare.post(f"/assessments/{started}/desired", data={
        "cell": "organizational", "score": "4", "set_by": "self"})
    assert r.status_code == 403


def test_the_report_downloads_as_one_html_file_with_a_chart(analyst, started):
    r = analyst.get(f"/assessments/{started}/report")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="assessment-{started}.html"'
    assert "Federation of Employers" in r.text and "<svg" in r.text
    assert analyst.get(f"/api/assessments/{started}/report").json()["id"] == started
