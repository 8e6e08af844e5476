"""The programme pages through their JSON twins: reading, uploading sheets, edits, approval."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from test_programmes import CODE, RES, ken_files, load_ken  # noqa: E402

from tcmap import users  # noqa: E402
from tcmap.config import Settings  # noqa: E402
from tcmap.results.summary import programme_overview  # noqa: E402
from tcmap.store import open_store  # noqa: E402
from tcmap.web import create_app  # noqa: E402

from conftest import WEB_PASSWORD, csrf_of, login_client  # noqa: E402


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programmes-web")
    url = f"sqlite:///{folder / 'web.db'}"
    store = open_store(url)
    load_ken(store)
    with store.session() as s, s.begin():
        users.add_user(s, "vera", "viewer", WEB_PASSWORD)
        users.add_user(s, "ana", "analyst", WEB_PASSWORD)
    return create_app(Settings.load(database_url=url, secret_key="test-key"), store)


@pytest.fixture(scope="module")
def api(app):
    with app.state.store.session() as s, s.begin():
        token = users.create_token(s, "ana", "tests")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"},
                      follow_redirects=False)


def test_a_viewer_reads_the_list_and_the_programme_like_the_library(app):
    client = login_client(app, "vera")
    r = client.get("/api/programmes")
    assert r.status_code == 200 and r.json()["programmes"][0]["code"] == CODE
    page = client.get(f"/api/programmes/{CODE}").json()
    with app.state.store.session() as s:
        want = programme_overview(s, CODE)
    assert {k: page[k] for k in want} == json.loads(json.dumps(want, default=str))
    assert set(page["choices"]) == {"capacity_levels", "constituents", "learning_outcomes",
                                    "approval_states"}
    html = client.get(f"/programmes/{CODE}").text
    assert "Results chain" in html and "KEN101.1" in html and "individual-output-unpaired" in html
    assert "Record a value" not in html  # a viewer has no forms
    assert client.get("/api/programmes/NOPE").status_code == 404
    gate = client.get(f"/api/programmes/{CODE}/gate").json()
    assert gate["passed"] and gate["input"]["country"] == "KE"
    assert "Country-programme gate: passes" in html
    listing = client.get("/api/programmes").json()
    assert listing["gate"]["share_passed"] == 1.0 and listing["programmes"][0]["gate"]["passed"]
    assert client.post("/api/programmes").status_code == 403


def test_an_analyst_uploads_sheets_and_a_bad_file_imports_nothing(app, api):
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in ken_files()]
    r = api.post("/api/programmes", files=files)
    assert r.status_code == 200 and r.json()["ok"]
    assert r.json()["counts"]["programmes"]["unchanged"] == 1
    bad = RES / "bad-programme-period-overlap.csv"
    r = api.post("/api/programmes", files=[("files", (bad.name, bad.read_bytes(), "text/csv"))])
    d = r.json()
    assert not d["imported"] and d["problems"][0]["code"] == "programme-period-overlap"
    assert len(api.get("/api/programmes").json()["programmes"]) == 1
    assert api.post("/api/programmes").json()["error"]["code"] == "no-files"
    client = login_client(app, "ana")
    page = client.get("/programmes")
    r = client.post("/programmes", data={"csrf_token": csrf_of(page.text)},
                    files=[("files", (bad.name, bad.read_bytes(), "text/csv"))])
    assert r.status_code == 422 and "Nothing was imported" in r.text


def test_an_output_edit_needs_the_current_version(app, api):
    url = f"/api/programmes/{CODE}/outputs/KEN102.2"
    r = api.put(url, json={"statement": "Strategic plan adopted by the congress",
                           "expected_version": 1})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = api.put(url, json={"statement": "Again", "expected_version": 1})
    assert r.status_code == 409 and r.json()["error"]["current"]["version"] == 2
    r = api.put(url, json={"capacity_level": "national"})
    assert r.status_code == 400 and "capacity_level" in r.json()["error"]["message"]
    client = login_client(app, "ana")
    page = client.get(f"/programmes/{CODE}")
    r = client.post(f"/programmes/{CODE}/outputs/KEN102.2",
                    data={"csrf_token": csrf_of(page.text), "statement": "Plan adopted",
                          "capacity_level": "organizational", "constituent": "workers_org",
                          "expected_version": "2"})
    assert r.status_code == 303 and r.headers["location"].endswith("#output-KEN102.2")


def test_values_are_recorded_and_approved_from_the_page(app, api):
    client = login_client(app, "ana")
    page = client.get(f"/programmes/{CODE}")
    token = csrf_of(page.text)
    r = client.post(f"/programmes/{CODE}/indicators/KEN101-I2/values",
                    data={"csrf_token": token, "period_start": "2015-01-01",
                          "period_end": "2015-12-31", "numerator": "6000",
                          "denominator": "32000", "evidence": "Annual report 2015"})
    assert r.status_code == 303
    r = client.post(f"/programmes/{CODE}/indicators/KEN101-I2/values",
                    data={"csrf_token": token, "period_start": "2016-01-01",
                          "period_end": "2016-12-31", "numerator": "lots"})
    assert r.status_code == 422 and "not a number" in r.text
    ind = next(i for i in api.get(f"/api/programmes/{CODE}").json()["indicators"]
               if i["code"] == "KEN101-I2")
    assert (ind["figure"]["numerator"], ind["figure"]["denominator"]) == (15100, 93500)
    value = next(v for v in ind["values"] if v["period_start"] == "2015-01-01")
    r = api.post(f"/api/programmes/{CODE}/values/{value['id']}/approval",
                 json={"state": "submitted"})
    assert r.status_code == 200 and r.json()["approval"] == "submitted"
    r = api.post(f"/api/programmes/{CODE}/values/{value['id']}/approval",
                 json={"state": "returned"})
    assert r.status_code == 400  # a return needs its reason
    r = api.post(f"/api/programmes/{CODE}/indicators/KEN101-I1/values",
                 json={"period_start": "2014-07-01", "period_end": "2015-06-30", "actual": 3})
    assert r.status_code == 400 and "overlaps" in r.json()["error"]["message"]
    # An indicator of this programme only, through this programme's address.
    assert api.post("/api/programmes/OTHER/indicators/KEN101-I1/values",
                    json={}).status_code == 404
