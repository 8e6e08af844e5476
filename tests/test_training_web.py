"""The training pages through their JSON twins: figures, one event, uploads by analysts only."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tcmap import users  # noqa: E402
from tcmap.config import Settings  # noqa: E402
from tcmap.store import open_store  # noqa: E402
from tcmap.taxonomy import load_framework  # noqa: E402
from tcmap.training.events import event_detail, list_events  # noqa: E402
from tcmap.training.importing import import_training  # noqa: E402
from tcmap.training.summary import figures  # noqa: E402
from tcmap.training.surveys import load_instrument  # noqa: E402
from tcmap.web import create_app  # noqa: E402

from conftest import DATA, WEB_PASSWORD, csrf_of, login_client  # noqa: E402

VALID = sorted((DATA / "training" / "valid").glob("*.csv"))


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    store = open_store(url)
    assert import_training(store, VALID, by="test").ok
    with store.session() as s, s.begin():
        users.add_user(s, "vera", "viewer", WEB_PASSWORD)
        users.add_user(s, "ana", "analyst", WEB_PASSWORD)
    app = create_app(Settings.load(database_url=url, secret_key="test-key"), store)
    app.state.report_dir = tmp_path / "reports"
    app.state.upload_dir = tmp_path / "uploads"
    yield app
    store.close()


def _token(app, name):
    with app.state.store.session() as s, s.begin():
        return users.create_token(s, name, "test")


def _api(app, name="vera"):
    return TestClient(app, headers={"Authorization": f"Bearer {_token(app, name)}"})


def test_the_figures_page_is_the_library_result_with_charts(app):
    r = _api(app).get("/api/training", params={"by": "sex", "timing": "6m"})
    assert r.status_code == 200, r.text
    page = r.json()
    with app.state.store.session() as s:
        assert page["figures"] == figures(s, load_framework(), "sex", "6m")
        assert page["events"] == list_events(s, load_framework())
    assert page["figures"]["overall"]["application_rate"]["k"] == 3
    assert [c["measure"] for c in page["charts"]] == [
        "response_rate", "application_rate", "large_improvement", "large_improvement_org"]
    assert all(c["svg"].startswith("<svg") for c in page["charts"])
    assert page["can_import"] is False


def test_one_event_is_the_library_detail_and_an_unknown_one_is_404(app):
    client = _api(app)
    page = client.get("/api/training/E1").json()
    with app.state.store.session() as s:
        expected = event_detail(s, load_framework(), load_instrument(), "E1")
    assert {k: v for k, v in page.items() if k != "chart"} == expected
    assert [s["timing"] for s in page["survey_results"]] == ["end", "6m"]
    r = client.get("/api/training/E404")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not-found"
    assert client.get("/api/training", params={"by": "region"}).status_code == 400


def test_a_viewer_cannot_upload(app):
    r = _api(app, "vera").post("/api/training/import",
                               files={"files": ("e.csv", b"event\n", "text/csv")})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_an_analyst_uploads_a_bad_file_and_sees_its_problems_and_nothing_changes(app):
    client = _api(app, "ana")
    bad = DATA / "training" / "events-end-before-start.csv"
    r = client.post("/api/training/import",
                    files={"files": ("my-events.csv", bad.read_bytes(), "text/csv")})
    assert r.status_code == 200, r.text
    report = r.json()
    assert not report["ok"]
    [p] = report["problems"]
    assert (p["code"], p["file"], p["row"], p["column"]) == (
        "training-end-before-start", "my-events.csv", 2, "end_date")
    event = client.get("/api/training/E2").json()
    assert (event["start_date"], event["end_date"]) == ("2011-04-04", "2011-04-08")


def test_check_only_uploads_store_nothing_and_real_ones_do(app, tmp_path):
    client = _api(app, "ana")
    new = tmp_path / "events.csv"
    new.write_text("event,title,start_date,end_date,outcome\nE8,New course,2012-01-09,"
                   "2012-01-13,O2\n")
    files = {"files": ("events.csv", new.read_bytes(), "text/csv")}
    r = client.post("/api/training/import", files=files, data={"check": "1"})
    assert r.json()["check"] and r.json()["totals"]["events"]["inserted"] == 1
    assert client.get("/api/training/E8").status_code == 404
    r = client.post("/api/training/import", files=files)
    assert r.json()["ok"] and r.json()["import_id"]
    assert client.get("/api/training/E8").json()["title"] == "New course"
    history = client.get("/api/training").json()["imports"]
    assert history[0]["by"] == "ana" and history[0]["files"][0]["name"] == "events.csv"


def test_the_pages_render_and_the_form_upload_needs_its_csrf_token(app):
    client = login_client(app, "ana")
    page = client.get("/training?by=constituent")
    assert page.status_code == 200
    assert "Workers&#39; organizations" in page.text and "<svg" in page.text
    assert 'action="/training/import"' in page.text
    event = client.get("/training/E1")
    assert event.status_code == 200 and "Labour inspection for inspectors" in event.text
    bad = (DATA / "training" / "participants-unknown-sex.csv").read_bytes()
    files = {"files": ("people.csv", bad, "text/csv")}
    assert client.post("/training/import", files=files).status_code == 403
    r = client.post("/training/import", files=files, data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 422 and "training-unknown-sex" in r.text
    viewer = login_client(app, "vera").get("/training")
    assert viewer.status_code == 200 and 'action="/training/import"' not in viewer.text
